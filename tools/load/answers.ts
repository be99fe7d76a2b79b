/**
 * Exactly N answers, each under a request id of its own (the function keeps a caller's sane
 * X-Request-Id), so what the function did for each can be found afterwards by that id: issue
 * 26's access records (`private.interview_access_log`, one row per answer that disclosed a
 * result, matched by `request_id`).
 */
import postgres from "postgres";
import { probeFigures } from "./memory.ts";

export interface AnswerRun {
  /** Request ids by the status they were answered with. */
  byStatus: Map<number, string[]>;
  /** Request ids whose request failed without an answer (a socket error). */
  failed: string[];
}

/**
 * Sends `n` GETs, of `urls` in turn, with `headers`, `concurrency` at a time, the i-th under the
 * request id `${prefix}-${i}`, and reads each answer whole.
 */
export async function answerExactly(
  urls: string[],
  headers: Record<string, string>,
  n: number,
  concurrency: number,
  prefix: string,
): Promise<AnswerRun> {
  const byStatus = new Map<number, string[]>();
  const failed: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) {
      const i = next++;
      const id = `${prefix}-${i}`;
      try {
        const res = await fetch(urls[i % urls.length], {
          headers: { ...headers, "x-request-id": id },
        });
        await res.arrayBuffer();
        if (res.headers.get("x-request-id") !== id) {
          throw new Error(`answered under request id ${res.headers.get("x-request-id")}`);
        }
        byStatus.set(res.status, [...(byStatus.get(res.status) ?? []), id]);
      } catch {
        failed.push(id);
      }
    }
  }));
  return { byStatus, failed };
}

export interface RecordCount {
  /** Answers with no record. */
  missing: string[];
  /** Answers with more than one record (each id once). */
  duplicated: string[];
  /** Records of this run for requests that were not answered with a disclosure. */
  unexpected: string[];
}

/**
 * Compares the request ids that should each have exactly one record with those found (one
 * entry per record, so an id twice is two records). Only found ids starting with `prefix` count.
 */
export function compareRecords(expected: string[], found: string[], prefix: string): RecordCount {
  const want = new Set(expected);
  const seen = new Map<string, number>();
  for (const id of found) if (id.startsWith(prefix)) seen.set(id, (seen.get(id) ?? 0) + 1);
  return {
    missing: expected.filter((id) => !seen.has(id)),
    duplicated: [...seen].filter(([id, n]) => want.has(id) && n > 1).map(([id]) => id),
    unexpected: [...seen.keys()].filter((id) => !want.has(id)),
  };
}

export interface RecordsRun {
  /** Requested in turn. */
  urls: string[];
  headers: Record<string, string>;
  n: number;
  concurrency: number;
}

/**
 * Exactly `n` answers, each under its own request id; then, once the function's background
 * promises (EdgeRuntime.waitUntil, read off the stand-in's probe at `probe`) have settled, the
 * access records written for them: one per 200, none lost, none twice. Prints both; true when
 * every answer is a 200 and, where the table exists, its records match. Without the table
 * (before issue 26's migration) it says so and counts none.
 */
export async function records(
  env: Record<string, string>,
  probe: string,
  run: RecordsRun,
): Promise<boolean> {
  const prefix = `load-${Date.now().toString(36)}`;
  const answers = await answerExactly(run.urls, run.headers, run.n, run.concurrency, prefix);
  const answered = answers.byStatus.get(200) ?? [];
  const statuses = Object.fromEntries([...answers.byStatus].map(([s, ids]) => [s, ids.length]));
  console.log(
    `answers        ${run.n} sent: ${JSON.stringify(statuses)}, ${answers.failed.length} failed`,
  );
  while ((await probeFigures(probe)).background.pending > 0) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const allAnswered = answered.length === run.n;
  const sql = postgres(env.SUPABASE_DB_URL, { max: 1, onnotice: () => {} });
  try {
    const [{ there }] = await sql`
      select to_regclass('private.interview_access_log') is not null as there`;
    if (!there) {
      console.log("records        no private.interview_access_log yet (issue 26): none counted");
      return allAnswered;
    }
    const rows = await sql<{ request_id: string }[]>`
      select request_id from private.interview_access_log where request_id like ${prefix + "-%"}`;
    const count = compareRecords(answered, rows.map((r) => r.request_id), prefix);
    const ok = allAnswered && Object.values(count).every((ids) => ids.length === 0);
    console.log(
      `records        ${rows.length} for ${answered.length} answers: ${count.missing.length} ` +
        `missing, ${count.duplicated.length} duplicated, ${count.unexpected.length} unexpected   ${
          ok ? "OK" : "FAIL"
        }`,
    );
    return ok;
  } finally {
    await sql.end();
  }
}
