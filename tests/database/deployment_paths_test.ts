// The two ways this project reaches a database, each run with the real Supabase CLI on a cluster
// of its own, and each held to the documents written by hand for JobMojito's data
// (fixtures/expected/): the condensed copy of every answer, and the RPC's answer for every
// reader and view.
//   a new project: every migration pushed, then the seed; the data written after.
//   JobMojito's project: the baseline tables already holding the data (applied with psql, as
//     production has them), the baseline marked applied with `migration repair`, the rest
//     pushed, then `npm run backfill:condensed`.
import assert from "node:assert/strict";
import {
  BASELINE,
  markApplied,
  migrationFiles,
  prepareDatabase,
  pushMigrations,
  ROOT,
} from "../../tools/local-stack/database.ts";
import { startCluster } from "../../tools/local-stack/postgres.ts";
import {
  assertDocuments,
  condensedCopies,
  connect,
  expectedDocument,
  FIXTURES,
  psqlFile,
  RESULT,
  rpcAs,
  USERS,
} from "./support.ts";

const DATA = `${FIXTURES}/jobmojito_data.sql`;
const expectedCopies = async () =>
  JSON.parse(await Deno.readTextFile(`${FIXTURES}/expected/condensed.json`));

/** `npm run backfill:condensed -- <url>`, as an operator runs it. */
async function backfill(url: string) {
  const out = await new Deno.Command("npm", {
    args: ["run", "--silent", "backfill:condensed", "--", url],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    text: new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr),
  };
}

/** Keys in the order the contract lists them, and the raw data's in the order it was stored. */
async function assertOrder(url: string) {
  const sql = connect(url);
  try {
    const reviewer = await expectedDocument("reviewer", "full");
    const candidate = await expectedDocument("candidate", "full");
    const got = await rpcAs(sql, USERS.candidate, RESULT, "full");
    assert.deepEqual(Object.keys(got!), Object.keys(reviewer), "the document's fields in order");
    assert.deepEqual(
      Object.keys(got!.transcript[1]),
      Object.keys(reviewer.transcript[1]),
      "an item's fields in order",
    );
    assert.deepEqual(
      Object.keys(got!.transcript[1].answer_assessment_raw_data as object),
      Object.keys(candidate.transcript[1].answer_assessment_raw_data as object),
      "the candidate's raw data in its stored order",
    );
  } finally {
    await sql.end();
  }
}

Deno.test("a new project: every migration pushed with the seed, the data written after", async () => {
  const cluster = await startCluster();
  const sql = connect(cluster.url);
  try {
    await prepareDatabase(cluster.url, { seed: true });
    await psqlFile(cluster.url, DATA);

    assert.deepEqual(await condensedCopies(sql), await expectedCopies(), "kept on write");
    await assertDocuments(sql, "a new project");
    await assertOrder(cluster.url);
    const seeded = await rpcAs(sql, "service_role", "93c98d21-e04d-4a84-9afa-ed154cf73636", "full");
    assert.equal(seeded?.transcript.length, 10, "and the seed is there: Alice's interview");
  } finally {
    await sql.end();
    await cluster.stop();
  }
});

Deno.test("JobMojito's project: the baseline holding data, marked applied, the rest pushed, then the backfill", async () => {
  const cluster = await startCluster();
  const sql = connect(cluster.url);
  try {
    // The platform alone (no migration), then production as it is before this project.
    await prepareDatabase(cluster.url, { migrations: [], seed: false });
    await psqlFile(cluster.url, `${ROOT}supabase/migrations/${BASELINE}`);
    await psqlFile(cluster.url, DATA);

    await markApplied(cluster.url, BASELINE);
    const files = await migrationFiles();
    const pushed = await pushMigrations(cluster.url, files);
    assert.ok(!pushed.includes(BASELINE), "the baseline is not run again");
    const versions = (await sql`select version from supabase_migrations.schema_migrations
      order by version`).map((r) => `${r.version}`);
    assert.deepEqual(versions, files.map((f) => f.split("_")[0]), "every file recorded");

    // Before the backfill: no copy yet, and every document already as it will be.
    const copies = await condensedCopies(sql);
    assert.deepEqual(Object.values(copies), [null, null, null], "rows written before: no copy");
    await assertDocuments(sql, "before the backfill");

    const run = await backfill(cluster.url);
    assert.equal(run.code, 0, run.text);
    assert.match(run.text, /2 rows filled/);
    assert.match(run.text, /0 rows remain/);
    assert.deepEqual(await condensedCopies(sql), await expectedCopies(), "filled by the backfill");
    await assertDocuments(sql, "after the backfill");
    await assertOrder(cluster.url);
  } finally {
    await sql.end();
    await cluster.stop();
  }
});
