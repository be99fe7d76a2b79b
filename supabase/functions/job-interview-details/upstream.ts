/**
 * The two upstream calls, spoken over fetch exactly as supabase-js sends them. Not supabase-js
 * itself: its rpc() always parses the body (about 5 ms for an 800 KB interview, which the
 * function only passes on), and createSignedUrls() builds links from SUPABASE_URL and takes no
 * per-request abort signal.
 */

import type { Caller } from "./auth.ts";

export const RECORDINGS_BUCKET = "private-recordings";
const CLIENT_INFO = "job-interview-details/1";
/**
 * Sent with both upstream calls. Deno's fetch otherwise asks for gzip and brotli, and a gateway
 * that compresses would make the function spend CPU (2 s a request, hosted) inflating 800 KB
 * documents it only relays or splices, on a hop inside Supabase's network.
 */
const UPSTREAM_ENCODING = { "accept-encoding": "identity" };

export type Fetch = typeof fetch;

const NO_BYTES = new Uint8Array(0);
/** Bytes in memory: `Uint8Array<ArrayBuffer>` under TypeScript 5.7+, plain under 5.6 (Deno 2.1). */
export type Bytes = typeof NO_BYTES;

export type UpstreamFailure = { step: "rpc" | "sign"; reason: string };

export type RpcResult =
  | { kind: "found"; body: Bytes }
  /** A document too long to be `null`, still on the wire: the caller relays it as it comes. */
  | { kind: "relay"; body: ReadableStream<Uint8Array>; length: number }
  | { kind: "not_found" }
  /** The caller's credential refused as a credential (the only cause of a 401). */
  | { kind: "refused"; message: string }
  | { kind: "failed"; failure: UpstreamFailure };

const fail = (step: UpstreamFailure["step"], reason: string) => ({
  kind: "failed" as const,
  failure: { step, reason },
});

function describe(error: unknown): string {
  const e = error as Error;
  if (e?.name === "TimeoutError") return "timed out";
  if (e?.name === "AbortError") return "cancelled";
  return `unreachable (${e?.name ?? "error"})`;
}

/** Trims ASCII whitespace off both ends without copying. */
function trimmed(body: Uint8Array): [number, number] {
  let s = 0;
  let e = body.length - 1;
  while (s <= e && body[s] <= 0x20) s++;
  while (e >= s && body[e] <= 0x20) e--;
  return [s, e];
}

/**
 * `null`, however padded, is shorter than this. A 200 JSON answer at least this long (PostgREST
 * sends Content-Length) can only be the document, so it can be relayed unread.
 */
export const RELAY_MIN_BYTES = 64;

function relayable(res: Response): number | undefined {
  const length = Number(res.headers.get("content-length"));
  const json = /^application\/json\b/i.test(res.headers.get("content-type") ?? "");
  const document = res.status === 200 && json && res.body !== null && length >= RELAY_MIN_BYTES;
  return document ? length : undefined;
}

const INVALID_TOKEN = "Invalid or expired access token.";

/**
 * PostgREST's refusals of the caller's token (its 401s, v14 and v16 alike), by code and
 * message as it sends them (docs/local-stack.md, "Token errors"), each told as what it is:
 * PGRST301, a token it can't decode; PGRST303, claims it refuses: expired, not yet valid or
 * issued in the future (beyond its 30 s of skew), or claims that don't parse. And the RPC's
 * own PT401: the token's Auth session has ended (signed out, revoked, user deleted). Nothing
 * else is a refusal of the token: PGRST302 (anonymous access disabled) never comes from a
 * Supabase project, whose anon role is configured, and "JWT not in audience" needs a
 * `jwt-aud` that Supabase doesn't set.
 */
export function refusalMessage(code: string, message: string): string | undefined {
  if (code === "PGRST301") return INVALID_TOKEN;
  if (code === "PT401") return "The session has ended: sign in again.";
  if (code !== "PGRST303") return undefined;
  const claims: Record<string, string> = {
    "JWT expired": "The access token has expired.",
    "JWT not yet valid": "The access token is not valid yet.",
    "JWT issued at future": "The access token was issued in the future.",
  };
  return claims[message] ?? INVALID_TOKEN;
}

/** The upstream signal for one call: the deadline and the client, until `release()`. */
function linked(deadline: AbortSignal, client?: AbortSignal) {
  const stop = new AbortController();
  const onDeadline = () => stop.abort(deadline.reason);
  const onClient = () => stop.abort(client?.reason);
  if (deadline.aborted) onDeadline();
  else deadline.addEventListener("abort", onDeadline, { once: true });
  if (client?.aborted) onClient();
  else client?.addEventListener("abort", onClient, { once: true });
  return {
    stop,
    /** From here on the deadline no longer applies (the client's pace is not the upstream's). */
    releaseDeadline: () => deadline.removeEventListener("abort", onDeadline),
  };
}

export interface RpcContext {
  /** Where the RPC is read (the API load balancer sends GETs to read replicas). */
  readUrl: string;
  /** The primary, asked when a replica hasn't seen the caller's session yet. */
  primaryUrl: string;
  apiKey: string;
  fetch: Fetch;
}

/** One call of the RPC: who, which result and view, the deadline and the client's signal. */
export interface TranscriptRequest {
  caller: Caller;
  id: string;
  view: string;
  signal: AbortSignal;
  client?: AbortSignal;
  /** Hand a document whose length is announced back unread, as a stream. */
  relay?: boolean;
}

/**
 * GET /rest/v1/rpc/interview_transcript?p_interview_result_id=…&p_view=… with the caller's
 * credential: their token (with the project's publishable key as `apikey`), or their secret key
 * in both headers, as supabase-js sends a secret-keyed client's requests. GET, as supabase-js's
 * `rpc(fn, args, { get: true })`: the RPC is STABLE, and Supabase's API load balancer
 * (`readUrl`) sends GETs to the nearest read replica; one that hasn't replayed the caller's
 * session yet says so (PT409) and the primary is asked. With `relay`, a document whose length is
 * announced comes back unread, as a stream. Otherwise the body is kept as bytes: a JSON object
 * (checked by its ends, not parsed) or `null` for not found / not visible. `signal` is the
 * deadline, `client` the caller going away: either cancels the call.
 */
export async function fetchTranscript(
  ctx: RpcContext,
  input: TranscriptRequest,
): Promise<RpcResult> {
  const first = await callRpc(ctx, ctx.readUrl, input);
  if (first.replicaBehind && ctx.readUrl !== ctx.primaryUrl) {
    return (await callRpc(ctx, ctx.primaryUrl, input)).result;
  }
  return first.result;
}

async function callRpc(
  ctx: RpcContext,
  base: string,
  input: TranscriptRequest,
): Promise<{ result: RpcResult; replicaBehind?: boolean }> {
  const { caller } = input;
  const query = new URLSearchParams({ p_interview_result_id: input.id, p_view: input.view });
  const { stop, releaseDeadline } = linked(input.signal, input.client);
  let res: Response;
  let body: Bytes;
  try {
    res = await ctx.fetch(`${base}/rest/v1/rpc/interview_transcript?${query}`, {
      headers: {
        apikey: caller.credential === "secret_key" ? caller.token : ctx.apiKey,
        authorization: `Bearer ${caller.token}`,
        accept: "application/json",
        "x-client-info": CLIENT_INFO,
        ...UPSTREAM_ENCODING,
      },
      signal: stop.signal,
    });
    const length = input.relay ? relayable(res) : undefined;
    if (length !== undefined) {
      releaseDeadline();
      // Handed to Deno untouched, the body goes from socket to socket without passing through
      // JS: nearly half the function's CPU on a 640 KB answer. The price: once handed over, an
      // upstream that stalls mid-body is no longer ours to cut (an aborted fetch goes on
      // delivering it); the platform's idle timeout (150 s) ends it.
      return { result: { kind: "relay", body: res.body!, length } };
    }
    body = await res.bytes();
  } catch (error) {
    return { result: fail("rpc", describe(stop.signal.reason ?? error)) };
  }
  if (!res.ok) {
    const error = safeJson(body);
    const code = String(error?.code ?? "");
    if (res.status === 409 && code === "PT409") {
      return { result: fail("rpc", "the replica has not seen the session"), replicaBehind: true };
    }
    if (res.status === 401 || res.status === 403) {
      const refused = refusalMessage(code, String(error?.message ?? ""));
      if (refused) return { result: { kind: "refused", message: refused } };
      // PostgREST ran the call as anon: the credential is the anon or a publishable key.
      if (res.status === 401 && code === "42501") {
        return {
          result: { kind: "refused", message: "A signed-in user's access token is required." },
        };
      }
      // The gateway refused the API key: the caller's own secret key, or the function's key
      // (deleted, or legacy keys turned off), which is no fault of the caller's.
      if (res.status === 401 && !code && caller.credential === "secret_key") {
        return { result: { kind: "refused", message: INVALID_TOKEN } };
      }
    }
    return {
      result: fail(
        "rpc",
        `PostgREST answered ${res.status}${code ? ` ${code}` : " (the gateway, no code)"}`,
      ),
    };
  }
  const [s, e] = trimmed(body);
  if (
    e - s === 3 && body[s] === 0x6e && body[s + 1] === 0x75 && body[s + 2] === 0x6c &&
    body[s + 3] === 0x6c
  ) {
    return { result: { kind: "not_found" } };
  }
  if (body[s] !== 0x7b || body[e] !== 0x7d) {
    return { result: fail("rpc", "PostgREST answered malformed JSON") };
  }
  return {
    result: {
      kind: "found",
      body: s === 0 && e === body.length - 1 ? body : body.subarray(s, e + 1),
    },
  };
}

function safeJson(body: Uint8Array): Record<string, unknown> | undefined {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
}

const MALFORMED_SIGNING = "Storage answered malformed JSON";

/** Storage refuses a batch of more than this many paths (400, `body/paths must NOT have …`). */
export const SIGN_BATCH_MAX = 1000;
/** Batches signed at once: a 2,500-recording result takes 3 requests, in about one's time. */
const SIGN_PARALLEL = 3;

export type SignResult =
  | {
    kind: "signed";
    /** A link per path; null where Storage has no object for it. */
    urls: Map<string, string | null>;
    /** The earliest expiry (ms) of the tokens Storage returned; undefined when it returned none. */
    expiresAt?: number;
  }
  | { kind: "failed"; failure: UpstreamFailure };

/** Where and as whom recordings are signed, and the base of the links handed out. */
export type SignContext = {
  supabaseUrl: string;
  serviceKey: string;
  publicBaseUrl: string;
  fetch: Fetch;
};

/** A key as a URL path: each segment percent-encoded, so every key Storage accepts opens. */
export function encodeKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

const TOKEN = /[?&]token=([\w-]+\.[\w-]+\.[\w-]+)(?:&|$)/;

/** The token of a `signedURL` (its path is raw and may hold `?` or `&`; the token can't). */
export function tokenOf(signedURL: string): string | undefined {
  const at = signedURL.lastIndexOf("?token=");
  return at < 0 ? undefined : TOKEN.exec(signedURL.slice(at))?.[1];
}

/** The `exp` of a token's payload in ms, or undefined when it has none. */
export function expiryOf(token: string): number | undefined {
  try {
    const part = token.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
    const exp = JSON.parse(atob(part + "=".repeat((4 - part.length % 4) % 4))).exp;
    return typeof exp === "number" ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Signs every path, in batches Storage accepts, a few at once. Each link is built from the path
 * asked for and the token Storage returned (not from its raw `signedURL`). Paths Storage can't
 * sign (no object) map to null; any failed or malformed batch fails the whole step and cancels
 * the others, so no partial data is ever sent.
 */
export async function signPaths(
  ctx: SignContext,
  input: { paths: string[]; expiresIn: number; signal: AbortSignal },
): Promise<SignResult> {
  const batches: string[][] = [];
  for (let i = 0; i < input.paths.length; i += SIGN_BATCH_MAX) {
    batches.push(input.paths.slice(i, i + SIGN_BATCH_MAX));
  }
  const stop = new AbortController();
  const signal = AbortSignal.any([input.signal, stop.signal]);
  const urls = new Map<string, string | null>();
  let expiresAt: number | undefined;
  let failure: UpstreamFailure | undefined;
  let next = 0;
  const worker = async () => {
    while (next < batches.length && !failure) {
      const result = await signBatch(ctx, batches[next++], input.expiresIn, signal);
      if (result.kind === "failed") {
        failure ??= result.failure;
        stop.abort();
        return;
      }
      for (const [path, url] of result.urls) urls.set(path, url);
      if (result.expiresAt !== undefined) {
        expiresAt = Math.min(expiresAt ?? Infinity, result.expiresAt);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SIGN_PARALLEL, batches.length) }, worker));
  return failure ? { kind: "failed", failure } : { kind: "signed", urls, expiresAt };
}

async function signBatch(
  ctx: SignContext,
  paths: string[],
  expiresIn: number,
  signal: AbortSignal,
): Promise<SignResult> {
  let entries: unknown;
  try {
    const res = await ctx.fetch(`${ctx.supabaseUrl}/storage/v1/object/sign/${RECORDINGS_BUCKET}`, {
      method: "POST",
      headers: {
        apikey: ctx.serviceKey,
        authorization: `Bearer ${ctx.serviceKey}`,
        "content-type": "application/json",
        "x-client-info": CLIENT_INFO,
        ...UPSTREAM_ENCODING,
      },
      body: JSON.stringify({ expiresIn, paths }),
      signal,
    });
    const text = await res.text();
    if (!res.ok) return fail("sign", `Storage answered ${res.status}`);
    entries = JSON.parse(text);
  } catch (error) {
    return fail("sign", error instanceof SyntaxError ? MALFORMED_SIGNING : describe(error));
  }
  // One entry per path, in order (Storage's contract); anything else is not its answer.
  if (!Array.isArray(entries) || entries.length !== paths.length) {
    return fail("sign", MALFORMED_SIGNING);
  }
  const base = `${ctx.publicBaseUrl}/storage/v1/object/sign/${RECORDINGS_BUCKET}/`;
  const urls = new Map<string, string | null>();
  let expiresAt: number | undefined;
  for (let i = 0; i < paths.length; i++) {
    const { path, signedURL } = (entries[i] ?? {}) as { path?: unknown; signedURL?: unknown };
    if (path !== paths[i] || (signedURL !== null && typeof signedURL !== "string")) {
      return fail("sign", MALFORMED_SIGNING);
    }
    const token = signedURL === null ? undefined : tokenOf(signedURL);
    if (signedURL !== null && !token) return fail("sign", MALFORMED_SIGNING);
    urls.set(paths[i], token ? `${base}${encodeKey(paths[i])}?token=${token}` : null);
    const exp = token ? expiryOf(token) : undefined;
    if (exp !== undefined) expiresAt = Math.min(expiresAt ?? Infinity, exp);
  }
  return { kind: "signed", urls, expiresAt };
}
