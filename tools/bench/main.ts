/**
 * `npm run bench`: the function beside what a user would otherwise run, in one run with the same
 * client (supabase-js) and the same local stack. Generates S/M/L results inside a table of
 * 100,000 results and 2,000,000 items (db/generate.sql), then measures
 *   (a) supabase-js rpc(..., { get: true })        (b) the function        (c) with signing
 *   (p) the plain supabase-js function              (q) the plain function with signing
 *   (r) a bare relay in the function's place (the floor of (b) on this stack)
 *   (d) view=standard and (e) view=condensed on L (bytes)
 * for latency (sequential, call by call in turn; and 16 concurrent clients), the CPU each
 * function process spends per call (utime + stime over a block of calls), throughput, bytes,
 * upstream requests per call; then the function's memory as the hosted runtime counts it (V8
 * heap used + external) under 16 and 64 concurrent signed L calls, under Deno 2.9.6 and 2.1.4,
 * and its cold start. Every target gets a verdict line. Writes bench/results.json.
 *   BENCH_ROUNDS=3 BENCH_SEQ=60 npm run bench
 */
import {
  BARE_RELAY,
  type Case,
  type ClientReply,
  type ClientRequest,
  functionPath,
  type Kind,
  PLAIN,
} from "./client.ts";
import {
  EDGE_DENO,
  type FunctionProcess,
  functionRuntime,
  startFunction,
} from "../local-stack/function_process.ts";
import { signUserToken } from "../local-stack/keys.ts";
import { ROOT } from "../local-stack/database.ts";
import { run, waitFor } from "../local-stack/processes.ts";
import { startStack } from "../local-stack/stack.ts";
import { cpuMs, measureMemory, type MemoryFigures } from "./measure.ts";

const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? 3);
const SEQ = Number(Deno.env.get("BENCH_SEQ") ?? 60);
const CONCURRENCY = 16;
const CONCURRENT_PER_CLIENT = Number(Deno.env.get("BENCH_CONCURRENT") ?? 8);
const SIZES = ["S", "M", "L"] as const;

const WHAT: Record<Kind, string> = {
  a: "supabase-js rpc() (GET)",
  b: "function",
  c: "function + signing",
  d: "function view=standard",
  e: "function view=condensed",
  r: "bare relay in the function's place",
  p: "plain supabase-js function",
  q: "plain function + signing",
};
/** Targets: (c) at most this share of (q)'s CPU per call on M and L. */
const CPU_SHARE = 0.5;
/** Targets: each call in flight at most this many times the document, under both Denos. */
const MEMORY_X = 1.5;

type Stats = { p50: number; p90: number; p99: number };
type Row = {
  case: string;
  what: string;
  seq_ms: Stats;
  cpu_ms_per_call: number | null;
  conc16_ms: Stats;
  rps: number;
  bytes: number;
  gzip_bytes: number;
  upstream_per_call: number;
};
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const stats = (xs: number[]): Stats => ({
  p50: percentile(xs, 50),
  p90: percentile(xs, 90),
  p99: percentile(xs, 99),
});
const median = (xs: number[]) => percentile(xs, 50);

async function gzipSize(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  return (await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip")))
    .bytes()).length;
}

function machine(): string {
  const cpu = /model name\s*:\s*(.*)/.exec(Deno.readTextFileSync("/proc/cpuinfo"))?.[1] ??
    "unknown CPU";
  const memGb = Number(/MemTotal:\s+(\d+)/.exec(Deno.readTextFileSync("/proc/meminfo"))?.[1] ?? 0) /
    1024 / 1024;
  return `${navigator.hardwareConcurrency} cores (${cpu}), ${
    memGb.toFixed(0)
  } GiB, Deno ${Deno.version.deno}, PostgreSQL 15`;
}

/** Another function behind the gateway, served as the function is (staged, its deno.json). */
async function serveBeside(
  stack: Awaited<ReturnType<typeof startStack>>,
  name: string,
): Promise<FunctionProcess> {
  const fn = await startFunction(stack.env, {}, {
    source: { name, dir: `${ROOT}tools/bench/${name === PLAIN ? "plain_function" : "bare_relay"}` },
    ready: (url, ms) =>
      waitFor(name, async () => {
        await (await fetch(url, { method: "OPTIONS" })).body?.cancel();
        return true;
      }, ms),
  });
  stack.functions.set(name, { url: new URL(fn.url).origin, verifyJwt: false });
  return fn;
}

async function main() {
  const counts = { rest: 0, storage: 0 };
  let worker: Worker | undefined;
  const others: FunctionProcess[] = [];
  const stack = await startStack({
    port: 0,
    functionLog: "/dev/null",
    onGatewayRequest: (_m, path) => {
      if (path.startsWith("/rest/v1/")) counts.rest++;
      else if (path.startsWith("/storage/v1/")) counts.storage++;
    },
  });
  try {
    const { env, keys } = stack;
    console.log("generating 100,000 results and 2,000,000 items ...");
    await run("psql", [env.SUPABASE_DB_URL, "-q", "-f", `${ROOT}tools/bench/db/generate.sql`]);
    const ids = Object.fromEntries(
      (await run("psql", [
        env.SUPABASE_DB_URL,
        "-At",
        "-F",
        " ",
        "-c",
        "select n, md5('bench:bench-' || lower(n))::uuid from unnest(array['S','M','L']) n",
      ])).trim().split("\n").map((l) => l.split(" ")),
    ) as Record<"S" | "M" | "L", string>;
    const token = await signUserToken(keys, {
      sub: (await run("psql", [
        env.SUPABASE_DB_URL,
        "-At",
        "-c",
        "select md5('bench:recruiter')::uuid",
      ])).trim(),
      issuer: `${env.SUPABASE_URL}/auth/v1`,
      expiresIn: 3600 * 4,
    });

    const relay = await serveBeside(stack, BARE_RELAY);
    const plain = await serveBeside(stack, PLAIN);
    others.push(relay, plain);
    const pidOf: Partial<Record<Kind, number>> = {
      b: Number(env.STACK_FUNCTION_PID),
      c: Number(env.STACK_FUNCTION_PID),
      p: plain.pid,
      q: plain.pid,
    };

    worker = new Worker(new URL("./client.ts", import.meta.url).href, { type: "module" });
    /** One request to the client thread at a time; a failed call fails the run. */
    const ask = (req: ClientRequest) =>
      new Promise<Extract<ClientReply, { ok: true }>>((resolve, reject) => {
        worker!.onmessage = (e: MessageEvent<ClientReply>) =>
          e.data.ok ? resolve(e.data) : reject(new Error(e.data.error));
        worker!.postMessage(req);
      });
    await ask({ op: "init", url: env.SUPABASE_URL, anonKey: env.SUPABASE_ANON_KEY, token });
    const call = async (c: Case) => (await ask({ op: "call", c })).ms!;

    const cases: Case[] = SIZES.flatMap((size) =>
      (["a", "b", "r", "c", "p", "q", ...(size === "L" ? ["d", "e"] as const : [])] as const)
        .map((kind) => ({ id: ids[size], size, kind }))
    );
    const seq = new Map<Case, number[]>(cases.map((c) => [c, []]));
    const cpu = new Map<Case, number[]>(cases.map((c) => [c, []]));
    const conc = new Map<Case, { lat: number[]; rps: number[] }>(
      cases.map((c) => [c, { lat: [], rps: [] }]),
    );
    const upstreamMade = new Map<Case, number>(cases.map((c) => [c, 0]));

    for (let i = 0; i < 5; i++) for (const c of cases) await call(c); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const size of SIZES) {
        // Latency: the cases of a size take turns call by call (in alternating order), so a
        // ratio compares calls made on the same machine state, not minutes apart.
        const group = cases.filter((c) => c.size === size);
        for (let i = 0; i < SEQ; i++) {
          for (const c of i % 2 === 0 ? group : [...group].reverse()) {
            const before = counts.rest + counts.storage;
            seq.get(c)!.push(await call(c));
            upstreamMade.set(c, upstreamMade.get(c)! + counts.rest + counts.storage - before);
          }
        }
        // CPU: a block of calls of one case at a time, read off its function's process.
        const measured = group.filter((c) => pidOf[c.kind]);
        for (const c of round % 2 === 0 ? measured : [...measured].reverse()) {
          const before = cpuMs(pidOf[c.kind]!);
          for (let i = 0; i < SEQ; i++) await call(c);
          cpu.get(c)!.push((cpuMs(pidOf[c.kind]!) - before) / SEQ);
        }
      }
      // 16 concurrent clients: one case at a time; the order alternates every round.
      for (const c of round % 2 === 0 ? cases : [...cases].reverse()) {
        const { latencies, elapsedMs } = await ask({
          op: "concurrent",
          c,
          clients: CONCURRENCY,
          perClient: CONCURRENT_PER_CLIENT,
        });
        const entry = conc.get(c)!;
        entry.lat.push(...latencies!);
        entry.rps.push((CONCURRENCY * CONCURRENT_PER_CLIENT) / (elapsedMs! / 1000));
      }
    }

    // Cold start: a fresh function process, from spawn to the first 200 of a real request.
    const coldStarts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const fn = await startFunction(env);
      const res = await fetch(`${fn.url}?interview_result_id=${ids.S}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await res.body?.cancel();
      if (res.status !== 200) throw new Error(`cold start answered ${res.status}`);
      coldStarts.push(performance.now() - t);
      await fn.stop();
    }

    // Memory as the hosted runtime counts it, under both Denos.
    const memory: MemoryFigures[] = [];
    for (const deno of [Deno.execPath(), EDGE_DENO]) {
      console.log(`memory under ${deno} ...`);
      memory.push(
        await measureMemory(
          env,
          functionRuntime(deno),
          `?interview_result_id=${ids.L}&get_signed_recordings=true`,
          token,
          [16, 64],
        ),
      );
    }

    const raw = async (c: Case): Promise<Uint8Array<ArrayBuffer>> => {
      const headers = {
        apikey: env.SUPABASE_ANON_KEY,
        authorization: `Bearer ${token}`,
        "accept-encoding": "identity",
      };
      const res = c.kind === "a"
        ? await fetch(
          `${env.SUPABASE_URL}/rest/v1/rpc/interview_transcript?p_interview_result_id=${c.id}&p_view=full`,
          { headers },
        )
        : await fetch(`${env.SUPABASE_URL}/functions/v1/${functionPath(c)}`, { headers });
      return await res.bytes();
    };
    const rows: Row[] = [];
    for (const c of cases) {
      const bytes = await raw(c);
      const cc = conc.get(c)!;
      rows.push({
        case: `${c.kind} ${c.size}`,
        what: WHAT[c.kind],
        seq_ms: stats(seq.get(c)!),
        cpu_ms_per_call: cpu.get(c)!.length ? median(cpu.get(c)!) : null,
        conc16_ms: stats(cc.lat),
        rps: median(cc.rps),
        bytes: bytes.length,
        gzip_bytes: await gzipSize(bytes),
        // Requests that reached PostgREST or Storage per call ((a)'s own call is its one).
        upstream_per_call: upstreamMade.get(c)! / (ROUNDS * SEQ),
      });
    }
    const row = (kind: Kind, size: string) => rows.find((r) => r.case === `${kind} ${size}`)!;
    const p50 = (kind: Kind, size: string) => row(kind, size).seq_ms.p50;
    const cpuOf = (kind: Kind, size: string) => row(kind, size).cpu_ms_per_call!;
    const verdicts: { target: string; figure: string; met: boolean }[] = [];
    const verdict = (target: string, figure: string, met: boolean) =>
      verdicts.push({ target, figure, met });
    for (const size of ["M", "L"]) {
      const share = cpuOf("c", size) / cpuOf("q", size);
      verdict(
        `(c) CPU per call <= ${CPU_SHARE} x (q)'s on ${size}`,
        `${cpuOf("c", size).toFixed(2)} vs ${cpuOf("q", size).toFixed(2)} ms: ${share.toFixed(2)}`,
        share <= CPU_SHARE,
      );
    }
    for (const [mine, plainKind] of [["b", "p"], ["c", "q"]] as const) {
      for (const size of SIZES) {
        verdict(
          `(${mine}) p50 <= (${plainKind}) p50 on ${size}`,
          `${p50(mine, size).toFixed(1)} vs ${p50(plainKind, size).toFixed(1)} ms`,
          p50(mine, size) <= p50(plainKind, size),
        );
      }
    }
    verdict(
      "(c) upstream requests on S, M, L = 2",
      SIZES.map((s) => row("c", s).upstream_per_call.toFixed(2)).join(", "),
      SIZES.every((s) => row("c", s).upstream_per_call === 2),
    );
    for (const kind of ["d", "e"] as const) {
      const share = row(kind, "L").bytes / row("b", "L").bytes;
      verdict(
        `(${kind}) bytes <= 10% of L full`,
        `${(share * 100).toFixed(1)}%`,
        share <= 0.1,
      );
    }
    for (const m of memory) {
      for (const r of m.runs) {
        verdict(
          `Deno ${m.deno}: each of ${r.clients} signed L calls in flight <= ${MEMORY_X} x the document`,
          `${(r.per_call_bytes / 1024).toFixed(0)} KB = ${r.per_call_x_document.toFixed(2)} x ${
            (m.document_bytes / 1024).toFixed(0)
          } KB (peak ${(r.peak_bytes / 2 ** 20).toFixed(1)} MB)`,
          r.per_call_x_document <= MEMORY_X,
        );
      }
    }

    const results = {
      date: new Date().toISOString(),
      machine: machine(),
      settings: {
        rounds: ROUNDS,
        sequential_per_round: SEQ,
        concurrency: CONCURRENCY,
        per_client: CONCURRENT_PER_CLIENT,
      },
      cold_start_ms: { median: median(coldStarts), all: coldStarts },
      rows,
      // What any function in that place costs, and what this one adds to it (seq p50).
      floor: Object.fromEntries(SIZES.map((size) => [size, {
        relay_over_a: p50("r", size) / p50("a", size),
        function_over_a: p50("b", size) / p50("a", size),
        function_over_relay_ms: p50("b", size) - p50("r", size),
      }])),
      memory,
      verdicts,
    };
    await Deno.mkdir(`${ROOT}bench`, { recursive: true });
    await Deno.writeTextFile(`${ROOT}bench/results.json`, JSON.stringify(results, null, 2) + "\n");
    console.log(formatTable(results));
  } finally {
    worker?.terminate();
    await Promise.all(others.map((fn) => fn.stop()));
    await stack.stop();
  }
}

export function formatTable(r: {
  machine: string;
  date: string;
  cold_start_ms: { median: number };
  rows: Row[];
  floor: Record<
    string,
    { relay_over_a: number; function_over_a: number; function_over_relay_ms: number }
  >;
  verdicts: { target: string; figure: string; met: boolean }[];
}): string {
  const f = (n: number) => n.toFixed(1);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  return [
    `Machine: ${r.machine}; ${r.date.slice(0, 16)}Z`,
    "",
    "| case | what | seq p50 / p90 / p99 ms | CPU ms/call | 16 clients p50 / p90 / p99 ms | req/s (16) | bytes | gzipped | upstream/call |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...r.rows.map((x) =>
      `| ${x.case} | ${x.what} | ${f(x.seq_ms.p50)} / ${f(x.seq_ms.p90)} / ${f(x.seq_ms.p99)} | ${
        x.cpu_ms_per_call === null ? "—" : x.cpu_ms_per_call.toFixed(2)
      } | ${f(x.conc16_ms.p50)} / ${f(x.conc16_ms.p90)} / ${f(x.conc16_ms.p99)} | ${
        x.rps.toFixed(0)
      } | ${kb(x.bytes)} | ${kb(x.gzip_bytes)} | ${x.upstream_per_call.toFixed(2)} |`
    ),
    "",
    `Cold start (process start to first 200): ${f(r.cold_start_ms.median)} ms median of 5`,
    "",
    "The floor, (r): a bare relay in the function's place (seq p50):",
    ...Object.entries(r.floor).map(([size, x]) =>
      `- ${size}: (r)/(a) ${x.relay_over_a.toFixed(2)}, (b)/(a) ${
        x.function_over_a.toFixed(2)
      }; the function adds ${x.function_over_relay_ms.toFixed(2)} ms to (r)`
    ),
    "",
    "Targets:",
    ...r.verdicts.map((v) => `- ${v.met ? "MET    " : "NOT MET"} ${v.target}: ${v.figure}`),
  ].join("\n");
}

if (import.meta.main) await main();
