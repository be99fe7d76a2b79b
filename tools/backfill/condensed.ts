/**
 * Fills answer_assessment_condensed where it is missing, in small batches, each its own
 * transaction (private.backfill_answer_assessment_condensed), never inside a migration: readers
 * and writers go on meanwhile, and each batch holds its rows' locks for milliseconds. Rows not yet
 * filled read right all along (the RPC condenses them when read). Safe to stop and run again.
 *
 *   npm run backfill:condensed -- "<postgres url>" [--batch=100] [--pause-ms=0]
 *
 * Prints its progress and, at the end, the rows filled, the rate, and how many rows are still
 * without their copy (a row a writer held while the backfill passed is skipped, not waited for);
 * exits 1 while any is, so that a script runs it again.
 */
import postgres from "postgres";

export interface BackfillResult {
  filled: number;
  batches: number;
  ms: number;
  /** Rows with raw data and no condensed copy once the pass is over. */
  remaining: number;
}

/** Rows with raw data and no condensed copy: one pass over the table's heap, no TOAST read. */
export async function remainingUnfilled(sql: postgres.Sql): Promise<number> {
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n
    from public.interview_result_questions
    where answer_assessment_condensed is null and answer_assessment_raw_data is not null`;
  return n;
}

/** Runs batches until the table is passed, then counts what is left; `onBatch` sees the totals. */
export async function backfillCondensed(
  sql: postgres.Sql,
  options: { batch?: number; pauseMs?: number; onBatch?: (r: BackfillResult) => void } = {},
): Promise<BackfillResult> {
  const started = performance.now();
  const result: BackfillResult = { filled: 0, batches: 0, ms: 0, remaining: 0 };
  let after: string | null = null;
  while (true) {
    const [row]: { filled: number; last_id: string | null }[] = await sql`
      select filled, last_id from private.backfill_answer_assessment_condensed(
        ${after}::uuid, ${options.batch ?? 100})`;
    result.batches++;
    result.filled += row.filled;
    result.ms = performance.now() - started;
    options.onBatch?.(result);
    if (row.last_id === null) break;
    after = row.last_id;
    if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
  }
  result.remaining = await remainingUnfilled(sql);
  return result;
}

/** The closing lines: what was done, and what is left. */
export function summary(done: BackfillResult): string {
  const seconds = done.ms / 1000;
  const rate = seconds > 0 ? Math.round(done.filled / seconds) : done.filled;
  const filled = `${done.filled} rows filled in ${done.batches} batches, ${
    seconds.toFixed(1)
  } s (${rate} rows/s).`;
  return done.remaining === 0
    ? `${filled}\nEvery row has its condensed copy: 0 rows remain.`
    : `${filled}\n${done.remaining} rows remain without their condensed copy (a writer held them ` +
      `while the backfill passed): run it again.`;
}

if (import.meta.main) {
  const url = Deno.args.find((a) => !a.startsWith("--"));
  const flag = (name: string) =>
    Number(Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? NaN);
  if (!url) {
    console.error(
      'Usage: npm run backfill:condensed -- "<postgres url>" [--batch=100] [--pause-ms=0]',
    );
    Deno.exit(2);
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const done = await backfillCondensed(sql, {
      batch: Number.isFinite(flag("batch")) ? flag("batch") : 100,
      pauseMs: Number.isFinite(flag("pause-ms")) ? flag("pause-ms") : 0,
      onBatch: (r) => {
        if (r.batches % 20 === 0) console.log(`${r.filled} rows filled in ${r.batches} batches`);
      },
    });
    console.log(summary(done));
    Deno.exitCode = done.remaining === 0 ? 0 : 1;
  } finally {
    await sql.end();
  }
}
