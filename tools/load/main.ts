/**
 * `npm run load`: the function under a mixed workload at the stack's capacity (wrk, 2 threads, 32
 * connections) through the gateway, on a local stack of its own, then idle. Prints throughput,
 * latency, statuses and the function's memory: the process's RSS, and the isolate's V8 heap used
 * and external memory (what the hosted runtime limits), as they are and after forced
 * collections, after warm-up, during the run, at the end and after it. A tool, not a test.
 *
 *   npm run load                      30 s warm-up, 60 s measured; a sample every 10 s
 *   npm run load -- --soak            600 s; a sample every 10 s, one after collections a
 *                                     minute, printed a minute; and whether memory levels off
 *   npm run load -- --seconds 120     any length
 *   npm run load -- --replica         reads through a streaming replica (API_READ_URL)
 *   npm run load -- --no-record       the function without its access records (the bench's
 *                                     no-record build), to compare a soak with and without
 *   npm run load -- --answers 200     exactly 200 answers (half signed), each under its own
 *                                     request id, then the access records written for them:
 *                                     one per 200, none lost or twice (issue 26)
 *   npm run load -- --refuse-writes   the same with the primary refusing the records' writes:
 *                                     documents still answer, every record reaches the
 *                                     function's log, signed reads give no links
 *   LOAD_CONNECTIONS=32 LOAD_WARM_UP_SECONDS=30 LOAD_AFTER_SECONDS=30
 *   LOAD_FUNCTION_ENV='{"UPSTREAM_TIMEOUT_MS":"1000"}'   more env for the function
 *
 * Targets: no socket error and no 5xx; RSS and live memory (heap + external after collections)
 * at the end within 10% of their level after warm-up; in a soak, both level off: over the last
 * 5 minutes they grow less than 256 bytes (live) and 1 KB (RSS) per request answered; one
 * access record per 200 answered (wrk stops with requests in flight whose answers it doesn't
 * count: up to one per connection more).
 */
import { parseArgs } from "node:util";
import { ensurePackages } from "../local-stack/packages.ts";
import { signIn } from "../local-stack/main.ts";
import { FUNCTION_NAME, startFunction } from "../local-stack/function_process.ts";
import { startStack } from "../local-stack/stack.ts";
import { startReplica } from "../local-stack/replica.ts";
import { type Ask, records, refusedRecords, refuseRecordWrites } from "./answers.ts";
import { serveWithoutRecords } from "../bench/variants.ts";
import postgres from "postgres";
import {
  formatSample,
  type Leveling,
  leveling,
  mb,
  type MemorySample,
  sampleMemory,
} from "./memory.ts";
import { fiveXX, luaScript, type MixRequest, runWrk, type WrkResult } from "./workload.ts";

/**
 * The function's env: the stand-in's memory probe and gc() for it to force collections with,
 * and LOAD_FUNCTION_ENV (a JSON object: the function's own settings, say a shorter deadline).
 */
const PROBE_ENV: Record<string, string> = {
  EDGE_MEMORY: "1",
  DENO_V8_FLAGS: "--expose-gc",
  ...JSON.parse(Deno.env.get("LOAD_FUNCTION_ENV") ?? "{}"),
};
const SUBMITTED = "93c98d21-e04d-4a84-9afa-ed154cf73636";
const FUNCTION = "/functions/v1/job-interview-details";
/** RSS and live memory at the end within this share of their level after warm-up. */
const GROWTH_LIMIT = 0.1;
/** In a soak: the last minutes judged, and what a request may leave behind in them. */
const SOAK_MINUTES = 5;
const LIVE_LIMIT_BYTES_PER_REQUEST = 256;
const RSS_LIMIT_BYTES_PER_REQUEST = 1024;

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    soak: { type: "boolean", default: false },
    seconds: { type: "string" },
    replica: { type: "boolean", default: false },
    answers: { type: "string" },
    "refuse-writes": { type: "boolean", default: false },
    "no-record": { type: "boolean", default: false },
  },
});
const refuse = flags["refuse-writes"];
const noRecord = flags["no-record"];
/** Exactly this many answers, then their records (or, refused, the log's). */
const ANSWERS = flags.answers ?? (refuse ? "200" : undefined);
const soak = flags.soak;
const SECONDS = Number(flags.seconds ?? Deno.env.get("LOAD_SECONDS") ?? (soak ? 600 : 60));
const CONNECTIONS = Number(Deno.env.get("LOAD_CONNECTIONS") ?? 32);
/**
 * Long enough for a steady state: past the function's upstream deadline (10 s), for as long as
 * which each answer's deadline timer stays alive, and for V8 to size its heap to the load.
 */
const WARM_UP_SECONDS = Number(Deno.env.get("LOAD_WARM_UP_SECONDS") ?? 30);
const AFTER_SECONDS = Number(Deno.env.get("LOAD_AFTER_SECONDS") ?? 30);
/** Seconds between samples; in a soak, every sixth is also taken after collections. */
const EVERY = 10;

/** The mix: every view, signed and not, the candidate, and each kind of refusal. */
function workload(tokens: Record<"recruiter" | "candidate" | "outsider" | "anon", string>) {
  const q = (p: string) => `${FUNCTION}?interview_result_id=${SUBMITTED}${p}`;
  return [
    { path: q(""), token: tokens.recruiter },
    { path: q("&get_signed_recordings=true"), token: tokens.recruiter },
    { path: q("&view=standard"), token: tokens.recruiter },
    { path: q("&view=summary&get_signed_recordings=true"), token: tokens.candidate },
    { path: q(""), token: tokens.candidate },
    { path: q(""), token: tokens.outsider },
    { path: `${FUNCTION}?interview_result_id=nope`, token: tokens.recruiter },
    { path: q(""), token: tokens.anon },
  ] satisfies MixRequest[];
}

/** The function process under load: its pid (for RSS) and the origin of its probe. */
interface Target {
  pid: number;
  probe: string;
}

interface LoadRun {
  /** The warm-up's, whose answers leave records too. */
  warmUp: WrkResult;
  result: WrkResult;
  idle: MemorySample;
  warm: MemorySample;
  warmLive: MemorySample;
  /** As they are, every EVERY seconds. */
  samples: MemorySample[];
  /** After collections, a minute apart (soak only). */
  live: MemorySample[];
  end: MemorySample;
  endLive: MemorySample;
  after: MemorySample;
  afterLive: MemorySample;
}

async function runLoad(target: Target, wrk: (s: number) => Promise<WrkResult>): Promise<LoadRun> {
  const at = (s: number, gc = false) => sampleMemory(target.pid, target.probe, s, gc);
  const idle = await at(-WARM_UP_SECONDS, true);
  console.log(`function pid ${target.pid}; warming up ${WARM_UP_SECONDS} s ...`);
  const warmUp = await wrk(WARM_UP_SECONDS);
  const warm = await at(0);
  const warmLive = await at(0, true);
  console.log(`running ${SECONDS} s with ${CONNECTIONS} connections ...`);
  const samples: MemorySample[] = [];
  const live: MemorySample[] = [];
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  let done = false;
  const running = wrk(SECONDS).finally(() => (done = true));
  for (let tick = 1; !done; tick++) {
    await Promise.race([
      running,
      new Promise((r) => setTimeout(r, tick * EVERY * 1000 - elapsed() * 1000)),
    ]);
    if (done || elapsed() > SECONDS - 1) break;
    const s = await at(elapsed());
    samples.push(s);
    const minute = tick % (60 / EVERY) === 0;
    if (!soak || minute) console.log(formatSample(`  ${s.at_s} s`, s));
    if (soak && minute) {
      live.push(await at(elapsed(), true));
      console.log(formatSample(`  ${s.at_s} s, after GC`, live.at(-1)!));
    }
  }
  const result = await running;
  const end = await at(elapsed());
  const endLive = await at(elapsed(), true);
  console.log(`idle ${AFTER_SECONDS} s ...`);
  await new Promise((r) => setTimeout(r, AFTER_SECONDS * 1000));
  const after = await at(elapsed());
  const afterLive = await at(elapsed(), true);
  return { warmUp, result, idle, warm, warmLive, samples, live, end, endLive, after, afterLive };
}

const liveOf = (s: MemorySample) => s.heap_mb + s.external_mb;
const signed = (n: number, digits = 1) => `${n >= 0 ? "+" : ""}${n.toFixed(digits)}`;
const verdict = (ok: boolean) => ok ? "OK" : "FAIL";

/**
 * The access records of the run against its 200s (warm-up and run): one each, or none without
 * records. wrk stops with up to a request per connection in flight: answered (so recorded), not
 * counted.
 */
async function recordsOfLoad(dbUrl: string, run: LoadRun): Promise<boolean> {
  const ok200 = (r: WrkResult) => r.statuses["200"] ?? 0;
  const answered = ok200(run.warmUp) + ok200(run.result);
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const [{ n }] = await sql<{ n: number }[]>`
      select count(*)::int as n from private.interview_access_log`;
    const extra = n - answered;
    const ok = noRecord ? n === 0 : extra >= 0 && extra <= 2 * CONNECTIONS;
    console.log(
      `records        ${n} for ${answered} answers 200 counted by wrk (warm-up and run): ${
        signed(extra, 0)
      }   ${verdict(ok)} (${
        noRecord ? "none without records" : `one each; up to ${2 * CONNECTIONS} more in flight`
      })`,
    );
    return ok;
  } finally {
    await sql.end();
  }
}

/** Prints the run; true when every target is met. */
function report(run: LoadRun): boolean {
  const { result } = run;
  const errors = result.errors + fiveXX(result);
  const rssGrowth = (run.end.rss_mb - run.warm.rss_mb) / run.warm.rss_mb;
  const liveGrowth = (liveOf(run.endLive) - liveOf(run.warmLive)) / liveOf(run.warmLive);
  const peak = Math.max(run.warm.rss_mb, run.end.rss_mb, ...run.samples.map((s) => s.rss_mb));
  const pending = Math.max(run.end.pending, ...run.samples.map((s) => s.pending));
  console.log(`
function       ${
    noRecord ? "without its access records (the no-record build)" : "with its access records"
  }
requests       ${result.requests} in ${result.seconds.toFixed(1)} s = ${
    (result.requests / result.seconds).toFixed(0)
  } req/s
latency        p50 ${result.p50_ms.toFixed(1)} ms  p90 ${result.p90_ms.toFixed(1)} ms  p99 ${
    result.p99_ms.toFixed(1)
  } ms
statuses       ${JSON.stringify(result.statuses)}
errors         ${result.errors} socket errors, ${fiveXX(result)} 5xx   ${verdict(errors === 0)}

memory of the function (heap used + external is what the hosted runtime limits to 256 MB)
${formatSample("idle, after GC", run.idle)}
${formatSample("after warm-up", run.warm)}
${formatSample("after warm-up, after GC", run.warmLive)}
${formatSample(`end (${run.end.at_s} s)`, run.end)}
${formatSample("end, after GC", run.endLive)}
${formatSample(`${AFTER_SECONDS} s after`, run.after)}
${formatSample(`${AFTER_SECONDS} s after, after GC`, run.afterLive)}
RSS            ${mb(run.warm.rss_mb)} MB after warm-up, ${mb(run.end.rss_mb)} MB at the end: ${
    signed(rssGrowth * 100)
  }%   ${verdict(rssGrowth < GROWTH_LIMIT)} (target < ${GROWTH_LIMIT * 100}%); peak ${
    mb(peak)
  } MB, ${mb(run.after.rss_mb)} MB ${AFTER_SECONDS} s after
live memory    ${mb(liveOf(run.warmLive))} MB after warm-up, ${
    mb(liveOf(run.endLive))
  } MB at the end: ${signed(liveGrowth * 100)}%   ${verdict(liveGrowth < GROWTH_LIMIT)} (target < ${
    GROWTH_LIMIT * 100
  }%)
background     at most ${pending} pending at a sample under load, ${run.after.pending} ${AFTER_SECONDS} s after`);
  let ok = errors === 0 && rssGrowth < GROWTH_LIMIT && liveGrowth < GROWTH_LIMIT;
  if (soak) {
    const perMin = result.requests / result.seconds * 60;
    const levels: Leveling[] = [
      leveling(
        "RSS",
        run.samples.map((s) => ({ at_s: s.at_s, mb: s.rss_mb })),
        SOAK_MINUTES,
        perMin,
        RSS_LIMIT_BYTES_PER_REQUEST,
      ),
      leveling(
        "live memory",
        run.live.map((s) => ({ at_s: s.at_s, mb: liveOf(s) })),
        SOAK_MINUTES,
        perMin,
        LIVE_LIMIT_BYTES_PER_REQUEST,
      ),
    ];
    for (const l of levels) {
      ok &&= l.levels_off;
      console.log(
        `${l.what.padEnd(14)} last ${l.minutes} min: ${signed(l.slope_mb_per_min, 2)} ± ${
          l.stderr_mb_per_min.toFixed(2)
        } MB/min on ${mb(l.level_mb)} MB, at ${perMin.toFixed(0)} requests/min = ${
          signed(l.bytes_per_request, 0)
        } bytes per request   ${
          l.levels_off ? "levels off" : "STILL GROWING"
        } (limit ${l.limit_bytes_per_request})`,
      );
    }
  }
  return ok;
}

async function main(): Promise<number> {
  await ensurePackages(["/usr/bin/wrk"]);
  const stack = await startStack({ port: 0, functionLog: "/dev/null", functionEnv: PROBE_ENV });
  const cleanups: (() => Promise<unknown>)[] = [() => stack.stop()];
  try {
    const { env } = stack;
    let target: Target = {
      pid: Number(env.STACK_FUNCTION_PID),
      probe: new URL(env.FUNCTION_DIRECT_URL).origin,
    };
    let replicaReads = () => "";
    let logLines = () => [] as string[];
    if (flags.replica || refuse || noRecord) {
      // A function process of this tool's own, in the gateway's route in place of the stack's:
      // its log read (the stack's goes to /dev/null), its env or its build changed.
      const fnEnv = { ...PROBE_ENV };
      if (flags.replica) {
        const replica = await startReplica(env, stack.keys);
        cleanups.push(replica.stop);
        replicaReads = () => `replica        ${replica.rpcReads()} RPC calls served by the replica`;
        // The function reads the RPC where the API load balancer would send its GETs.
        fnEnv.API_READ_URL = replica.url;
        console.log(`reads go to a streaming replica, through ${replica.url}`);
      }
      const fn = noRecord
        ? await serveWithoutRecords(env, "load-no-record", fnEnv)
        : await startFunction(env, fnEnv);
      cleanups.push(fn.stop);
      logLines = () => fn.lines().map((l) => l.line);
      target = { pid: fn.pid, probe: new URL(fn.url).origin };
      stack.functions.set(FUNCTION_NAME, { url: target.probe, verifyJwt: false });
    }
    if (refuse) cleanups.push(await refuseRecordWrites(env.SUPABASE_DB_URL));
    const [recruiter, candidate, outsider] = await Promise.all(
      ["recruiter@acme.test", "alice@candidates.test", "outsider@example.test"].map((e) =>
        signIn(env, e)
      ),
    );
    if (ANSWERS) {
      if (noRecord) throw new Error("--no-record writes no records: count them without it");
      const url = `${env.SUPABASE_URL}${FUNCTION}?interview_result_id=${SUBMITTED}`;
      const asks: Ask[] = [
        { url, signed: false },
        { url: `${url}&get_signed_recordings=true`, signed: true },
      ];
      const run = {
        asks,
        headers: { authorization: `Bearer ${recruiter}`, apikey: env.SUPABASE_ANON_KEY },
        n: Number(ANSWERS),
        concurrency: CONNECTIONS,
      };
      const ok = refuse
        ? await refusedRecords(env, target.probe, logLines, run)
        : await records(env, target.probe, run);
      if (flags.replica) console.log(replicaReads());
      return ok ? 0 : 1;
    }
    const script = await Deno.makeTempFile({ suffix: ".lua" });
    cleanups.push(() => Deno.remove(script));
    await Deno.writeTextFile(
      script,
      luaScript(workload({ recruiter, candidate, outsider, anon: env.SUPABASE_ANON_KEY })),
    );
    const run = await runLoad(
      target,
      (seconds) => runWrk(env.SUPABASE_URL, script, seconds, CONNECTIONS),
    );
    const met = report(run);
    const ok = await recordsOfLoad(env.SUPABASE_DB_URL, run) && met;
    if (flags.replica) console.log(replicaReads());
    return ok ? 0 : 1;
  } finally {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
  }
}

if (import.meta.main) Deno.exit(await main());
