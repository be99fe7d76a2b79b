// The condensed copy's backfill (tools/backfill/condensed.ts) fills rows that lack it in small
// batches, each its own transaction, while transcripts are read and written: no read or write
// fails, every read answers as if the row were filled, and at the end every row is.
import assert from "node:assert/strict";
import postgres from "postgres";
import { prepareDatabase, ROOT } from "../../tools/local-stack/database.ts";
import { startCluster } from "../../tools/local-stack/postgres.ts";
import { backfillCondensed } from "../../tools/backfill/condensed.ts";

const DEF = "20000000-0000-4000-8000-000000000001";
const MERCHANT = "10000000-0000-4000-8000-000000000002";
const CANDIDATE = "00000000-0000-4000-8000-000000000102";
const REVIEWER = "00000000-0000-4000-8000-000000000021";
const RESULTS = 60;
const ANSWERS = 25;

Deno.test("the backfill fills every row while reads and writes go on, none failing", async () => {
  const cluster = await startCluster();
  const sql = postgres(cluster.url, { max: 6, onnotice: () => {} });
  try {
    await prepareDatabase(cluster.url);
    const ids = Array.from({ length: RESULTS }, () => crypto.randomUUID());
    // Rows as a database that reached this design without their copy holds them: written with
    // triggers off, so nothing is condensed.
    await sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`insert into public.interview_results (id, interview_def_id, merchant_id, candidate_id,
          coach_status, submitted_at)
        select id, ${DEF}, ${MERCHANT}, ${CANDIDATE}, 'completed', now() from unnest(${ids}::uuid[]) id`;
      await tx`insert into public.interview_result_questions (interview_result_id, position, is_answer,
          answer, answer_assessment_raw_data)
        select r, p, true, 'answer',
          json_build_object('model', 'm', 'p', p, 'assemblyai', (select json_agg(g) from generate_series(1, 200) g),
            'voice', json_build_array(json_build_object('Display', 'x', 'Words', json_build_array(
              json_build_object('Word', 'w', 'PronunciationAssessment', json_build_object('AccuracyScore', p))))))
        from unnest(${ids}::uuid[]) r, generate_series(1, ${ANSWERS}) p`;
    });
    const unfilled = async () =>
      (await sql`select count(*)::int as n from public.interview_result_questions
        where answer_assessment_condensed is null and answer_assessment_raw_data is not null`)[0].n;
    assert.equal(await unfilled(), RESULTS * ANSWERS, "every new row starts without its copy");

    const session = crypto.randomUUID();
    await sql`insert into auth.sessions (id, user_id, created_at) values (${session}, ${REVIEWER}, now())`;
    const failures: string[] = [];
    let reads = 0;
    let writes = 0;
    let running = true;
    const reader = async () => {
      while (running) {
        const id = ids[reads++ % ids.length];
        try {
          const [row] = await sql.begin("read only", async (tx) => {
            await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims',
              ${
              JSON.stringify({ sub: REVIEWER, role: "authenticated", session_id: session })
            }, true)`;
            return await tx`select public.interview_transcript(${id}, 'condensed')::text as doc`;
          });
          const items = JSON.parse(row.doc).transcript as {
            answer_assessment_raw_data: Record<string, unknown>;
          }[];
          if (items.length !== ANSWERS) failures.push(`read ${id}: ${items.length} items`);
          for (const item of items) {
            const raw = item.answer_assessment_raw_data;
            if (raw.model !== "m" || JSON.stringify(raw._omitted) !== '["assemblyai"]') {
              failures.push(`read ${id}: ${JSON.stringify(raw).slice(0, 80)}`);
            }
          }
        } catch (e) {
          failures.push(`read: ${(e as Error).message}`);
        }
      }
    };
    const writer = async () => {
      while (running) {
        const id = ids[(writes++ * 7) % ids.length];
        try {
          await sql`update public.interview_result_questions
            set answer_assessment_raw_data = json_build_object('model', 'm', 'assemblyai', '[1]'::json, 'w', ${writes}::int)
            where interview_result_id = ${id} and position = ${1 + (writes % ANSWERS)}`;
        } catch (e) {
          failures.push(`write: ${(e as Error).message}`);
        }
      }
    };
    const load = [reader(), reader(), writer()];
    const done = await backfillCondensed(sql, { batch: 100 });
    running = false;
    await Promise.all(load);

    assert.deepEqual(
      failures.slice(0, 5),
      [],
      `${failures.length} of ${reads + writes} calls failed`,
    );
    assert.ok(reads > 20 && writes > 20, `reads (${reads}) and writes (${writes}) ran all along`);
    assert.ok(done.batches > 10, "in many small batches");
    assert.equal(await unfilled(), 0, "every row has its copy");
    assert.equal(done.remaining, 0, "and the backfill says so");
    const [{ wrong }] =
      await sql`select count(*)::int as wrong from public.interview_result_questions
      where answer_assessment_condensed::text is distinct from
        private.condense_answer_assessment(answer_assessment_raw_data)::text`;
    assert.equal(wrong, 0, "and each copy is the raw data condensed");
  } finally {
    await sql.end();
    await cluster.stop();
  }
});

Deno.test("a row a writer holds is skipped and counted: the backfill says so and exits 1 until it is filled", async () => {
  const cluster = await startCluster();
  const sql = postgres(cluster.url, { max: 3, onnotice: () => {} });
  const run = async () => {
    const out = await new Deno.Command("npm", {
      args: ["run", "--silent", "backfill:condensed", "--", cluster.url],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, text: new TextDecoder().decode(out.stdout) };
  };
  try {
    await prepareDatabase(cluster.url);
    // Two answers of the seed without their copy, as rows written before the column existed.
    await sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`update public.interview_result_questions set answer_assessment_condensed = null
        where id in ('31000000-0000-4000-8000-000000000002', '31000000-0000-4000-8000-000000000004')`;
    });
    // A writer holds one of them while the backfill passes.
    const writer = await sql.reserve();
    try {
      await writer`begin`;
      await writer`select 1 from public.interview_result_questions
        where id = '31000000-0000-4000-8000-000000000004' for update`;
      const first = await run();
      assert.equal(first.code, 1, first.text);
      assert.match(first.text, /1 rows filled/);
      assert.match(first.text, /1 rows remain without their condensed copy/);
    } finally {
      await writer`rollback`;
      writer.release();
    }

    const second = await run();
    assert.equal(second.code, 0, second.text);
    assert.match(second.text, /1 rows filled/);
    assert.match(second.text, /0 rows remain/);
  } finally {
    await sql.end();
    await cluster.stop();
  }
});
