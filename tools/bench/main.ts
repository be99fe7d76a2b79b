/**
 * `npm run bench`: the function beside a direct RPC call, across payload sizes, in one run with
 * the same client (supabase-js) and the same local stack. Generates S/M/L results inside a table
 * of 100,000 results and 2,000,000 items (db/generate.sql), then measures
 *   (a) supabase-js rpc('interview_transcript')          (b) the function, no signing
 *   (c) the function with signing                        (d) the function, view=standard (L)
 * for latency (sequential and 16 concurrent clients), throughput, bytes plain and gzipped,
 * upstream requests per call, the function's peak RSS and its cold start; and (r), a bare relay
 * in the function's place (bare_relay.ts): the floor of (b) on this stack, so b - r is what the
 * function itself adds. The client runs in a Worker (client.ts), off the gateway's thread. Prints
 * a table and writes bench/results.json.  BENCH_ROUNDS=3 BENCH_SEQ=60 npm run bench
 */
import {
  BARE_RELAY,
  type Case,
  type ClientReply,
  type ClientRequest,
  functionPath,
} from "./client.ts";
import { startFunction } from "../local-stack/function_process.ts";
import { signUserToken } from "../local-stack/keys.ts";
import { ROOT } from "../local-stack/database.ts";
import { freePort, portInUse, processMemoryKb, run, waitFor } from "../local-stack/processes.ts";
import { startStack } from "../local-stack/stack.ts";
import { measureRpc } from "./db.ts";

const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? 3);
const SEQ = Number(Deno.env.get("BENCH_SEQ") ?? 60);
const CONCURRENCY = 16;
const CONCURRENT_PER_CLIENT = Number(Deno.env.get("BENCH_CONCURRENT") ?? 8);

type Stats = { p50: number; p90: number; p99: number };

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

async function main() {
  const counts = { rest: 0, storage: 0 };
  let worker: Worker | undefined;
  let relay: Deno.ChildProcess | undefined;
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
      ]))
        .trim().split("\n").map((l) => l.split(" ")),
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
    const fnPid = Number(env.STACK_FUNCTION_PID);
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

    // The floor: a bare relay in the function's place, behind the same gateway and gate.
    const relayPort = freePort();
    relay = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-net", "--allow-env", `${ROOT}tools/bench/bare_relay.ts`],
      env: {
        DENO_SERVE_ADDRESS: `tcp:127.0.0.1:${relayPort}`,
        SUPABASE_URL: env.SUPABASE_URL,
        SUPABASE_ANON_KEY: env.SUPABASE_ANON_KEY,
      },
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitFor("the bare relay", () => portInUse(relayPort));
    stack.functions.set(BARE_RELAY, { url: `http://127.0.0.1:${relayPort}`, verifyJwt: true });

    const raw = async (c: Case): Promise<Uint8Array<ArrayBuffer>> => {
      const headers = {
        apikey: env.SUPABASE_ANON_KEY,
        authorization: `Bearer ${token}`,
        "accept-encoding": "identity",
        "content-type": "application/json",
      };
      const res = c.kind === "a"
        ? await fetch(`${env.SUPABASE_URL}/rest/v1/rpc/interview_transcript`, {
          method: "POST",
          headers,
          body: JSON.stringify({ p_interview_result_id: c.id, p_view: "full" }),
        })
        : await fetch(`${env.SUPABASE_URL}/functions/v1/${functionPath(c)}`, { headers });
      return await res.bytes();
    };

    const cases: Case[] = (["S", "M", "L"] as const).flatMap((size) =>
      (["a", "b", "r", "c", ...(size === "L" ? ["d"] as const : [])] as const).map((kind) => ({
        id: ids[size],
        size,
        kind,
      }))
    );
    const seq = new Map<Case, number[]>(cases.map((c) => [c, []]));
    const conc = new Map<Case, { lat: number[]; rps: number[] }>(
      cases.map((c) => [c, { lat: [], rps: [] }]),
    );
    const upstreamMade = new Map<Case, number>(cases.map((c) => [c, 0]));
    const peakRss = new Map<Case, number>();

    for (let i = 0; i < 5; i++) for (const c of cases) await call(c); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      // Sequential: the cases of a size take turns call by call (in alternating order), so a
      // ratio such as (b)/(a) compares calls made on the same machine state, not minutes apart.
      for (const size of ["S", "M", "L"] as const) {
        const group = cases.filter((c) => c.size === size);
        for (let i = 0; i < SEQ; i++) {
          for (const c of i % 2 === 0 ? group : [...group].reverse()) {
            const before = counts.rest + counts.storage;
            seq.get(c)!.push(await call(c));
            upstreamMade.set(c, upstreamMade.get(c)! + counts.rest + counts.storage - before);
          }
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
        if (c.kind !== "a" && c.kind !== "r") {
          peakRss.set(c, Math.max(peakRss.get(c) ?? 0, processMemoryKb(fnPid, "VmHWM")));
        }
      }
    }

    // Cold start: a fresh function process, from spawn to the first 200 of a real request.
    const coldStarts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const fn = await startFunction(env, { UPSTREAM_TIMEOUT_MS: "10000" });
      const res = await fetch(`${fn.url}?interview_result_id=${ids.S}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await res.body?.cancel();
      if (res.status !== 200) throw new Error(`cold start answered ${res.status}`);
      coldStarts.push(performance.now() - t);
      await fn.stop();
    }

    const dbMs: Record<string, number> = {};
    for (const view of ["standard", "full"]) {
      dbMs[view] = (await measureRpc(env.SUPABASE_DB_URL, "bench-m", view)).rpcMs;
    }

    const rows: Parameters<typeof formatTable>[0]["rows"] = [];
    for (const c of cases) {
      const bytes = await raw(c);
      const s = stats(seq.get(c)!);
      const cc = conc.get(c)!;
      rows.push({
        case: `${c.kind} ${c.size}`,
        what: {
          a: "supabase-js rpc()",
          b: "function",
          c: "function + signing",
          d: "function view=standard",
          r: "bare relay in the function's place",
        }[c.kind],
        seq_ms: s,
        conc16_ms: stats(cc.lat),
        rps: median(cc.rps),
        bytes: bytes.length,
        gzip_bytes: await gzipSize(bytes),
        // Requests that reached PostgREST or Storage per call ((a)'s own call is its one).
        upstream_per_call: upstreamMade.get(c)! / (ROUNDS * SEQ),
        function_peak_rss_mb: peakRss.has(c) ? peakRss.get(c)! / 1024 : null,
      });
    }
    const byCase = (k: string) => rows.find((r) => r.case === k)!;
    const targets = {
      "b/a p50 on L <= 1.10": byCase("b L").seq_ms.p50 / byCase("a L").seq_ms.p50,
      "b/a p50 on S <= 1.30": byCase("b S").seq_ms.p50 / byCase("a S").seq_ms.p50,
      "c upstream requests on S, M, L == 2": ["c S", "c M", "c L"].map((k) =>
        byCase(k).upstream_per_call
      ),
      "d bytes / L full bytes <= 10%": byCase("d L").bytes / byCase("b L").bytes,
      "RPC in Postgres, M standard < 2 ms": dbMs.standard,
      "RPC in Postgres, M full < 10 ms": dbMs.full,
    };
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
      floor: Object.fromEntries((["S", "M", "L"] as const).map((size) => {
        const [a, b, r] = ["a", "b", "r"].map((k) => byCase(`${k} ${size}`).seq_ms.p50);
        return [size, { relay_over_a: r / a, function_over_relay_ms: b - r }];
      })),
      targets,
    };
    await Deno.mkdir(`${ROOT}bench`, { recursive: true });
    await Deno.writeTextFile(`${ROOT}bench/results.json`, JSON.stringify(results, null, 2) + "\n");
    console.log(formatTable(results));
  } finally {
    worker?.terminate();
    relay?.kill();
    await relay?.status;
    await stack.stop();
  }
}

export function formatTable(r: {
  machine: string;
  floor: Record<string, { relay_over_a: number; function_over_relay_ms: number }>;
  date: string;
  cold_start_ms: { median: number };
  rows: {
    case: string;
    what: string;
    seq_ms: Stats;
    conc16_ms: Stats;
    rps: number;
    bytes: number;
    gzip_bytes: number;
    upstream_per_call: number;
    function_peak_rss_mb: number | null;
  }[];
  targets: Record<string, number | number[]>;
}): string {
  const f = (n: number) => n.toFixed(1);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const lines = [
    `Machine: ${r.machine}; ${r.date.slice(0, 16)}Z`,
    "",
    "| case | what | seq p50 / p90 / p99 ms | 16 clients p50 / p90 / p99 ms | req/s (16) | bytes | gzipped | upstream/call | fn peak RSS |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...r.rows.map((x) =>
      `| ${x.case} | ${x.what} | ${f(x.seq_ms.p50)} / ${f(x.seq_ms.p90)} / ${f(x.seq_ms.p99)} | ${
        f(x.conc16_ms.p50)
      } / ${f(x.conc16_ms.p90)} / ${f(x.conc16_ms.p99)} | ${x.rps.toFixed(0)} | ${kb(x.bytes)} | ${
        kb(x.gzip_bytes)
      } | ${x.upstream_per_call.toFixed(2)} | ${
        x.function_peak_rss_mb === null ? "—" : `${x.function_peak_rss_mb.toFixed(0)} MB`
      } |`
    ),
    "",
    `Cold start (process start to first 200): ${f(r.cold_start_ms.median)} ms median of 5`,
    "",
    "The floor, (r): a bare relay in the function's place (seq p50):",
    ...Object.entries(r.floor).map(([size, x]) =>
      `- ${size}: r/a ${x.relay_over_a.toFixed(2)}; the function adds ${
        x.function_over_relay_ms.toFixed(2)
      } ms to it`
    ),
    "",
    "Targets:",
    ...Object.entries(r.targets).map(([k, v]) =>
      `- ${k}: ${
        Array.isArray(v)
          ? v.join(", ")
          : k.includes("%")
          ? `${(v * 100).toFixed(1)}%`
          : k.includes("ms")
          ? `${v.toFixed(3)} ms`
          : v.toFixed(2)
      }`
    ),
  ];
  return lines.join("\n");
}

if (import.meta.main) await main();
