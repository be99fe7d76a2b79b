/**
 * The benchmark's client: supabase-js in a Worker, so it runs on its own thread and never shares
 * an event loop with the local stack's gateway in the bench's main thread (a real client never
 * shares a process with Kong or PostgREST). It times calls; the main thread counts what reached
 * the gateway and reads the functions' CPU.
 */
/// <reference lib="deno.worker" />
import { createClient, type SupabaseClient } from "@supabase/supabase-js";

/**
 * (a) the RPC, (b) the function, (c) with signing, (d) view=standard, (e) view=condensed,
 * (r) the bare relay, (p) the plain supabase-js function, (q) the plain function with signing,
 * (n) the function over a copy of the RPC without its session check (what the check costs),
 * (u) the function without its access record, (v) the same with signing (what a record costs).
 */
export type Kind = "a" | "b" | "c" | "d" | "e" | "r" | "p" | "q" | "n" | "u" | "v";
export type Case = { id: string; size: "S" | "M" | "L"; kind: Kind };

/** The other functions behind the gateway, by name (see bare_relay/, plain_function/). */
export const BARE_RELAY = "bench-bare-relay";
export const PLAIN = "bench-plain";
export const UNCHECKED = "bench-unchecked";
export const NO_RECORD = "bench-no-record";

export type ClientRequest =
  | { op: "init"; url: string; anonKey: string; token: string }
  | { op: "call"; c: Case }
  | { op: "concurrent"; c: Case; clients: number; perClient: number }
  /** One invoke of the function for a result the caller can't have: its time and status. */
  | { op: "probe"; id: string };

export type ClientReply =
  | { ok: true; ms?: number; latencies?: number[]; elapsedMs?: number; status?: number }
  | { ok: false; error: string };

const NAMES: Partial<Record<Kind, string>> = {
  r: BARE_RELAY,
  p: PLAIN,
  q: PLAIN,
  n: UNCHECKED,
  u: NO_RECORD,
  v: NO_RECORD,
};
const QUERY: Partial<Record<Kind, string>> = {
  c: "&get_signed_recordings=true",
  q: "&get_signed_recordings=true",
  v: "&get_signed_recordings=true",
  d: "&view=standard",
  e: "&view=condensed",
};

/** A function case's path under /functions/v1: which function, with its query. */
export const functionPath = (c: Case) =>
  `${NAMES[c.kind] ?? "job-interview-details"}?interview_result_id=${c.id}${QUERY[c.kind] ?? ""}`;

let client: SupabaseClient;

async function call(c: Case): Promise<void> {
  if (c.kind === "a") {
    const { data, error } = await client.rpc("interview_transcript", {
      p_interview_result_id: c.id,
      p_view: "full",
    }, { get: true });
    if (error || !data) throw new Error(`rpc failed: ${JSON.stringify(error)}`);
    return;
  }
  const { data, error } = await client.functions.invoke(functionPath(c), { method: "GET" });
  if (error || !data?.transcript) throw new Error(`${c.kind} ${c.size} failed: ${error?.message}`);
}

async function handle(req: ClientRequest): Promise<ClientReply> {
  switch (req.op) {
    case "init":
      // One client for every case; identity encoding so loopback latency is not spent on gzip.
      client = createClient(req.url, req.anonKey, {
        auth: { persistSession: false, autoRefreshToken: false },
        global: {
          headers: { Authorization: `Bearer ${req.token}`, "Accept-Encoding": "identity" },
        },
      });
      return { ok: true };
    case "call": {
      const t = performance.now();
      await call(req.c);
      return { ok: true, ms: performance.now() - t };
    }
    case "probe": {
      const t = performance.now();
      const { error } = await client.functions.invoke(
        `job-interview-details?interview_result_id=${req.id}`,
        { method: "GET" },
      );
      const ms = performance.now() - t;
      const status = (error as { context?: Response } | null)?.context?.status ?? 200;
      await (error as { context?: Response } | null)?.context?.body?.cancel();
      return { ok: true, ms, status };
    }
    case "concurrent": {
      const started = performance.now();
      const latencies: number[] = [];
      await Promise.all(Array.from({ length: req.clients }, async () => {
        for (let i = 0; i < req.perClient; i++) {
          const t = performance.now();
          await call(req.c);
          latencies.push(performance.now() - t);
        }
      }));
      return { ok: true, latencies, elapsedMs: performance.now() - started };
    }
  }
}

self.onmessage = async (e: MessageEvent<ClientRequest>) => {
  try {
    self.postMessage(await handle(e.data));
  } catch (error) {
    self.postMessage({ ok: false, error: (error as Error).message } satisfies ClientReply);
  }
};
