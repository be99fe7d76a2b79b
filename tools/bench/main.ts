/**
 * `npm run bench`: the function beside a direct RPC call, across payload sizes, in one run with
 * the same client (supabase-js) and the same local stack. Generates S/M/L results inside a table
 * of 100,000 results and 2,000,000 items (db/generate.sql), then measures
 *   (a) supabase-js rpc('interview_transcript')          (b) the function, no signing
 *   (c) the function with signing                        (d) the function, view=standard (L)
 * for latency (sequential and 16 concurrent clients), throughput, bytes plain and gzipped,
 * upstream requests per call, the function's peak RSS and its cold start. Prints a table and
 * writes bench/results.json.  BENCH_ROUNDS=3 BENCH_SEQ=60 npm run bench
 */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { startFunction } from "../local-stack/function_process.ts";
import { signUserToken } from "../local-stack/keys.ts";
import { ROOT } from "../local-stack/database.ts";
import { processMemoryKb, run } from "../local-stack/processes.ts";
import { startStack } from "../local-stack/stack.ts";
import { measureRpc } from "./db.ts";

const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? 3);
const SEQ = Number(Deno.env.get("BENCH_SEQ") ?? 60);
const CONCURRENCY = 16;
const CONCURRENT_PER_CLIENT = Number(Deno.env.get("BENCH_CONCURRENT") ?? 8);

type Case = { id: string; size: "S" | "M" | "L"; kind: "a" | "b" | "c" | "d" };
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
    // One client for every case; identity encoding so loopback latency is not spent on gzip.
    const client: SupabaseClient = createClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, {
      auth: { persistSession: false, autoRefreshToken: false },
      global: { headers: { Authorization: `Bearer ${token}`, "Accept-Encoding": "identity" } },
    });
    const fnPid = Number(env.STACK_FUNCTION_PID);

    /** The function's query string for a case: (c) signs, (d) asks for the standard view. */
    const query = (c: Case) =>
      `interview_result_id=${c.id}` + (c.kind === "c" ? "&get_signed_recordings=true" : "") +
      (c.kind === "d" ? "&view=standard" : "");

    const call = async (c: Case): Promise<void> => {
      if (c.kind === "a") {
        const { data, error } = await client.rpc("interview_transcript", {
          p_interview_result_id: c.id,
          p_view: "full",
        });
        if (error || !data) throw new Error(`rpc failed: ${JSON.stringify(error)}`);
        return;
      }
      const { data, error } = await client.functions.invoke(`job-interview-details?${query(c)}`, {
        method: "GET",
      });
      if (error || !data?.transcript) throw new Error(`function failed: ${error?.message}`);
    };

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
        : await fetch(`${env.FUNCTION_URL}?${query(c)}`, { headers });
      return await res.bytes();
    };

    const cases: Case[] = (["S", "M", "L"] as const).flatMap((size) =>
      (["a", "b", "c", ...(size === "L" ? ["d"] as const : [])] as const).map((kind) => ({
        id: ids[size],
        size,
        kind,
      }))
    );
    const seq = new Map<Case, number[]>(cases.map((c) => [c, []]));
    const conc = new Map<Case, { lat: number[]; rps: number[] }>(
      cases.map((c) => [c, { lat: [], rps: [] }]),
    );
    const upstream = new Map<Case, number>();
    const peakRss = new Map<Case, number>();

    for (const c of cases) for (let i = 0; i < 5; i++) await call(c); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order every round so no case always runs on a warmer machine.
      const order = round % 2 === 0 ? cases : [...cases].reverse();
      for (const c of order) {
        const before = counts.rest + counts.storage;
        for (let i = 0; i < SEQ; i++) {
          const t = performance.now();
          await call(c);
          seq.get(c)!.push(performance.now() - t);
        }
        // Upstream requests the call caused beyond its own gateway hop (a's own hop is its one).
        const made = counts.rest + counts.storage - before;
        upstream.set(c, c.kind === "a" ? made / SEQ : made / SEQ);
        const started = performance.now();
        const lat: number[] = [];
        await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
          for (let i = 0; i < CONCURRENT_PER_CLIENT; i++) {
            const t = performance.now();
            await call(c);
            lat.push(performance.now() - t);
          }
        }));
        const entry = conc.get(c)!;
        entry.lat.push(...lat);
        entry.rps.push(
          (CONCURRENCY * CONCURRENT_PER_CLIENT) / ((performance.now() - started) / 1000),
        );
        if (c.kind !== "a") {
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
        }[c.kind],
        seq_ms: s,
        conc16_ms: stats(cc.lat),
        rps: median(cc.rps),
        bytes: bytes.length,
        gzip_bytes: await gzipSize(bytes),
        upstream_per_call: upstream.get(c)!,
        function_peak_rss_mb: c.kind === "a" ? null : peakRss.get(c)! / 1024,
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
      targets,
    };
    await Deno.mkdir(`${ROOT}bench`, { recursive: true });
    await Deno.writeTextFile(`${ROOT}bench/results.json`, JSON.stringify(results, null, 2) + "\n");
    console.log(formatTable(results));
  } finally {
    await stack.stop();
  }
}

export function formatTable(r: {
  machine: string;
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
