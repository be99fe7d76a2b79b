/**
 * Exactly N answers, each under a request id of its own (the function keeps a caller's sane
 * X-Request-Id), so what the function did for each can be found afterwards by that id: issue
 * 26's access records (`private.interview_access_log`, one row per answer that disclosed a
 * result, matched by `request_id`), or, when the primary refuses to write them, the records the
 * function logged instead (`access_record_unwritten` lines, replayable).
 */
import postgres from "postgres";
import { probeFigures } from "./memory.ts";

/** What one request was answered with. */
export interface Answer {
  id: string;
  /** Whether it asked for signed recording links. */
  signed: boolean;
  /** Its status; null when it failed without an answer (a socket error). */
  status: number | null;
  /** Signed recording links in its body. */
  links: number;
  /** Recording paths in its body: with signing, the recordings whose links were asked for. */
  paths: number;
}

/** A signed recording link as Storage makes them: `.../object/sign/<bucket>/<path>?token=...`. */
const SIGNED_LINK = /\/object\/sign\/[^"\s]*[?&]token=/g;

/** A recording's path in Storage, as the document gives it (null when there is none). */
const RECORDING_PATH = /"(?:recording|video_introduction)_local_path"\s*:\s*"/g;

/** How many signed recording links a body hands out, and how many recording paths it has. */
export function linksIn(body: string): { links: number; paths: number } {
  return {
    links: body.match(SIGNED_LINK)?.length ?? 0,
    paths: body.match(RECORDING_PATH)?.length ?? 0,
  };
}

/** One URL asked in turn: `signed` when it asks for signed recordings. */
export interface Ask {
  url: string;
  signed: boolean;
}

/**
 * Sends `n` GETs, of `asks` in turn, with `headers`, `concurrency` at a time, the i-th under the
 * request id `${prefix}-${i}`, and reads each answer whole.
 */
export async function answerExactly(
  asks: Ask[],
  headers: Record<string, string>,
  n: number,
  concurrency: number,
  prefix: string,
): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) {
      const i = next++;
      const { url, signed } = asks[i % asks.length];
      const id = `${prefix}-${i}`;
      try {
        const res = await fetch(url, { headers: { ...headers, "x-request-id": id } });
        const body = await res.text();
        if (res.headers.get("x-request-id") !== id) {
          throw new Error(`answered under request id ${res.headers.get("x-request-id")}`);
        }
        answers.push({ id, signed, status: res.status, ...linksIn(body) });
      } catch {
        answers.push({ id, signed, status: null, links: 0, paths: 0 });
      }
    }
  }));
  return answers;
}

/** `{"200": 100, "500": 100, "failed": 0}`, of `answers`. */
function statuses(answers: Answer[]): string {
  const by: Record<string, number> = {};
  for (const a of answers) by[a.status ?? "failed"] = (by[a.status ?? "failed"] ?? 0) + 1;
  return JSON.stringify(by);
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

const counted = (c: RecordCount) =>
  `${c.missing.length} missing, ${c.duplicated.length} duplicated, ${c.unexpected.length} unexpected`;
const none = (c: RecordCount) => Object.values(c).every((ids) => ids.length === 0);
const verdict = (ok: boolean) => ok ? "OK" : "FAIL";

/** A record the function logged because it could not write it (docs/access-log.md). */
export interface LoggedRecord {
  request_id: string;
  interview_result_id: string;
  view: string;
  recordings_signed: number;
  reader: { sub: string | null; session_id: string | null; role: string };
  at: string;
}

export interface UnwrittenLog {
  /** Every record in an `access_record_unwritten` line, in the order logged. */
  records: LoggedRecord[];
  /** Lines that carried them. */
  lines: number;
  /** Records the log had no room for, as its summary lines count them (`records_not_logged`). */
  notLogged: number;
  /** Lines of requests answered with a 5xx, which share the log's budget with the records. */
  fiveXXLines: number;
}

/** The function's log lines read for the access records it could not write. */
export function unwrittenRecords(lines: string[]): UnwrittenLog {
  const log: UnwrittenLog = { records: [], lines: 0, notLogged: 0, fiveXXLines: 0 };
  for (const line of lines) {
    if (!line.startsWith("{")) continue;
    const entry = JSON.parse(line);
    if (entry.event === "access_record_unwritten") {
      log.lines++;
      log.records.push(...(entry.records ?? [entry.record]));
    } else if (entry.msg === "summary") log.notLogged += entry.records_not_logged ?? 0;
    else if (entry.msg === "request" && entry.status >= 500) log.fiveXXLines++;
  }
  return log;
}

export interface RecordsRun {
  /** Requested in turn. */
  asks: Ask[];
  headers: Record<string, string>;
  n: number;
  concurrency: number;
}

/** Once the function's background promises (read off the stand-in's probe) have settled. */
async function settled(probe: string): Promise<void> {
  while ((await probeFigures(probe)).background.pending > 0) {
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** This run's records in the table: request id and links, one entry per record. */
function recordsOf(sql: postgres.Sql, prefix: string) {
  return sql<{ request_id: string; recordings_signed: number }[]>`
    select request_id, recordings_signed from private.interview_access_log
    where request_id like ${prefix + "-%"}`;
}

/**
 * Exactly `n` answers, each under its own request id; then, once the function's background
 * promises (EdgeRuntime.waitUntil, read off the stand-in's probe at `probe`) have settled, the
 * access records written for them: one per 200, none lost, none twice, each with as many links
 * as its answer handed out. Prints each count; true when every answer is a 200 and its record
 * matches.
 */
export async function records(
  env: Record<string, string>,
  probe: string,
  run: RecordsRun,
): Promise<boolean> {
  const prefix = `load-${Date.now().toString(36)}`;
  const answers = await answerExactly(run.asks, run.headers, run.n, run.concurrency, prefix);
  const answered = answers.filter((a) => a.status === 200);
  const signed = answered.filter((a) => a.signed);
  console.log(
    `answers        ${run.n} sent: ${statuses(answers)}; ${signed.length} signed, handing out ` +
      `${signed.reduce((n, a) => n + a.links, 0)} links; ${
        answered.length - signed.length
      } unsigned`,
  );
  await settled(probe);
  const sql = postgres(env.SUPABASE_DB_URL, { max: 1, onnotice: () => {} });
  try {
    const rows = await recordsOf(sql, prefix);
    const count = compareRecords(answered.map((a) => a.id), rows.map((r) => r.request_id), prefix);
    // A record counts the links asked of Storage with its answer (its recording paths when
    // signed, else none); a recording with no object in Storage gets no link, never more.
    const asked = new Map(answered.map((a) => [a.id, a.signed ? a.paths : 0]));
    const wrongLinks = rows.filter((r) => asked.has(r.request_id))
      .filter((r) => r.recordings_signed !== asked.get(r.request_id)).length;
    const links = (xs: number[]) => xs.reduce((n, x) => n + x, 0);
    const ok = answered.length === run.n && none(count) && wrongLinks === 0;
    console.log(
      `records        ${rows.length} for ${answered.length} answers: ${counted(count)}; ` +
        `${wrongLinks} whose links aren't those asked with its answer (${
          links(rows.map((r) => r.recordings_signed))
        } counted, ${links(answered.map((a) => a.links))} handed out)   ${verdict(ok)}`,
    );
    return ok;
  } finally {
    await sql.end();
  }
}

/**
 * The fault: the primary refuses every insert into the access log, as a read-only primary
 * refuses a write (25006), by a trigger on the log. Returns what takes it away.
 */
export async function refuseRecordWrites(dbUrl: string): Promise<() => Promise<void>> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  const undo = async () => {
    await sql.unsafe(`drop trigger if exists load_refuse_access_record
      on private.interview_access_log; drop function if exists private.load_refuse_access_record()`);
    await sql.end();
  };
  try {
    await sql.unsafe(`
      create or replace function private.load_refuse_access_record() returns trigger
      language plpgsql as $$ begin
        raise exception 'cannot execute INSERT in a read-only transaction' using errcode = '25006';
      end $$;
      create trigger load_refuse_access_record before insert on private.interview_access_log
        for each row execute function private.load_refuse_access_record();`);
  } catch (error) {
    await sql.end();
    throw error;
  }
  return undo;
}

/**
 * With the primary refusing the records' writes (refuseRecordWrites): exactly `n` answers; the
 * unsigned ones still answer 200, and each of their records reaches the function's log whole,
 * once (read from `logLines`, the function's output); the signed ones hand out no link; nothing
 * is written. Prints each count; true when all of that holds.
 */
export async function refusedRecords(
  env: Record<string, string>,
  probe: string,
  logLines: () => string[],
  run: RecordsRun,
): Promise<boolean> {
  const prefix = `load-${Date.now().toString(36)}`;
  const answers = await answerExactly(run.asks, run.headers, run.n, run.concurrency, prefix);
  const unsigned = answers.filter((a) => !a.signed);
  const signed = answers.filter((a) => a.signed);
  const documents = unsigned.filter((a) => a.status === 200);
  const links = signed.reduce((n, a) => n + a.links, 0);
  console.log(`primary        refuses every insert into private.interview_access_log (25006)
answers        ${run.n} sent: ${unsigned.length} unsigned ${
    statuses(unsigned)
  }, ${signed.length} signed ${statuses(signed)}
documents      ${documents.length} of ${unsigned.length} unsigned reads answered 200   ${
    verdict(documents.length === unsigned.length)
  }
links          ${links} handed out by the ${signed.length} signed reads   ${verdict(links === 0)}`);
  await settled(probe);
  // The log lines are read from the process's output as it comes: let the last ones arrive.
  const give = Date.now() + 5_000;
  let log = unwrittenRecords(logLines());
  while (log.records.length + log.notLogged < documents.length && Date.now() < give) {
    await new Promise((r) => setTimeout(r, 100));
    log = unwrittenRecords(logLines());
  }
  const count = compareRecords(
    documents.map((a) => a.id),
    log.records.map((r) => r.request_id),
    prefix,
  );
  const whole =
    log.records.filter((r) =>
      r.request_id.startsWith(prefix) && r.reader?.role && r.at && r.interview_result_id && r.view
    ).length;
  const logged = none(count) && log.notLogged === 0 && whole === documents.length;
  console.log(
    `log            ${log.records.length} records logged for ${documents.length} documents, in ${log.lines} lines: ` +
      `${counted(count)}; ${whole} whole (reader, time, result, view); ${log.notLogged} ` +
      `counted as not logged   ${verdict(logged)}`,
  );
  console.log(
    `               (the log's budget also took ${log.fiveXXLines} lines of 5xx answers)`,
  );
  const sql = postgres(env.SUPABASE_DB_URL, { max: 1, onnotice: () => {} });
  try {
    const written = (await recordsOf(sql, prefix)).length;
    console.log(`records        ${written} written   ${verdict(written === 0)}`);
    return documents.length === unsigned.length && links === 0 && logged && written === 0;
  } finally {
    await sql.end();
  }
}
