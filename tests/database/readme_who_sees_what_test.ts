// The README's "Who sees what" is the candidate's allow-list as Postgres holds it: one row per
// field and key, the same decision and reason, nothing missing and nothing extra.
import assert from "node:assert/strict";
import postgres from "postgres";
import { prepareDatabase, ROOT } from "../../tools/local-stack/database.ts";
import { startCluster } from "../../tools/local-stack/postgres.ts";

type Decision = { scope: string; key: string; candidate: boolean; reason: string };
const format = (d: Decision) =>
  `${d.scope}.${d.key}: ${d.candidate ? "shown" : "hidden"} (${d.reason})`;

/** The rows of the table under README's "### Who sees what" heading. */
export function readmeDecisions(readme: string): Decision[] {
  const section = readme.split(/^### /m).find((s) => s.startsWith("Who sees what"));
  assert.ok(section, 'README has a "### Who sees what" section');
  return [
    ...section.matchAll(
      /^\| `([a-z0-9_]+)` +\| `([a-z0-9_]+)` +\| (shown|hidden) +\| (.+?) +\|$/gm,
    ),
  ]
    .map(([, scope, key, seen, reason]) => ({
      scope,
      key,
      candidate: seen === "shown",
      reason: reason.replaceAll("\\|", "|"),
    }));
}

Deno.test("README's who-sees-what table is private.candidate_visibility, row for row", async () => {
  const cluster = await startCluster();
  const sql = postgres(cluster.url, { max: 1, onnotice: () => {} });
  try {
    await prepareDatabase(cluster.url, { seed: false });
    const rows = await sql<Decision[]>`select scope, key, candidate, reason
      from private.candidate_visibility order by scope, key`;
    assert.ok(rows.length > 40, "the list is there");
    const readme = readmeDecisions(await Deno.readTextFile(`${ROOT}README.md`));
    assert.deepEqual(
      readme.map(format).sort(),
      rows.map((r) => format({ ...r })).sort(),
    );
  } finally {
    await sql.end();
    await cluster.stop();
  }
});
