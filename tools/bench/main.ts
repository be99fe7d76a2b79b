/**
 * `npm run bench`: the function beside what a user would otherwise run, in one run with the same
 * client (supabase-js) and the same local stack. Generates S/M/L results inside a table of
 * 100,000 results and 2,000,000 items (db/generate.sql), then measures
 *   (a) supabase-js rpc(..., { get: true })        (b) the function        (c) with signing
 *   (p) the plain supabase-js function              (q) the plain function with signing
 *   (r) a bare relay in the function's place (the floor of (b) on this stack)
 *   (u) the function without its access record  (v) the same with signing (what a record costs)
 *   (d) view=standard and (e) view=condensed on L (bytes)
 * for latency (sequential, call by call in turn; and 16 concurrent clients), the CPU each
 * function process spends per call (utime + stime over blocks of calls in turn), throughput, bytes,
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
  NO_RECORD,
  PLAIN,
  UNCHECKED,
} from "./client.ts";
import {
  EDGE_DENO,
  type FunctionProcess,
  functionRuntime,
  startFunction,
  THE_FUNCTION,
} from "../local-stack/function_process.ts";
import { signUserToken } from "../local-stack/keys.ts";
import { ROOT } from "../local-stack/database.ts";
import { run, waitFor } from "../local-stack/processes.ts";
import { startStack } from "../local-stack/stack.ts";
import { cpuMs, measureMemory, type MemoryFigures } from "./measure.ts";
import { serveCopy, serveWithoutRecords } from "./variants.ts";

const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? 3);
const SEQ = Number(Deno.env.get("BENCH_SEQ") ?? 60);
const CONCURRENCY = 16;
/** CPU is read over SEQ calls per case and round, in this many blocks taken in turn. */
const CPU_BLOCKS = 3;
const CPU_BLOCK = Math.ceil(SEQ / CPU_BLOCKS);
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
  n: "function over the RPC without its session check",
  u: "function without its access record",
  v: "function without its access record + signing",
};
/**
 * Targets: CPU per call on M and L, as a share of the plain function's. Signed, (c) vs (q): the
 * I/O both spend signing (one Storage request, the same bytes through TLS-less HTTP) sets a floor
 * that made 0.5 unreachable, so 0.85. Unsigned, (b) vs (p): 0.3.
 */
const CPU_SHARE = { c: { of: "q", share: 0.85 }, b: { of: "p", share: 0.3 } } as const;
/** Targets: the session check adds at most this share to (b)'s p50 on S (the smallest call). */
const SESSION_SHARE = 0.05;
/** Hidden vs missing: interleaved probes of each, and the |z| beyond which they differ. */
const PROBES = Number(Deno.env.get("BENCH_PROBES") ?? 500);
const Z_LIMIT = 1.96;
/** Targets: each call in flight at most this many times the document, under both Denos. */
const MEMORY_X = 1.5;
/**
 * Targets (issue 26): a read's p50 with its access record at most this many times the same read
 * without. Unsigned (b) vs (u): the record is written after the answer. Signed (c) vs (v): while
 * the links are signed, and the links wait for it.
 */
const RECORD_X = { b: { of: "u", x: 1.05 }, c: { of: "v", x: 1.1 } } as const;
/** Before CPU is read after a block: an unsigned read's record is written after its answer. */
const SETTLE_MS = 50;

type RecordTarget = typeof RECORD_X[keyof typeof RECORD_X];
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

function machine(pgMajor: string): string {
  const cpu = /model name\s*:\s*(.*)/.exec(Deno.readTextFileSync("/proc/cpuinfo"))?.[1] ??
    "unknown CPU";
  const memGb = Number(/MemTotal:\s+(\d+)/.exec(Deno.readTextFileSync("/proc/meminfo"))?.[1] ?? 0) /
    1024 / 1024;
  return `${navigator.hardwareConcurrency} cores (${cpu}), ${
    memGb.toFixed(0)
  } GiB, Deno ${Deno.version.deno}, PostgreSQL ${pgMajor}`;
}

/**
 * Mann-Whitney U as a z score (ties ranked by their mean): how far apart two samples of times
 * sit, without assuming their shape. |z| < 1.96: no difference at the 5% level.
 */
export function mannWhitneyZ(xs: number[], ys: number[]): number {
  const all = [...xs.map((v) => ({ v, x: true })), ...ys.map((v) => ({ v, x: false }))]
    .sort((a, b) => a.v - b.v);
  let rankX = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j].v === all[i].v) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k].x) rankX += rank;
    i = j;
  }
  const [n1, n2] = [xs.length, ys.length];
  const u = rankX - (n1 * (n1 + 1)) / 2;
  return (u - (n1 * n2) / 2) / Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12);
}

/**
 * (n): the same function over a copy of the RPC without its session check, so (b) - (n) is what
 * the check costs. The copy is made from the live definition, so it cannot drift from it.
 */
async function serveUnchecked(
  stack: Awaited<ReturnType<typeof startStack>>,
): Promise<FunctionProcess> {
  const check = "perform private.require_live_session();";
  await run("psql", [
    stack.env.SUPABASE_DB_URL,
    "-q",
    "-v",
    "ON_ERROR_STOP=1",
    "-c",
    `
    do $$
    declare d text := pg_get_functiondef('public.interview_transcript(uuid,text)'::regprocedure);
    begin
      if position('${check}' in d) = 0 then raise exception 'the RPC has no session check'; end if;
      execute replace(replace(d, '${check}', ''), 'public.interview_transcript(',
        'public.bench_transcript_unchecked(');
    end $$;
    revoke execute on function public.bench_transcript_unchecked(uuid, text) from public, anon;
    grant execute on function public.bench_transcript_unchecked(uuid, text) to authenticated;
    notify pgrst, 'reload schema';`,
  ]);
  const fn = await serveCopy(
    stack.env,
    UNCHECKED,
    (_file, text) => text.replaceAll("rpc/interview_transcript", "rpc/bench_transcript_unchecked"),
  );
  stack.functions.set(UNCHECKED, {
    url: new URL(fn.url).origin,
    verifyJwt: false,
    as: THE_FUNCTION.name,
  });
  return fn;
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

/** The function without its access records behind the gateway, as NO_RECORD. */
async function serveNoRecord(
  stack: Awaited<ReturnType<typeof startStack>>,
): Promise<FunctionProcess> {
  const fn = await serveWithoutRecords(stack.env, NO_RECORD);
  stack.functions.set(NO_RECORD, {
    url: new URL(fn.url).origin,
    verifyJwt: false,
    as: THE_FUNCTION.name,
  });
  return fn;
}

async function main() {
  // The read's own upstream requests, and apart from them the access records' writes.
  const counts = { rest: 0, storage: 0, records: 0 };
  let worker: Worker | undefined;
  const others: FunctionProcess[] = [];
  const stack = await startStack({
    port: 0,
    functionLog: "/dev/null",
    onGatewayRequest: (_m, path) => {
      if (path === "/rest/v1/rpc/record_interview_access") counts.records++;
      else if (path.startsWith("/rest/v1/")) counts.rest++;
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
    // A token as Auth issues it: for a session Auth keeps (the RPC checks it is live).
    const [sub, sessionId] = (await run("psql", [
      env.SUPABASE_DB_URL,
      "-At",
      "-F",
      " ",
      "-c",
      `insert into auth.sessions (id, user_id, created_at, updated_at, aal)
       values (gen_random_uuid(), md5('bench:recruiter')::uuid, now(), now(), 'aal1')
       returning user_id, id`,
    ])).trim().split("\n")[0].split(" ");
    const token = await signUserToken(keys, {
      sub,
      sessionId,
      issuer: `${env.SUPABASE_URL}/auth/v1`,
      expiresIn: 3600 * 4,
    });

    const relay = await serveBeside(stack, BARE_RELAY);
    const plain = await serveBeside(stack, PLAIN);
    const unchecked = await serveUnchecked(stack);
    const noRecord = await serveNoRecord(stack);
    others.push(relay, plain, unchecked, noRecord);
    const pidOf: Partial<Record<Kind, number>> = {
      u: noRecord.pid,
      v: noRecord.pid,
      b: Number(env.STACK_FUNCTION_PID),
      c: Number(env.STACK_FUNCTION_PID),
      p: plain.pid,
      q: plain.pid,
      r: relay.pid,
      n: unchecked.pid,
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
      ([
        "a",
        "b",
        "u",
        "r",
        "c",
        "v",
        "p",
        "q",
        ...(size === "S" ? ["n"] as const : []),
        ...(size === "L" ? ["d", "e"] as const : []),
      ] as const)
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
        // CPU: blocks of calls of one case at a time, read off its function's process; the
        // cases take turns block by block (in alternating order), so a ratio compares blocks run
        // seconds apart. Each case's figure is its CPU over all its calls.
        const measured = group.filter((c) => pidOf[c.kind]);
        for (let b = 0; b < CPU_BLOCKS; b++) {
          for (const c of (round + b) % 2 === 0 ? measured : [...measured].reverse()) {
            const before = cpuMs(pidOf[c.kind]!);
            for (let i = 0; i < CPU_BLOCK; i++) await call(c);
            await new Promise((r) => setTimeout(r, SETTLE_MS));
            cpu.get(c)!.push(cpuMs(pidOf[c.kind]!) - before);
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

    // Hidden vs missing: a result that exists but is not the caller's must answer as one that
    // does not exist, in body and in time. Interleaved, the order turning each time; the control
    // is missing vs missing, what "no difference" looks like on this machine now.
    const hiddenId = "93c98d21-e04d-4a84-9afa-ed154cf73636";
    const probes = { hidden: [] as number[], missing: [] as number[], control: [] as number[] };
    for (let i = 0; i < PROBES; i++) {
      const turn = [
        ["hidden", hiddenId],
        ["missing", crypto.randomUUID()],
        ["control", crypto.randomUUID()],
      ] as const;
      for (let k = 0; k < 3; k++) {
        const [which, id] = turn[(i + k) % 3];
        const { ms, status } = await ask({ op: "probe", id });
        if (status !== 404) throw new Error(`${which} probe answered ${status}`);
        probes[which].push(ms!);
      }
    }
    const probing = {
      probes: PROBES,
      hidden_p50_ms: median(probes.hidden),
      missing_p50_ms: median(probes.missing),
      control_p50_ms: median(probes.control),
      z_hidden_vs_missing: mannWhitneyZ(probes.hidden, probes.missing),
      z_control: mannWhitneyZ(probes.control, probes.missing),
    };

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
        cpu_ms_per_call: cpu.get(c)!.length
          ? cpu.get(c)!.reduce((a, b) => a + b, 0) / (ROUNDS * CPU_BLOCKS * CPU_BLOCK)
          : null,
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
    for (
      const [mine, { of, share: limit }] of Object.entries(CPU_SHARE) as [
        Kind,
        typeof CPU_SHARE[keyof typeof CPU_SHARE],
      ][]
    ) {
      for (const size of ["M", "L"]) {
        const share = cpuOf(mine, size) / cpuOf(of, size);
        verdict(
          `(${mine}) CPU per call <= ${limit} x (${of})'s on ${size}`,
          `${cpuOf(mine, size).toFixed(2)} vs ${cpuOf(of, size).toFixed(2)} ms: ${
            share.toFixed(2)
          }`,
          share <= limit,
        );
      }
    }
    {
      const added = (p50("b", "S") - p50("n", "S")) / p50("n", "S");
      verdict(
        `the session check adds <= ${SESSION_SHARE * 100}% to (b) p50 on S`,
        `${p50("b", "S").toFixed(2)} vs ${p50("n", "S").toFixed(2)} ms without it: ${
          (added * 100).toFixed(1)
        }%`,
        added <= SESSION_SHARE,
      );
    }
    verdict(
      `a hidden result takes as long as a missing one (|z| < ${Z_LIMIT})`,
      `p50 ${probing.hidden_p50_ms.toFixed(2)} vs ${probing.missing_p50_ms.toFixed(2)} ms, z ${
        probing.z_hidden_vs_missing.toFixed(2)
      } (control, missing vs missing: z ${probing.z_control.toFixed(2)}); ${PROBES} each`,
      Math.abs(probing.z_hidden_vs_missing) < Z_LIMIT,
    );
    for (const [mine, plainKind] of [["b", "p"], ["c", "q"]] as const) {
      for (const size of SIZES) {
        verdict(
          `(${mine}) p50 <= (${plainKind}) p50 on ${size}`,
          `${p50(mine, size).toFixed(1)} vs ${p50(plainKind, size).toFixed(1)} ms`,
          p50(mine, size) <= p50(plainKind, size),
        );
      }
    }
    for (const [mine, { of, x: limit }] of Object.entries(RECORD_X) as [Kind, RecordTarget][]) {
      for (const size of SIZES) {
        const x = p50(mine, size) / p50(of, size);
        verdict(
          `(${mine}) p50 <= ${limit} x (${of}) p50 on ${size}, with its record against without`,
          `${p50(mine, size).toFixed(2)} vs ${p50(of, size).toFixed(2)} ms: ${x.toFixed(3)}`,
          x <= limit,
        );
      }
    }
    verdict(
      "(c) upstream requests on S, M, L = 2 (the RPC, the signing), its record apart",
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
      machine: machine(env.STACK_PG_MAJOR),
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
      hidden_vs_missing: probing,
      // What the access record adds to a read: with it ((b), (c)) against without ((u), (v)).
      access_record: recordCost(rows),
      access_records_written: counts.records,
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

type RecordCost = {
  case: string;
  with_record: { seq_p50_ms: number; cpu_ms_per_call: number; conc16_p50_ms: number; rps: number };
  without: { seq_p50_ms: number; cpu_ms_per_call: number; conc16_p50_ms: number; rps: number };
  seq_p50_x: number;
  cpu_added_ms: number;
};

/** Each read with its record against the same read without, size by size. */
function recordCost(rows: Row[]): RecordCost[] {
  const side = (r: Row) => ({
    seq_p50_ms: r.seq_ms.p50,
    cpu_ms_per_call: r.cpu_ms_per_call!,
    conc16_p50_ms: r.conc16_ms.p50,
    rps: r.rps,
  });
  return SIZES.flatMap((size) =>
    (Object.entries(RECORD_X) as [Kind, RecordTarget][]).map(([mine, { of }]) => {
      const [withRecord, without] = [mine, of].map((k) =>
        side(rows.find((r) => r.case === `${k} ${size}`)!)
      );
      return {
        case: `(${mine}) vs (${of}) ${size}`,
        with_record: withRecord,
        without,
        seq_p50_x: withRecord.seq_p50_ms / without.seq_p50_ms,
        cpu_added_ms: withRecord.cpu_ms_per_call - without.cpu_ms_per_call,
      };
    })
  );
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
  access_record: RecordCost[];
  access_records_written: number;
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
    `What the access record costs a read (${r.access_records_written} records written in the run):`,
    "| with vs without | seq p50 ms | x | CPU ms/call | added | 16 clients p50 ms | req/s (16) |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...r.access_record.map((x) =>
      `| ${x.case} | ${x.with_record.seq_p50_ms.toFixed(2)} vs ${
        x.without.seq_p50_ms.toFixed(2)
      } | ${x.seq_p50_x.toFixed(3)} | ${x.with_record.cpu_ms_per_call.toFixed(2)} vs ${
        x.without.cpu_ms_per_call.toFixed(2)
      } | ${x.cpu_added_ms.toFixed(2)} | ${f(x.with_record.conc16_p50_ms)} vs ${
        f(x.without.conc16_p50_ms)
      } | ${x.with_record.rps.toFixed(0)} vs ${x.without.rps.toFixed(0)} |`
    ),
    "",
    "Targets:",
    ...r.verdicts.map((v) => `- ${v.met ? "MET    " : "NOT MET"} ${v.target}: ${v.figure}`),
  ].join("\n");
}

if (import.meta.main) await main();
