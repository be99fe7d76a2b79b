/**
 * The load tool's workload: wrk driving a mix of requests through the gateway, counted by status
 * in a Lua script, its summary printed as one `RESULT {...}` line.
 */
import { run } from "../local-stack/processes.ts";

export interface MixRequest {
  path: string;
  token?: string;
}

export interface WrkResult {
  requests: number;
  seconds: number;
  /** Socket errors: connect, read, write and timeouts. */
  errors: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  statuses: Record<string, number>;
}

/** wrk's Lua script: requests taken from `mix` in turn, statuses counted across threads. */
export function luaScript(mix: MixRequest[]): string {
  const entries = mix.map((r) =>
    `{ path = ${JSON.stringify(r.path)}, headers = { ${
      r.token ? `["Authorization"] = "Bearer ${r.token}", ` : ""
    }["Accept-Encoding"] = "gzip" } }`
  );
  return `
local reqs = { ${entries.join(",\n")} }
local threads = {}
local counter = 0
statuses = {}
function setup(thread) table.insert(threads, thread) end
function request()
  counter = counter + 1
  local r = reqs[(counter % #reqs) + 1]
  return wrk.format("GET", r.path, r.headers)
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local merged = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do merged[k] = (merged[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(merged) do table.insert(parts, string.format('"%d": %d', k, v)) end
  io.write(string.format('RESULT {"requests": %d, "seconds": %.2f, "errors": %d, "p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, "statuses": {%s}}\\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    table.concat(parts, ", ")))
end
`;
}

/** wrk's output: the script's RESULT line. */
export function parseWrk(out: string): WrkResult {
  const line = /RESULT (.*)/.exec(out);
  if (!line) throw new Error(`wrk printed no RESULT line:\n${out}`);
  return JSON.parse(line[1]);
}

/** Answers with a 5xx status. */
export function fiveXX(result: WrkResult): number {
  return Object.entries(result.statuses).filter(([s]) => Number(s) >= 500)
    .reduce((n, [, c]) => n + c, 0);
}

/** Runs wrk (2 threads) for `seconds` against `url` with the script at `script`. */
export async function runWrk(
  url: string,
  script: string,
  seconds: number,
  connections: number,
): Promise<WrkResult> {
  return parseWrk(
    await run("wrk", [
      "-t2",
      `-c${connections}`,
      `-d${seconds}s`,
      "--latency",
      "-s",
      script,
      url,
    ]),
  );
}
