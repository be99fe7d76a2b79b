/**
 * The RPC call: GET /rest/v1/rpc/interview_transcript with the caller's own credential, so that
 * PostgREST verifies it and Postgres decides what the caller sees.
 */
import type { Caller } from "./auth.ts";
import { refusal } from "./refusals.ts";
import {
  answered,
  type Bytes,
  callerHeaders,
  describe,
  fail,
  type Fetch,
  postgrestError,
  UPSTREAM_HEADERS,
  type UpstreamFailure,
} from "./upstream.ts";

export type RpcResult =
  | { kind: "found"; body: Bytes }
  /** A document too long to be `null`, still on the wire: the caller relays it as it comes. */
  | { kind: "relay"; body: ReadableStream<Uint8Array>; length: number }
  | { kind: "not_found" }
  /** The caller's credential refused as a credential (the only cause of a 401). */
  | { kind: "refused"; message: string }
  | { kind: "failed"; failure: UpstreamFailure };

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
 * `null`, however padded, is shorter than this. A 200 JSON answer at least this long (PostgREST
 * sends Content-Length) can only be the document, so it can be relayed unread.
 */
export const RELAY_MIN_BYTES = 64;

/**
 * Reads the transcript as the caller: their token (with the project's publishable key as
 * `apikey`), or their secret key in both headers, as supabase-js sends a secret-keyed client's
 * requests. GET, as supabase-js's `rpc(fn, args, { get: true })`: the RPC is STABLE, and
 * Supabase's API load balancer (`readUrl`) sends GETs to the nearest read replica; one that
 * hasn't replayed the caller's session yet says so (PT409) and the primary is asked. With
 * `relay`, a document whose length is announced comes back unread, as a stream. Otherwise the
 * body is kept as bytes: a JSON object (checked by its ends, not parsed) or `null` for not found
 * / not visible. `signal` is the deadline, `client` the caller going away: either cancels it.
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

type Called = { result: RpcResult; replicaBehind?: boolean };

async function callRpc(ctx: RpcContext, base: string, input: TranscriptRequest): Promise<Called> {
  const { caller } = input;
  const query = new URLSearchParams({ p_interview_result_id: input.id, p_view: input.view });
  const { stop, release } = linked(input.signal, input.client);
  let res: Response;
  let body: Bytes;
  try {
    res = await ctx.fetch(`${base}/rest/v1/rpc/interview_transcript?${query}`, {
      headers: {
        ...callerHeaders(caller, ctx.apiKey),
        accept: "application/json",
        ...UPSTREAM_HEADERS,
      },
      signal: stop.signal,
    });
    const length = input.relay ? relayable(res) : undefined;
    if (length !== undefined) {
      release();
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
  return res.ok ? { result: documentOrNull(body) } : notOk(res.status, body, caller);
}

/** The length of an answer that can be relayed unread, or undefined. */
function relayable(res: Response): number | undefined {
  const length = Number(res.headers.get("content-length"));
  const json = /^application\/json\b/i.test(res.headers.get("content-type") ?? "");
  const document = res.status === 200 && json && res.body !== null && length >= RELAY_MIN_BYTES;
  return document ? length : undefined;
}

/** A refusal of the caller's credential, a replica behind, or the rpc step failing. */
function notOk(status: number, body: Bytes, caller: Caller): Called {
  const { code, message: said } = postgrestError(body);
  if (status === 409 && code === "PT409") {
    return { result: fail("rpc", "the replica has not seen the session"), replicaBehind: true };
  }
  const message = refusal(status, code, said, caller.credential);
  if (message !== undefined) return { result: { kind: "refused", message } };
  return { result: fail("rpc", answered(status, code)) };
}

/** A 200's body: `null` (not found, or not visible), a JSON object, or neither (a failure). */
function documentOrNull(body: Bytes): RpcResult {
  const [s, e] = trimmed(body);
  if (
    e - s === 3 && body[s] === 0x6e && body[s + 1] === 0x75 && body[s + 2] === 0x6c &&
    body[s + 3] === 0x6c
  ) {
    return { kind: "not_found" };
  }
  if (body[s] !== 0x7b || body[e] !== 0x7d) {
    return fail("rpc", "PostgREST answered malformed JSON");
  }
  return { kind: "found", body: s === 0 && e === body.length - 1 ? body : body.subarray(s, e + 1) };
}

/** Trims ASCII whitespace off both ends without copying. */
function trimmed(body: Uint8Array): [number, number] {
  let s = 0;
  let e = body.length - 1;
  while (s <= e && body[s] <= 0x20) s++;
  while (e >= s && body[e] <= 0x20) e--;
  return [s, e];
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
    /**
     * For a body handed to Deno: the deadline no longer applies (the client's pace is not the
     * upstream's), and the client going away is Deno's to handle (it cancels the body, and so
     * the upstream). Left linked, the client's signal would error the body under Deno 2.1 (the
     * hosted runtime's), which aborts it when the answer ends or the client leaves; mid-body,
     * behind gzip, that error went uncaught and ended the process.
     */
    release: () => {
      deadline.removeEventListener("abort", onDeadline);
      client?.removeEventListener("abort", onClient);
    },
  };
}
