/**
 * Logs within the platform's budget: hosted functions keep 100 log events per 10 s and drop the
 * rest, errors included. So every 5xx and every unexpected error is written in full first; the
 * other requests (successes, expected 4xx) are sampled, one in `sampleEvery` in full, and
 * counted into one summary line per window. Callers pass only safe fields: never a token, key or
 * signed URL.
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
  total_ms: z.number(),
  bytes: z.number().int().meta({ description: "The answer's body, before compression" }),
  gzip: z.boolean(),
});
export type RequestLog = z.infer<typeof RequestLogSchema>;

export type Logger = (entry: RequestLog) => void;

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
}

const MAX_DURATIONS = 5000;

/**
 * A logger that never writes more than `budget.maxLines` in any window (sliding, exact). Half
 * the budget is held back for serious lines, so a flood of successes can't crowd out the 5xx
 * that matters; serious lines beyond the whole budget are counted in the next summary.
 */
export function budgetedLogger(
  budget: LogBudget,
  write: (line: string) => void = (line) => console.log(line),
  now: () => number = Date.now,
): Logger {
  const written: number[] = [];
  const reserved = Math.floor(budget.maxLines / 2);
  let seen = 0;
  const fresh = (since: number): Tally => ({
    since,
    requests: 0,
    byStatus: {},
    durations: [],
    sampledOut: 0,
    suppressedErrors: 0,
  });
  let tally = fresh(now());

  const room = (t: number) => {
    while (written.length > 0 && written[0] <= t - budget.windowMs) written.shift();
    return budget.maxLines - written.length;
  };
  const emit = (t: number, record: Record<string, unknown>) => {
    written.push(t);
    write(JSON.stringify(record));
  };

  return function log(entry) {
    const t = now();
    if (t - tally.since >= budget.windowMs && tally.requests > 0 && room(t) > 0) {
      emit(t, summary(tally, t));
      tally = fresh(t);
    }
    tally.requests++;
    tally.byStatus[entry.status] = (tally.byStatus[entry.status] ?? 0) + 1;
    if (tally.durations.length < MAX_DURATIONS) tally.durations.push(entry.total_ms);

    const serious = isSerious(entry);
    const sampled = seen++ % budget.sampleEvery === 0;
    if (serious ? room(t) > 0 : sampled && room(t) > reserved) {
      emit(t, { level: serious ? "error" : "info", msg: "request", ...entry });
    } else if (serious) tally.suppressedErrors++;
    else tally.sampledOut++;
  };
}

function summary(tally: Tally, t: number): Record<string, unknown> {
  const sorted = [...tally.durations].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return {
    level: tally.suppressedErrors > 0 ? "error" : "info",
    msg: "summary",
    window_s: Math.round((t - tally.since) / 100) / 10,
    requests: tally.requests,
    by_status: tally.byStatus,
    p50_ms: at(0.5),
    p99_ms: at(0.99),
    max_ms: sorted.at(-1),
    not_logged: tally.sampledOut,
    suppressed_errors: tally.suppressedErrors,
  };
}
