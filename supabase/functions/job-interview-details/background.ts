/**
 * Access records of unsigned reads, written after their answer: the answer never waits for its
 * record. Each write is handed to the runtime's `waitUntil`, so the isolate lives until it has
 * settled. At most `inFlight` are written at once (a slow primary must not pile them up in
 * memory); past that, or when a write fails, the record goes to the log whole, in the form
 * `private.replay_interview_access` takes, several to a line when many fail at once.
 */
import { type AccessRecord, type LoggedRecord, loggedRecord, NOT_VISIBLE } from "./access.ts";
import type { RecordResult } from "./access_rpc.ts";
import type { Caller } from "./auth.ts";
import type { Deps } from "./deps.ts";
import type { Logger } from "./log.ts";
import { describe } from "./upstream.ts";

/** Writes a record after the answer: never throws, never waits. */
export type RecordLater = (record: AccessRecord, caller: Caller, signal: AbortSignal) => void;

export const IN_FLIGHT_FULL = "too many access records in flight";

export function backgroundRecords(
  deps: Pick<Deps, "recordAccess" | "log" | "waitUntil" | "onUnload" | "now" | "config">,
): RecordLater {
  const bound = deps.config.accessRecords.inFlight;
  const { toLog, flushAll } = unwrittenLog(deps.log, deps.config.accessRecords.logBatchMs);
  // A worker about to end logs what it holds at once rather than after the batch's wait.
  deps.onUnload(flushAll);
  let inFlight = 0;
  const write = async (record: AccessRecord, caller: Caller, signal: AbortSignal, at: Date) => {
    let result: RecordResult;
    try {
      // After the answer has gone: a timer runs once the handler has returned it.
      await new Promise((resolve) => setTimeout(resolve, 0));
      result = await deps.recordAccess({ caller, record, signal });
    } catch (error) {
      result = { kind: "failed", failure: { step: "record", reason: describe(error) } };
    } finally {
      inFlight--;
    }
    if (result.kind === "recorded") return;
    const reason = result.kind === "failed" ? result.failure.reason : NOT_VISIBLE;
    await toLog(loggedRecord(record, caller, at), reason);
  };
  return (record, caller, signal) => {
    const at = deps.now();
    if (inFlight >= bound) {
      deps.waitUntil(toLog(loggedRecord(record, caller, at), IN_FLIGHT_FULL));
      return;
    }
    inFlight++;
    deps.waitUntil(write(record, caller, signal, at));
  };
}

/** The platform's limit on one log message, in characters: longer ones are cut. */
export const LOG_LINE_MAX_CHARS = 10_000;
export const UNWRITTEN_EVENT = "access_record_unwritten";

type Batch = {
  /** Each record as JSON. */
  records: string[];
  /** The first record's, named on a line of one. */
  requestId: string;
  chars: number;
  timer: ReturnType<typeof setTimeout>;
  logged: Promise<void>;
  done: () => void;
};

/**
 * Records to the log, batched: a record waits up to `batchMs` for others that failed for the
 * same reason, and they share one line, within the platform's line length. The promise resolves
 * once the line is written, or its records counted in a summary line (log.ts).
 */
function unwrittenLog(log: Logger, batchMs: number) {
  const batches = new Map<string, Batch>();
  const flush = (reason: string) => {
    const batch = batches.get(reason);
    if (!batch) return;
    batches.delete(reason);
    clearTimeout(batch.timer);
    log.unwritten(unwrittenLine(reason, batch), batch.records.length).then(batch.done);
  };
  const open = (reason: string, requestId: string): Batch => {
    let done!: () => void;
    const logged = new Promise<void>((resolve) => done = resolve);
    const timer = setTimeout(() => flush(reason), batchMs);
    const batch: Batch = { records: [], requestId, chars: 0, done, timer, logged };
    batches.set(reason, batch);
    return batch;
  };
  const toLog = (record: LoggedRecord, reason: string): Promise<void> => {
    const json = JSON.stringify(record);
    const current = batches.get(reason);
    if (current && lineLength(reason, current) + json.length + 1 > LOG_LINE_MAX_CHARS) {
      flush(reason);
    }
    const batch = batches.get(reason) ?? open(reason, record.request_id);
    batch.records.push(json);
    batch.chars += json.length + 1;
    return batch.logged;
  };
  return { toLog, flushAll: () => [...batches.keys()].forEach(flush) };
}

/** How long a batch's line is, all but its records' separators being counted. */
function lineLength(reason: string, batch: Batch): number {
  return envelope(reason).length + 14 + batch.chars;
}

const envelope = (reason: string) =>
  `{"level":"error","event":"${UNWRITTEN_EVENT}","reason":${JSON.stringify(reason)}`;

/**
 * One record: `{level, event, request_id, reason, record}`; several: `{level, event, reason,
 * records: [...]}`. The records are the JSON each was serialised to, joined.
 */
function unwrittenLine(reason: string, batch: Batch): string {
  if (batch.records.length === 1) {
    return `{"level":"error","event":"${UNWRITTEN_EVENT}","request_id":${
      JSON.stringify(batch.requestId)
    },"reason":${JSON.stringify(reason)},"record":${batch.records[0]}}`;
  }
  return `${envelope(reason)},"records":[${batch.records.join(",")}]}`;
}
