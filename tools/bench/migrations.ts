/**
 * `npm run bench:migrations`: what this project's migrations cost JobMojito's live database. A
 * throwaway cluster holding JobMojito's tables as production has them (the baseline, applied with
 * psql) and BENCH_ANSWERS answers (200,000 by default) of ~20 KB raw data; the baseline marked
 * applied (`supabase migration repair`); then each later migration file pushed alone (as `db push`
 * applies them) while readers read transcripts and writers update raw data without pause; then
 * the condensed copy, missing on every row written before, filled by the backfill
 * (tools/backfill/condensed.ts) under the same load. Prints, per step, the slowest read and write
 * seen during it against the slowest outside any step: what a step blocked them.
 */
import postgres from "postgres";
import { backfillCondensed } from "../backfill/condensed.ts";
import {
  BASELINE,
  markApplied,
  migrationFiles,
  prepareDatabase,
  pushMigrations,
  ROOT,
} from "../local-stack/database.ts";
import { startCluster } from "../local-stack/postgres.ts";
import { run } from "../local-stack/processes.ts";

const ANSWERS = Number(Deno.env.get("BENCH_ANSWERS") ?? 200_000);
const PER_RESULT = 40;
const DEF = "20000000-0000-4000-8000-000000000001";
const MERCHANT = "10000000-0000-4000-8000-000000000002";
const CANDIDATE = "00000000-0000-4000-8000-000000000102";

type Sample = { at: number; ms: number; ok: boolean };

async function main() {
  const cluster = await startCluster();
  const sql = postgres(cluster.url, { max: 8, onnotice: () => {} });
  try {
    const files = await migrationFiles();
    const upTo = files.indexOf(BASELINE);
    // The platform, then JobMojito's tables as production has them, with the seed's merchants.
    await prepareDatabase(cluster.url, { migrations: [], seed: false });
    await run("psql", [
      cluster.url,
      "-v",
      "ON_ERROR_STOP=1",
      "-q",
      "-f",
      `${ROOT}supabase/migrations/${BASELINE}`,
    ]);
    await sql`insert into auth.users (id, email) values (${CANDIDATE}, 'bench@bench.invalid')`;
    await sql`insert into public.merchants (id, name) values (${MERCHANT}, 'Bench')`;
    await sql`insert into public.interview_defs (id, merchant_id, title)
      values (${DEF}, ${MERCHANT}, 'Bench')`;
    const results = Math.ceil(ANSWERS / PER_RESULT);
    console.log(`loading ${results * PER_RESULT} answers of ~20 KB raw data ...`);
    const loadStarted = performance.now();
    await sql`create table public.bench_ids as
      select gen_random_uuid() as id, g from generate_series(1, ${results}) g`;
    await sql`insert into public.interview_results (id, interview_def_id, merchant_id, candidate_id,
        coach_status, submitted_at)
      select id, ${DEF}, ${MERCHANT}, ${CANDIDATE}, 'completed', now() from public.bench_ids`;
    // ~20 KB an answer, shaped like bench-m's (tools/bench/db/generate.sql), in two writers.
    const insertRange = (from: number, to: number) =>
      sql.unsafe(
        `insert into public.interview_result_questions (interview_result_id, position, is_answer,
          answer, answer_assessment_raw_data)
        select b.id, p, true, 'answer', json_build_object(
          'model', 'azure', 'language', 'en-US', 'proctor_status', 'ok', 'stt_reliability', 0.94,
          'reading_stats', json_build_object('reading_ratio', 0.08),
          'voice', json_build_array(json_build_object('Display', 'Bench answer.', 'Confidence', 0.93,
            'Words', (select json_agg(json_build_object('Word', substr(md5(b.g || ':' || p || ':' || w), 1, 7),
              'Offset', w * 4200000, 'Duration', 3800000 + w % 7, 'PronunciationAssessment',
              json_build_object('AccuracyScore', 60 + w % 40, 'ErrorType', 'None'))) from generate_series(1, 78) w))),
          'reading_detection_results', (select json_agg(json_build_object('frame', f, 't_ms', f * 250,
            'gaze', json_build_object('x', round(random()::numeric, 4), 'y', round(random()::numeric, 4)),
            'reading', f % 37 = 0)) from generate_series(1, 40) f),
          'assemblyai', json_build_object('words', (select json_agg(json_build_object(
            'text', substr(md5(p || ':' || w || ':' || b.g), 1, 6), 'start', w * 420, 'end', w * 420 + 380,
            'confidence', round(random()::numeric, 3))) from generate_series(1, 78) w)))
        from public.bench_ids b, generate_series(1, ${PER_RESULT}) p
        where b.g between $1 and $2`,
        [from, to],
      );
    const step = 250;
    let next = 1;
    await Promise.all(Array.from({ length: 2 }, async () => {
      while (next <= results) {
        const from = next;
        next += step;
        await insertRange(from, Math.min(results, from + step - 1));
      }
    }));
    const [{ n, bytes }] = await sql`select count(*)::int as n,
      pg_size_pretty(pg_total_relation_size('public.interview_result_questions')) as bytes
      from public.interview_result_questions`;
    console.log(
      `${n} answers, ${bytes}, in ${((performance.now() - loadStarted) / 1000).toFixed(0)} s`,
    );
    const ids = (await sql`select id from public.bench_ids`).map((r) => r.id as string);
    await sql`drop table public.bench_ids`;
    await markApplied(cluster.url, BASELINE);

    // The load: readers of a transcript as JobMojito's app reads it (the service role, the
    // tables), writers of raw data, without pause.
    const reads: Sample[] = [];
    const writes: Sample[] = [];
    let running = true;
    const reader = async () => {
      while (running) {
        const t = performance.now();
        const ok = await sql.begin("read only", async (tx) => {
          await tx`select set_config('role', 'service_role', true)`;
          await tx`select q.id, q.position, q.answer, q.ai_analysis, q.score
            from public.interview_result_questions q
            where q.interview_result_id = ${ids[Math.floor(Math.random() * ids.length)]}
            order by q.position`;
        }).then(() => true, () => false);
        reads.push({ at: t, ms: performance.now() - t, ok });
      }
    };
    const writer = async () => {
      while (running) {
        const t = performance.now();
        const ok = await sql`update public.interview_result_questions
          set answer_assessment_raw_data = '{"model": "w", "assemblyai": [1]}'
          where interview_result_id = ${
          ids[Math.floor(Math.random() * ids.length)]
        } and position = 1`
          .then(() => true, () => false);
        writes.push({ at: t, ms: performance.now() - t, ok });
      }
    };
    const load = [reader(), reader(), writer()];
    const window = async (ms: number) => {
      const from = performance.now();
      await new Promise((r) => setTimeout(r, ms));
      return [from, performance.now()] as const;
    };
    const worst = (xs: Sample[], [from, to]: readonly [number, number]) =>
      xs.filter((s) => s.at >= from && s.at <= to).reduce((m, s) => Math.max(m, s.ms), 0);
    const failed = (xs: Sample[], [from, to]: readonly [number, number]) =>
      xs.filter((s) => s.at >= from && s.at <= to && !s.ok).length;

    const rows: { step: string; ms: number; read: number; write: number; failed: number }[] = [];
    const baseline = await window(3000);
    rows.push({
      step: "no migration (3 s)",
      ms: 3000,
      read: worst(reads, baseline),
      write: worst(writes, baseline),
      failed: failed(reads, baseline) + failed(writes, baseline),
    });
    for (const file of files.slice(upTo + 1)) {
      const from = performance.now();
      await pushMigrations(cluster.url, files.slice(0, files.indexOf(file) + 1));
      const span = [from, performance.now()] as const;
      rows.push({
        step: file,
        ms: span[1] - span[0],
        read: worst(reads, span),
        write: worst(writes, span),
        failed: failed(reads, span) + failed(writes, span),
      });
    }

    // The backfill of every answer written before the column existed.
    const from = performance.now();
    const filled = await backfillCondensed(sql, { batch: 100 });
    const span = [from, performance.now()] as const;
    rows.push({
      step:
        `backfill: ${filled.filled} rows in ${filled.batches} batches, ${filled.remaining} left`,
      ms: span[1] - span[0],
      read: worst(reads, span),
      write: worst(writes, span),
      failed: failed(reads, span) + failed(writes, span),
    });
    running = false;
    await Promise.all(load);

    const rate = Math.round(filled.filled / (filled.ms / 1000));
    const results_ = {
      date: new Date().toISOString(),
      answers: n,
      table_size: bytes,
      steps: rows,
      backfill_rows_per_s: rate,
      reads: reads.length,
      writes: writes.length,
    };
    await Deno.mkdir(`${ROOT}bench`, { recursive: true });
    await Deno.writeTextFile(
      `${ROOT}bench/migrations.json`,
      JSON.stringify(results_, null, 2) + "\n",
    );
    console.log(
      `\n${n} answers (${bytes}); ${reads.length} reads and ${writes.length} writes meanwhile\n`,
    );
    console.log("| step | took ms | slowest read ms | slowest write ms | failed calls |");
    console.log("| --- | --- | --- | --- | --- |");
    for (const r of rows) {
      console.log(
        `| ${r.step} | ${r.ms.toFixed(0)} | ${r.read.toFixed(1)} | ${
          r.write.toFixed(1)
        } | ${r.failed} |`,
      );
    }
    const blocked = Math.max(...rows.slice(1, -1).map((r) => Math.max(r.read, r.write)));
    console.log(`\nBackfill: ${rate} rows/s.`);
    console.log(
      `Target: no migration statement blocks reads or writes 1 s or more: ${
        blocked < 1000 ? "MET" : "NOT MET"
      } (slowest read or write during a migration: ${blocked.toFixed(1)} ms; outside: ${
        Math.max(rows[0].read, rows[0].write).toFixed(1)
      } ms).`,
    );
  } finally {
    await sql.end();
    await cluster.stop();
  }
}

if (import.meta.main) await main();
