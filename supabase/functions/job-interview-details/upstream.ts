/**
 * What the upstream clients share (postgrest.ts for the RPC, storage.ts for signing, access_rpc.ts
 * for the access record). They
 * speak over fetch exactly as supabase-js sends its requests. Not supabase-js itself: its rpc()
 * always parses the body (about 5 ms for an 800 KB interview, which the function only passes on),
 * and createSignedUrls() builds links from SUPABASE_URL and takes no per-request abort signal.
 */

import type { Caller } from "./auth.ts";

export type Fetch = typeof fetch;

const NO_BYTES = new Uint8Array(0);
/** Bytes in memory: `Uint8Array<ArrayBuffer>` under TypeScript 5.7+, plain under 5.6 (Deno 2.1). */
export type Bytes = typeof NO_BYTES;

/** Why an upstream step failed: the step goes to the caller, the reason only to the log. */
export type UpstreamFailure = { step: "rpc" | "sign" | "record"; reason: string };

/**
 * Sent with both upstream calls. Identity encoding: Deno's fetch otherwise asks for gzip and
 * brotli, and a gateway that compresses would make the function spend CPU (2 s a request,
 * hosted) inflating 800 KB documents it only relays or splices, on a hop inside Supabase's
 * network.
 */
export const UPSTREAM_HEADERS = {
  "x-client-info": "job-interview-details/1",
  "accept-encoding": "identity",
} as const;

/**
 * The caller's own credential, as supabase-js sends it to PostgREST: their token with the
 * project's publishable key as `apikey`, or their secret key in both headers.
 */
export function callerHeaders(caller: Caller, apiKey: string): Record<string, string> {
  return {
    apikey: caller.credential === "secret_key" ? caller.token : apiKey,
    authorization: `Bearer ${caller.token}`,
  };
}

export const fail = (step: UpstreamFailure["step"], reason: string) => ({
  kind: "failed" as const,
  failure: { step, reason },
});

/** Why a fetch threw, in words fit for the log (never the error's own message). */
export function describe(error: unknown): string {
  const e = error as Error;
  if (e?.name === "TimeoutError") return "timed out";
  if (e?.name === "AbortError") return "cancelled";
  return `unreachable (${e?.name ?? "error"})`;
}

/** PostgREST's error body's `code` and `message`, or "" (the gateway's own answers carry none). */
export function postgrestError(body: Uint8Array): { code: string; message: string } {
  let error: Record<string, unknown> | undefined;
  try {
    error = JSON.parse(new TextDecoder().decode(body));
  } catch {
    // Not JSON: no code, no message.
  }
  return { code: String(error?.code ?? ""), message: String(error?.message ?? "") };
}

/** What PostgREST (or the gateway in front of it) answered, for the log. */
export function answered(status: number, code: string): string {
  return `PostgREST answered ${status}${code ? ` ${code}` : " (the gateway, no code)"}`;
}
