/**
 * The access record's call: POST /rest/v1/rpc/record_interview_access with the caller's own
 * credential, on the primary (a read replica can't write; a POST never goes to one anyway).
 * Postgres takes the reader from the token PostgREST verified, never from an argument: the
 * arguments say only what was read and how.
 */
import type { AccessRecord } from "./access.ts";
import type { Caller } from "./auth.ts";
import {
  answered,
  callerHeaders,
  describe,
  fail,
  type Fetch,
  postgrestError,
  UPSTREAM_HEADERS,
  type UpstreamFailure,
} from "./upstream.ts";

export type RecordResult =
  | { kind: "recorded"; id: string }
  /** The RPC answered null: the caller may no longer see the result, so nothing was written. */
  | { kind: "not_recorded" }
  | { kind: "failed"; failure: UpstreamFailure };

export interface RecordContext {
  /** SUPABASE_URL: the primary, never the read replicas' endpoint. */
  primaryUrl: string;
  apiKey: string;
  fetch: Fetch;
}

export interface RecordRequest {
  caller: Caller;
  record: AccessRecord;
  /** The request's upstream deadline. */
  signal: AbortSignal;
}

/** A uuid as PostgREST answers a function returning one: a JSON string. */
const RECORD_ID = /^\s*"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"\s*$/i;

/** Writes one record as the caller; its id, null's "not recorded", or why it failed. */
export async function recordAccess(
  ctx: RecordContext,
  input: RecordRequest,
): Promise<RecordResult> {
  const r = input.record;
  try {
    const res = await ctx.fetch(`${ctx.primaryUrl}/rest/v1/rpc/record_interview_access`, {
      method: "POST",
      headers: {
        ...callerHeaders(input.caller, ctx.apiKey),
        "content-type": "application/json",
        accept: "application/json",
        ...UPSTREAM_HEADERS,
      },
      body: JSON.stringify({
        p_interview_result_id: r.interview_result_id,
        p_view: r.view,
        p_recordings_signed: r.recordings_signed,
        p_links_expire_in: r.links_expire_in,
        p_request_id: r.request_id,
        p_origin: r.origin,
      }),
      signal: input.signal,
    });
    const body = await res.bytes();
    if (!res.ok) return fail("record", answered(res.status, postgrestError(body).code));
    const text = new TextDecoder().decode(body);
    if (text.trim() === "null") return { kind: "not_recorded" };
    const id = RECORD_ID.exec(text)?.[1];
    return id ? { kind: "recorded", id } : fail("record", "PostgREST answered no record id");
  } catch (error) {
    return fail("record", describe(input.signal.reason ?? error));
  }
}
