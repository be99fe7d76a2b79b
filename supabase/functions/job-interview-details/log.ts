/**
 * Logs within the platform's budget: hosted functions keep 100 log events per 10 s and drop the
 * rest, errors included. So every 5xx, every unexpected error and every access record that
 * couldn't be written is written in full first; the other requests (successes, expected 4xx) are
 * sampled, one in `sampleEvery` in full, and counted into one summary line per window. Callers
 * pass only safe fields: never a token, key or signed URL.
 */
import { z } from "zod";

/**
 * The request's log line: these fields and no others. The caller is named only as PostgREST
 * verified them: `sub` and `role` are written once it accepted the credential (it answered the
 * RPC with a document or null); before that, or when it refused, `verified` is false and the
 * line names no one, since the claims of a token nothing has verified are anyone's to write.
 */
export const RequestLogSchema = z.strictObject({
  request_id: z.string(),
  method: z.string().meta({ description: "GET, POST, ... or (other)" }),
  path: z.string().meta({ description: "The route, never the path a client sent, or (other)" }),
  status: z.number().int(),
  code: z.string().optional().meta({ description: "The error's code (errors.ts)" }),
  verified: z.boolean().optional().meta({
    description: "Whether PostgREST accepted the credential; absent when none passed the pre-check",
  }),
  sub: z.string().nullable().optional().meta({ description: "The verified user id" }),
  role: z.enum(["authenticated", "service_role"]).optional().meta({
    description: "The verified role",
  }),
  view: z.string().optional(),
  signed: z.boolean().optional(),
  recordings: z.number().int().optional().meta({ description: "Paths asked to be signed" }),
  upstream_failure: z.string().optional().meta({ description: "The failing step, and why" }),
  error: z.string().optional().meta({ description: "An unexpected error's name" }),
  message: z.string().optional().meta({ description: "Its message (never a request's value)" }),
  rpc_ms: z.number().optional(),
  sign_ms: z.number().optional(),
  record_ms: z.number().optional().meta({
    description: "The access record's write (signed reads)",
  }),
  record_id: z.guid().optional().meta({ description: "The access record written for the links" }),
  links_withheld: z.literal(true).optional().meta({
    description: "The record was written, its links were not handed out (signing failed)",
  }),
  total_ms: z.number(),
  bytes: z.number().int().meta({ description: "The answer's body, before compression" }),
  gzip: z.boolean(),
});
export type RequestLog = z.infer<typeof RequestLogSchema>;

/** Where the function's lines go. */
export interface Logger {
  /** A request's one line, written once its answer leaves (a 5xx or error in full, or sampled). */
  request(entry: RequestLog): void;
  /**
   * A line of access records that couldn't be written (background.ts), as JSON: an error line,
   * written budget permitting, else its records are counted in a summary line. Resolves once they
   * are in a written line: their own, or the summary counting them.
   */
  unwritten(line: string, records: number): Promise<void>;
}

export interface LogBudget {
  /** Lines written at most in any window of `windowMs`. */
  maxLines: number;
  windowMs: number;
  /** One request in this many is written in full when it is neither a 5xx nor an error. */
  sampleEvery: number;
}

export const PLATFORM_LOG_BUDGET: LogBudget = { maxLines: 80, windowMs: 10_000, sampleEvery: 100 };

/** What a key or token looks like: the new API keys, a JWT (Auth's, Storage's URL tokens). */
const SECRET =
  /\bsb_(?:secret|publishable)_[\w-]*|\beyJ[\w-]*\.[\w-]*\.[\w-]*|([?&]token=)[^&\s"]*/g;

/**
 * A log field with anything shaped like a key or token replaced. The fields are the function's
 * own, but some carry what a client sent (its request id, an error's message): no line may carry
 * a credential, wherever the client put it.
 */
export function redacted(value: string): string {
  return value.replace(SECRET, (_m, query) => query ? `${query}(redacted)` : "(redacted)");
}

/** The entry with every string field redacted(). */
export function scrubbed(entry: RequestLog): RequestLog {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry)) out[k] = typeof v === "string" ? redacted(v) : v;
  return out as unknown as RequestLog;
}

/** A 5xx or an unexpected error: always written, budget permitting. */
export function isSerious(entry: RequestLog): boolean {
  return entry.status >= 500 || entry.error !== undefined;
}

interface Tally {
  since: number;
  requests: number;
  byStatus: Record<string, number>;
  durations: number[];
  sampledOut: number;
  suppressedErrors: number;
  /** Access records that could not be written, nor logged for want of room. */
  recordsNotLogged: number;
}

const MAX_DURATIONS = 5000;

const freshTally = (since: number): Tally => ({
  since,
  requests: 0,
  byStatus: {},
  durations: [],
  sampledOut: 0,
  suppressedErrors: 0,
  recordsNotLogged: 0,
});

/** The lines written in the last window (sliding, exact): how many more fit, and when. */
function slidingWindow(budget: LogBudget, write: (line: string) => void) {
  const written: number[] = [];
  const room = (t: number) => {
    while (written.length > 0 && written[0] <= t - budget.windowMs) written.shift();
    return budget.maxLines - written.length;
  };
  return {
    room,
    emit(t: number, line: string) {
      written.push(t);
      write(line);
    },
    /** Milliseconds from `t` until the window begun at `since` is over and a line fits. */
    wait(t: number, since: number): number {
      const full = room(t) <= 0 ? written[0] + budget.windowMs - t : 0;
      return Math.max(since + budget.windowMs - t, full);
    },
  };
}

/**
 * A logger that never writes more than `budget.maxLines` in any window (sliding, exact). Half
 * the budget is held back for serious lines (a 5xx, an error, access records that couldn't be
 * written), so a flood of successes can't crowd out what matters; of that half, a quarter of
 * the budget is left to access records alone: they are evidence, to be replayed, where a 5xx
 * line is a diagnosis its summary still counts (a primary refusing writes fails the signed reads
 * and leaves the unsigned reads' records to log, at once). Lines beyond their share are counted
 * in the next summary. Records and errors counted so get a summary of their own as soon as one
 * fits, should no request come to carry it (`sleep` waits for it).
 */
export function budgetedLogger(
  budget: LogBudget,
  write: (line: string) => void = (line) => console.log(line),
  now: () => number = Date.now,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Logger {
  const window = slidingWindow(budget, write);
  /** Room a sampled line leaves; room a serious request line leaves (for records alone). */
  const reserved = Math.floor(budget.maxLines / 2);
  const forRecords = Math.floor(budget.maxLines / 4);
  let seen = 0;
  let tally = freshTally(now());
  let summaryDue: Promise<void> | undefined;

  /** The window's summary, once the window is over, something happened in it and it fits. */
  const summarise = (t: number) => {
    const due = t - tally.since >= budget.windowMs;
    if (!due || tally.requests + tally.recordsNotLogged === 0 || window.room(t) <= 0) return;
    window.emit(t, JSON.stringify(summary(tally, t)));
    tally = freshTally(t);
  };
  const summaryLater = () =>
    summaryDue ??= (async () => {
      while (tally.recordsNotLogged + tally.suppressedErrors > 0) {
        await sleep(Math.max(1, window.wait(now(), tally.since)));
        summarise(now());
      }
      summaryDue = undefined;
    })();

  return {
    request(entry) {
      const t = now();
      summarise(t);
      tally.requests++;
      tally.byStatus[entry.status] = (tally.byStatus[entry.status] ?? 0) + 1;
      if (tally.durations.length < MAX_DURATIONS) tally.durations.push(entry.total_ms);
      const serious = isSerious(entry);
      const sampled = seen++ % budget.sampleEvery === 0;
      if (serious ? window.room(t) > forRecords : sampled && window.room(t) > reserved) {
        const level = serious ? "error" : "info";
        window.emit(t, JSON.stringify({ level, msg: "request", ...entry }));
      } else if (serious) {
        tally.suppressedErrors++;
        void summaryLater();
      } else tally.sampledOut++;
    },
    unwritten(line, records) {
      const t = now();
      summarise(t);
      if (window.room(t) > 0) {
        window.emit(t, redacted(line));
        return Promise.resolve();
      }
      tally.recordsNotLogged += records;
      return summaryLater();
    },
  };
}

function summary(tally: Tally, t: number): Record<string, unknown> {
  const sorted = [...tally.durations].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return {
    level: tally.suppressedErrors + tally.recordsNotLogged > 0 ? "error" : "info",
    msg: "summary",
    window_s: Math.round((t - tally.since) / 100) / 10,
    requests: tally.requests,
    by_status: tally.byStatus,
    p50_ms: at(0.5),
    p99_ms: at(0.99),
    max_ms: sorted.at(-1),
    not_logged: tally.sampledOut,
    suppressed_errors: tally.suppressedErrors,
    /** Access records neither written nor logged: the log has lost them; the count has not. */
    records_not_logged: tally.recordsNotLogged,
  };
}
