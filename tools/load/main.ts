/**
 * `npm run load`: a mixed workload at the stack's capacity (wrk, 2 threads, 32 connections) for
 * 60 s against the function through the gateway, on its own local stack. Prints throughput,
 * latency, statuses, and the function process's RSS after warm-up and at the end: no errors
 * (no socket error, no 5xx) and RSS growth under 10% are the targets. A tool, not a test.
 *   LOAD_SECONDS=60 LOAD_CONNECTIONS=32 npm run load
 */
import { ensurePackages } from "../local-stack/packages.ts";
import { signIn } from "../local-stack/main.ts";
import { processMemoryKb, run } from "../local-stack/processes.ts";
import { startStack } from "../local-stack/stack.ts";

const SECONDS = Number(Deno.env.get("LOAD_SECONDS") ?? 60);
const CONNECTIONS = Number(Deno.env.get("LOAD_CONNECTIONS") ?? 32);
const SUBMITTED = "93c98d21-e04d-4a84-9afa-ed154cf73636";

function luaScript(requests: { path: string; token?: string }[]): string {
  const entries = requests.map((r) =>
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

async function main(): Promise<number> {
  await ensurePackages(["/usr/bin/wrk"]);
  const stack = await startStack({ port: 0, functionLog: "/dev/null" });
  try {
    const { env } = stack;
    const [recruiter, candidate, outsider] = await Promise.all(
      ["recruiter@acme.test", "alice@candidates.test", "outsider@example.test"].map((e) =>
        signIn(env, e)
      ),
    );
    const fn = "/functions/v1/job-interview-details";
    const q = (p: string) => `${fn}?interview_result_id=${SUBMITTED}${p}`;
    const mix = [
      { path: q(""), token: recruiter },
      { path: q("&get_signed_recordings=true"), token: recruiter },
      { path: q("&view=standard"), token: recruiter },
      { path: q("&view=summary&get_signed_recordings=true"), token: candidate },
      { path: q(""), token: candidate },
      { path: q(""), token: outsider },
      { path: `${fn}?interview_result_id=nope`, token: recruiter },
      { path: q(""), token: env.SUPABASE_ANON_KEY },
    ];
    const script = await Deno.makeTempFile({ suffix: ".lua" });
    await Deno.writeTextFile(script, luaScript(mix));
    const pid = Number(env.STACK_FUNCTION_PID);
    const wrk = (seconds: number) =>
      run("wrk", [
        "-t2",
        `-c${CONNECTIONS}`,
        `-d${seconds}s`,
        "--latency",
        "-s",
        script,
        env.SUPABASE_URL,
      ]);
    console.log(`warming up 5 s; function pid ${pid}, RSS ${processMemoryKb(pid)} KB`);
    await wrk(5);
    const rssBefore = processMemoryKb(pid);
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, processMemoryKb(pid))), 500);
    console.log(`running ${SECONDS} s with ${CONNECTIONS} connections ...`);
    const out = await wrk(SECONDS);
    clearInterval(sampler);
    const rssAfter = processMemoryKb(pid);
    const result = JSON.parse(/RESULT (.*)/.exec(out)![1]);
    const fiveXX = Object.entries(result.statuses as Record<string, number>)
      .filter(([s]) => Number(s) >= 500).reduce((n, [, c]) => n + c, 0);
    const growth = (rssAfter - rssBefore) / rssBefore * 100;
    console.log(`
requests       ${result.requests} in ${result.seconds.toFixed(1)} s = ${
      (result.requests / result.seconds).toFixed(0)
    } req/s
latency        p50 ${result.p50_ms.toFixed(1)} ms  p90 ${result.p90_ms.toFixed(1)} ms  p99 ${
      result.p99_ms.toFixed(1)
    } ms
statuses       ${JSON.stringify(result.statuses)}
errors         ${result.errors} socket errors, ${fiveXX} 5xx           ${
      result.errors + fiveXX === 0 ? "OK" : "FAIL"
    }
function RSS   ${(rssBefore / 1024).toFixed(1)} MB after warm-up, ${
      (rssAfter / 1024).toFixed(1)
    } MB at the end, peak ${(peak / 1024).toFixed(1)} MB: ${growth >= 0 ? "+" : ""}${
      growth.toFixed(1)
    }%   ${growth < 10 ? "OK" : "FAIL"} (target < 10%)`);
    await Deno.remove(script);
    return result.errors + fiveXX === 0 && growth < 10 ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

Deno.exit(await main());
