/**
 * What the two upstream clients share (postgrest.ts for the RPC, storage.ts for signing). They
 * speak over fetch exactly as supabase-js sends its requests. Not supabase-js itself: its rpc()
 * always parses the body (about 5 ms for an 800 KB interview, which the function only passes on),
 * and createSignedUrls() builds links from SUPABASE_URL and takes no per-request abort signal.
 */

export type Fetch = typeof fetch;

const NO_BYTES = new Uint8Array(0);
/** Bytes in memory: `Uint8Array<ArrayBuffer>` under TypeScript 5.7+, plain under 5.6 (Deno 2.1). */
export type Bytes = typeof NO_BYTES;

/** Why an upstream step failed: the step goes to the caller, the reason only to the log. */
export type UpstreamFailure = { step: "rpc" | "sign"; reason: string };

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
