/**
 * Fills answer_assessment_condensed where it is missing, in small batches, each its own
 * transaction (private.backfill_answer_assessment_condensed), never inside a migration: readers
 * and writers go on meanwhile, and each batch holds its rows' locks for milliseconds. Rows not yet
 * filled read right all along (the RPC condenses them when read). Safe to stop and run again.
 *
 *   npm run backfill:condensed -- "<postgres url>" [--batch=100] [--pause-ms=0]
 *
 * Prints its progress and, at the end, rows filled and the rate.
 */
import postgres from "postgres";

export interface BackfillResult {
  filled: number;
  batches: number;
  ms: number;
}

/** Runs batches until the table is passed; `onBatch` sees the running totals. */
export async function backfillCondensed(
  sql: postgres.Sql,
  options: { batch?: number; pauseMs?: number; onBatch?: (r: BackfillResult) => void } = {},
): Promise<BackfillResult> {
  const started = performance.now();
  const result: BackfillResult = { filled: 0, batches: 0, ms: 0 };
  let after: string | null = null;
  while (true) {
    const [row]: { filled: number; last_id: string | null }[] = await sql`
      select filled, last_id from private.backfill_answer_assessment_condensed(
        ${after}::uuid, ${options.batch ?? 100})`;
    result.batches++;
    result.filled += row.filled;
    result.ms = performance.now() - started;
    options.onBatch?.(result);
    if (row.last_id === null) return result;
    after = row.last_id;
    if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
  }
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
    console.log(
      `Done: ${done.filled} rows filled in ${done.batches} batches, ${
        (done.ms / 1000).toFixed(1)
      } s (${Math.round(done.filled / (done.ms / 1000))} rows/s).`,
    );
  } finally {
    await sql.end();
  }
}
