// Every migration file leaves every deployed object working on its own: `db push` commits file by
// file, so between two files (or after one that failed) the database is what the files so far
// made it. From the last migration applied before this round, each later file is pushed alone,
// with callers reading through the RPC all the while and after each: no call may fail.
import assert from "node:assert/strict";
import postgres from "postgres";
import {
  migrationFiles,
  prepareDatabase,
  pushMigrations,
} from "../../tools/local-stack/database.ts";
import { startCluster } from "../../tools/local-stack/postgres.ts";

/** The last migration of the previous round: what a deployed database has applied. */
const APPLIED = "20261129100200_interview_transcript_decides_access.sql";
const SUBMITTED = "93c98d21-e04d-4a84-9afa-ed154cf73636";
const REVIEWER = "00000000-0000-4000-8000-000000000021";
const CANDIDATE = "00000000-0000-4000-8000-000000000101";
const OUTSIDER = "00000000-0000-4000-8000-000000000041";

/** The RPC as PostgREST calls it: the caller's role and claims, in a read-only transaction. */
async function rpcAs(sql: postgres.Sql, sub: string, session: string, view = "full") {
  return await sql.begin("read only", async (tx) => {
    await tx`select set_config('role', 'authenticated', true),
      set_config('request.jwt.claims', ${
      JSON.stringify({ sub, role: "authenticated", session_id: session })
    }, true)`;
    const [row] = await tx`select public.interview_transcript(${SUBMITTED}, ${view})::text as doc`;
    return row.doc === null ? null : JSON.parse(row.doc);
  }) as Record<string, unknown> | null;
}

Deno.test("each migration since the last applied one, pushed alone, keeps the RPC answering", async () => {
  const cluster = await startCluster();
  const sql = postgres(cluster.url, { max: 4, onnotice: () => {} });
  try {
    const files = await migrationFiles();
    const upTo = files.indexOf(APPLIED);
    assert.ok(upTo >= 0, `${APPLIED} is among the migrations`);
    const later = files.slice(upTo + 1);
    assert.ok(later.length > 0, "there are migrations after it");
    await prepareDatabase(cluster.url, { migrations: files.slice(0, upTo + 1) });
    // Sessions as Auth records sign-ins, for the tokens below.
    const sessions: Record<string, string> = {};
    for (const user of [REVIEWER, CANDIDATE, OUTSIDER]) {
      sessions[user] = crypto.randomUUID();
      await sql`insert into auth.sessions (id, user_id, created_at, updated_at)
        values (${sessions[user]}, ${user}, now(), now())`;
    }

    const failures: string[] = [];
    let calls = 0;
    const check = async (when: string) => {
      for (const view of ["full", "condensed", "standard", "summary"]) {
        const reviewer = await rpcAs(sql, REVIEWER, sessions[REVIEWER], view);
        const candidate = await rpcAs(sql, CANDIDATE, sessions[CANDIDATE], view);
        const outsider = await rpcAs(sql, OUTSIDER, sessions[OUTSIDER], view);
        calls += 3;
        if (!reviewer || (reviewer.transcript as unknown[]).length !== 10) {
          failures.push(`${when} ${view}: the reviewer's document`);
        }
        if (!candidate || candidate.ai_analysis_recruiter !== null) {
          failures.push(`${when} ${view}: the candidate's document`);
        }
        if (outsider !== null) failures.push(`${when} ${view}: the outsider saw the result`);
      }
    };
    // Callers all the while, between and during the pushes.
    let pushing = true;
    const background = (async () => {
      while (pushing) {
        await check("during a push").catch((e) => failures.push(`during a push: ${e.message}`));
      }
    })();
    try {
      await check(`after ${APPLIED}`);
      for (const file of later) {
        await pushMigrations(cluster.url, files.slice(0, files.indexOf(file) + 1));
        await check(`after ${file}`);
      }
    } finally {
      pushing = false;
      await background;
    }
    assert.deepEqual(failures, [], `${failures.length} of ${calls} calls failed`);
    const [{ count }] = await sql`select count(*)::int from supabase_migrations.schema_migrations`;
    assert.equal(count, files.length, "every migration is recorded as applied");
  } finally {
    await sql.end();
    await cluster.stop();
  }
});
