// A database that never ran 20261129100100 (the stored generated column, a table rewrite) can
// skip it: marked applied with `supabase migration repair`, then pushed. 20261201100000 adds the
// column itself, the trigger keeps it, the RPC answers rows not yet filled as if they were, and
// the backfill fills them.
import assert from "node:assert/strict";
import postgres from "postgres";
import {
  migrationFiles,
  MIGRATIONS_DIR,
  prepareDatabase,
  pushMigrations,
  ROOT,
  SUPABASE_CLI,
} from "../../tools/local-stack/database.ts";
import { startCluster } from "../../tools/local-stack/postgres.ts";
import { run } from "../../tools/local-stack/processes.ts";
import { backfillCondensed } from "../../tools/backfill/condensed.ts";

const SKIPPED = "20261129100100_condensed_raw_data.sql";
const SUBMITTED = "93c98d21-e04d-4a84-9afa-ed154cf73636";
const REVIEWER = "00000000-0000-4000-8000-000000000021";

/** `supabase migration repair --status applied <version> --remote=<url>`, as a maintainer runs it. */
async function markApplied(url: string, file: string) {
  const work = await Deno.makeTempDir({ prefix: "jid-repair-" });
  try {
    await Deno.mkdir(`${work}/supabase/migrations`, { recursive: true });
    await Deno.copyFile(`${ROOT}supabase/config.toml`, `${work}/supabase/config.toml`);
    await Deno.copyFile(`${MIGRATIONS_DIR}/${file}`, `${work}/supabase/migrations/${file}`);
    await run(SUPABASE_CLI, [
      "migration",
      "repair",
      "--status",
      "applied",
      file.split("_")[0],
      `--remote=${url}?sslmode=disable`,
      "--yes",
      `--workdir=${work}`,
    ], { env: { DO_NOT_TRACK: "1", SUPABASE_TELEMETRY_DISABLED: "1" } });
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

async function condensedView(sql: postgres.Sql) {
  return await sql.begin("read only", async (tx) => {
    await tx`select set_config('role', 'authenticated', true),
      set_config('request.jwt.claims', ${
      JSON.stringify({ sub: REVIEWER, role: "authenticated" })
    }, true)`;
    const [row] =
      await tx`select public.interview_transcript(${SUBMITTED}, 'condensed')::text as doc`;
    return JSON.parse(row.doc);
  });
}

Deno.test("a database that skipped the generated column's rewrite reaches the design by repair and push", async () => {
  const cluster = await startCluster();
  const sql = postgres(cluster.url, { max: 2, onnotice: () => {} });
  try {
    const files = await migrationFiles();
    const at = files.indexOf(SKIPPED);
    assert.ok(at > 0, `${SKIPPED} is among the migrations`);
    await prepareDatabase(cluster.url, { migrations: files.slice(0, at), seed: false });
    await markApplied(cluster.url, SKIPPED);
    await pushMigrations(cluster.url, files, { seed: true });

    const [column] = await sql`select is_generated, data_type from information_schema.columns
      where table_schema = 'public' and table_name = 'interview_result_questions'
        and column_name = 'answer_assessment_condensed'`;
    assert.deepEqual({ ...column }, { is_generated: "NEVER", data_type: "json" });
    const [{ applied }] = await sql`select count(*)::int as applied
      from supabase_migrations.schema_migrations where version = ${SKIPPED.split("_")[0]}`;
    assert.equal(applied, 1, "recorded as applied, never run");

    // The seed was written with the trigger in place: every answer with raw data has its copy.
    const written = await condensedView(sql);
    const withRaw = written.transcript.filter((i: { answer_assessment_raw_data: unknown }) =>
      i.answer_assessment_raw_data !== null
    );
    assert.ok(withRaw.length > 0, "answers with raw data");

    // Rows as a database holds them before the backfill: no copy. The RPC answers the same.
    await sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`update public.interview_result_questions set answer_assessment_condensed = null`;
    });
    assert.deepEqual(await condensedView(sql), written, "unfilled rows read as filled ones");
    const done = await backfillCondensed(sql, { batch: 3 });
    assert.ok(done.filled >= withRaw.length, `filled ${done.filled}`);
    const [{ missing }] = await sql`select count(*)::int as missing
      from public.interview_result_questions
      where answer_assessment_raw_data is not null and answer_assessment_condensed is null`;
    assert.equal(missing, 0);
    assert.deepEqual(await condensedView(sql), written);
  } finally {
    await sql.end();
    await cluster.stop();
  }
});
