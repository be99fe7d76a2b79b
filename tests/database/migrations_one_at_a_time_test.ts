// Every migration file leaves everything deployed working on its own: `db push` commits file by
// file, so between two files (or after one that failed) the database is what the files so far
// made it. On JobMojito's path (the baseline holding data, marked applied), each later file is
// pushed alone while JobMojito's writers insert and update answers and its readers read them,
// and, from the file that creates it, callers read through the RPC: no call may fail, and after
// each file what it deployed works.
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
import { backfillCondensed } from "../../tools/backfill/condensed.ts";
import { assertDocuments, connect, FIXTURES, psqlFile, RESULT, rpcAs, USERS } from "./support.ts";

const DEF = "d1000000-0000-4000-8000-000000000001";
const MERCHANT = "c1000000-0000-4000-8000-000000000002";

Deno.test("each migration after the baseline, pushed alone under reads and writes, keeps everything working", async () => {
  const cluster = await startCluster();
  const sql = connect(cluster.url, 6);
  try {
    await prepareDatabase(cluster.url, { migrations: [], seed: false });
    await psqlFile(cluster.url, `${ROOT}supabase/migrations/${BASELINE}`);
    await psqlFile(cluster.url, `${FIXTURES}/jobmojito_data.sql`);
    // Where the check after each file writes its answer, apart from the readers' result.
    const probe = crypto.randomUUID();
    await sql`insert into public.interview_results (id, interview_def_id, merchant_id,
        candidate_id, coach_status)
      values (${probe}, ${DEF}, ${MERCHANT}, ${USERS.candidate}, 'started')`;
    await markApplied(cluster.url, BASELINE);
    const files = await migrationFiles();
    const later = files.slice(files.indexOf(BASELINE) + 1);
    assert.ok(later.length >= 3, "the project's files follow the baseline");

    const failures: string[] = [];
    const calls = { reads: 0, writes: 0 };
    let rpcDeployed = false;
    let running = true;
    // JobMojito's writers: a new result with answers, then its raw data rewritten.
    const writer = async () => {
      while (running) {
        const id = crypto.randomUUID();
        try {
          await sql`insert into public.interview_results (id, interview_def_id, merchant_id,
              candidate_id, coach_status, submitted_at)
            values (${id}, ${DEF}, ${MERCHANT}, ${USERS.candidate}, 'completed', now())`;
          await sql`insert into public.interview_result_questions (interview_result_id, position,
              is_answer, answer, answer_assessment_raw_data)
            select ${id}, p, true, 'answer', json_build_object('model', 'm', 'assemblyai', '[1]'::json)
            from generate_series(1, 3) p`;
          await sql`update public.interview_result_questions
            set answer_assessment_raw_data = '{"model": "w", "elevenlabs": [2]}'
            where interview_result_id = ${id} and position = 2`;
          calls.writes += 3;
        } catch (e) {
          failures.push(`write: ${(e as Error).message}`);
        }
      }
    };
    // JobMojito's readers, as its service role reads the tables; and, once it exists, the RPC.
    const reader = async () => {
      while (running) {
        try {
          const rows = await sql`select r.id, q.answer_assessment_raw_data
            from public.interview_results r join public.interview_result_questions q
              on q.interview_result_id = r.id
            where r.id = ${RESULT}`;
          if (rows.length !== 3) failures.push(`read: ${rows.length} items`);
          calls.reads++;
          if (rpcDeployed) {
            const doc = await rpcAs(sql, USERS.candidate, RESULT, "condensed");
            if (doc?.ai_analysis_recruiter !== null || doc.transcript.length !== 3) {
              failures.push("the RPC: the candidate's document");
            }
          }
        } catch (e) {
          failures.push(`read: ${(e as Error).message}`);
        }
      }
    };
    const load = [writer(), reader(), reader()];

    try {
      for (const file of later) {
        await pushMigrations(cluster.url, files.slice(0, files.indexOf(file) + 1));
        // What the file deployed works, beside what came before it.
        const [{ rpc }] = await sql`select to_regprocedure(
          'public.interview_transcript(uuid, text)') is not null as rpc`;
        rpcDeployed = rpc;
        const [{ condensing }] = await sql`select to_regprocedure(
          'private.condense_answer_assessment(json)') is not null as condensing`;
        if (condensing) {
          const [{ copy }] = await sql`insert into public.interview_result_questions
              (interview_result_id, position, is_answer, answer_assessment_raw_data)
            values (${probe}, ${later.indexOf(file)}, true, '{"model": "m", "assemblyai": [1]}')
            returning answer_assessment_condensed::text as copy`;
          assert.equal(
            copy,
            '{ "model" : "m", "_omitted" : ["assemblyai"] }',
            `after ${file}: a write is condensed`,
          );
        }
      }
      assert.ok(rpcDeployed, "the last file deploys the RPC");
      await assertDocuments(sql, "after every file, before the backfill");
    } finally {
      running = false;
      await Promise.all(load);
    }
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} calls failed`);
    assert.ok(
      calls.writes > 30 && calls.reads > 30,
      `writes ${calls.writes}, reads ${calls.reads}`,
    );

    const done = await backfillCondensed(sql, { batch: 2 });
    assert.equal(done.remaining, 0, "the backfill fills every row written before");
    await assertDocuments(sql, "after the backfill");
    const [{ count }] = await sql`select count(*)::int from supabase_migrations.schema_migrations`;
    assert.equal(count, files.length, "every file recorded as applied");
  } finally {
    await sql.end();
    await cluster.stop();
  }
});
