/**
 * The benchmark's client: supabase-js in a Worker, so it runs on its own thread and never shares
 * an event loop with the local stack's gateway in the bench's main thread (a real client never
 * shares a process with Kong or PostgREST). It times calls; the main thread counts what reached
 * the gateway.
 */
/// <reference lib="deno.worker" />
import { createClient, type SupabaseClient } from "@supabase/supabase-js";

/** (a) the RPC, (b) the function, (c) signing, (d) view=standard, (r) the bare relay. */
export type Case = { id: string; size: "S" | "M" | "L"; kind: "a" | "b" | "c" | "d" | "r" };

/** The bare relay's name behind the gateway (see bare_relay.ts). */
export const BARE_RELAY = "bench-bare-relay";

export type ClientRequest =
  | { op: "init"; url: string; anonKey: string; token: string }
  | { op: "call"; c: Case }
  | { op: "concurrent"; c: Case; clients: number; perClient: number };

export type ClientReply =
  | { ok: true; ms?: number; latencies?: number[]; elapsedMs?: number }
  | { ok: false; error: string };

/**
 * A function case's path under /functions/v1: the bare relay or the function, with its query;
 * (c) signs, (d) asks for the standard view.
 */
export const functionPath = (c: Case) =>
  `${c.kind === "r" ? BARE_RELAY : "job-interview-details"}?interview_result_id=${c.id}` +
  (c.kind === "c" ? "&get_signed_recordings=true" : "") +
  (c.kind === "d" ? "&view=standard" : "");

let client: SupabaseClient;

async function call(c: Case): Promise<void> {
  if (c.kind === "a") {
    const { data, error } = await client.rpc("interview_transcript", {
      p_interview_result_id: c.id,
      p_view: "full",
    });
    if (error || !data) throw new Error(`rpc failed: ${JSON.stringify(error)}`);
    return;
  }
  const { data, error } = await client.functions.invoke(functionPath(c), { method: "GET" });
  if (error || !data?.transcript) throw new Error(`function failed: ${error?.message}`);
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
