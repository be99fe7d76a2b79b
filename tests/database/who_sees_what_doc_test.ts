// docs/who-sees-what.md shows the candidate's allow-list as Postgres holds it: one row per path,
// the same decision and reason, nothing missing and nothing extra.
import assert from "node:assert/strict";
import postgres from "postgres";
import { prepareDatabase, ROOT } from "../../tools/local-stack/database.ts";
import { startCluster } from "../../tools/local-stack/postgres.ts";

type Decision = { path: string; candidate: string; reason: string };
const format = (d: Decision) => `${d.path}: ${d.candidate} (${d.reason})`;

/** The rows of the tables under the page's "## The list" heading. */
export function pageDecisions(page: string): Decision[] {
  const section = page.split(/^## /m).find((s) => s.startsWith("The list"));
  assert.ok(section, 'docs/who-sees-what.md has a "## The list" section');
  return [
    ...section.matchAll(
      /^\| `([A-Za-z0-9_.]+)` +\| (shown|whole|names|hidden) +\| (.+?) +\|$/gm,
    ),
  ].map(([, path, candidate, reason]) => ({
    path,
    candidate,
    reason: reason.replaceAll("\\|", "|"),
  }));
}

Deno.test("docs/who-sees-what.md's list is private.candidate_visibility, row for row", async () => {
  const cluster = await startCluster();
  const sql = postgres(cluster.url, { max: 1, onnotice: () => {} });
  try {
    await prepareDatabase(cluster.url, { seed: false });
    const rows = await sql<Decision[]>`select path, candidate, reason
      from private.candidate_visibility order by path`;
    assert.ok(rows.length > 60, "the list is there");
    const page = pageDecisions(await Deno.readTextFile(`${ROOT}docs/who-sees-what.md`));
    assert.deepEqual(page.map(format).sort(), rows.map((r) => format({ ...r })).sort());
  } finally {
    await sql.end();
    await cluster.stop();
  }
});
