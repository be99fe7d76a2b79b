/**
 * What the app depends on, passed in so tests can swap any edge: the two upstream calls, the
 * logger and the clock. createDeps builds the real ones.
 */
import type { Config } from "./config.ts";
import { budgetedLogger, type Logger } from "./log.ts";
import { fetchTranscript, type RpcResult, type TranscriptRequest } from "./postgrest.ts";
import { signPaths, type SignRequest, type SignResult } from "./storage.ts";
import type { Fetch } from "./upstream.ts";

export interface Deps {
  config: Config;
  fetchTranscript: (input: TranscriptRequest) => Promise<RpcResult>;
  signPaths: (input: SignRequest) => Promise<SignResult>;
  log: Logger;
  now: () => Date;
}

/** Real dependencies: `fetch` for both upstreams, the budgeted logger, the clock. */
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
    log,
    now: () => new Date(),
  };
}
