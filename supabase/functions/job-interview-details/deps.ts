/**
 * What the app depends on, passed in so tests can swap any edge: the three upstream calls (the
 * transcript, the signing, the access record), the logger, the runtime's hooks (`waitUntil`,
 * `beforeunload`) and the clock. createDeps builds the real ones.
 */
import { recordAccess, type RecordRequest, type RecordResult } from "./access_rpc.ts";
import type { Config } from "./config.ts";
import { budgetedLogger, type Logger } from "./log.ts";
import { fetchTranscript, type RpcResult, type TranscriptRequest } from "./postgrest.ts";
import { signPaths, type SignRequest, type SignResult } from "./storage.ts";
import type { Fetch } from "./upstream.ts";

export interface Deps {
  config: Config;
  fetchTranscript: (input: TranscriptRequest) => Promise<RpcResult>;
  signPaths: (input: SignRequest) => Promise<SignResult>;
  /** Writes one access record as the caller; a benchmark swaps it to measure a read without. */
  recordAccess: (input: RecordRequest) => Promise<RecordResult>;
  /** Keeps the isolate alive until a promise settles (work left after an answer has gone). */
  waitUntil: (promise: Promise<unknown>) => void;
  /** Runs `fn` when the runtime is about to end the worker (`beforeunload`). */
  onUnload: (fn: () => void) => void;
  log: Logger;
  now: () => Date;
}

type EdgeRuntimeGlobal = { EdgeRuntime?: { waitUntil?: (promise: Promise<unknown>) => unknown } };

/**
 * The Edge Runtime's `EdgeRuntime.waitUntil`, which keeps the isolate alive until the promise
 * settles; plain Deno has none, and there the promise simply runs.
 */
export function runtimeWaitUntil(promise: Promise<unknown>): void {
  (globalThis as EdgeRuntimeGlobal).EdgeRuntime?.waitUntil?.(promise);
}

/**
 * The runtime's `beforeunload`: the hosted Edge Runtime dispatches it before it ends a worker
 * (its wall-clock, CPU or memory limit, a shutdown), and the stand-in on SIGTERM.
 */
export function runtimeOnUnload(fn: () => void): void {
  globalThis.addEventListener("beforeunload", fn);
}

/** Real dependencies: `fetch` for the upstreams, the budgeted logger, the runtime, the clock. */
export function createDeps(
  config: Config,
  fetchImpl: Fetch = fetch,
  log: Logger = budgetedLogger(config.logBudget),
): Deps {
  const { supabaseUrl, apiKey, serviceKey } = config;
  const rpc = { readUrl: config.readUrl, primaryUrl: supabaseUrl, apiKey, fetch: fetchImpl };
  const storage = {
    supabaseUrl,
    serviceKey,
    publicBaseUrl: config.signedUrlBaseUrl,
    fetch: fetchImpl,
  };
  return {
    config,
    fetchTranscript: (input) => fetchTranscript(rpc, input),
    signPaths: (input) => signPaths(storage, input),
    recordAccess: (input) => recordAccess(rpc, input),
    waitUntil: runtimeWaitUntil,
    onUnload: runtimeOnUnload,
    log,
    now: () => new Date(),
  };
}
