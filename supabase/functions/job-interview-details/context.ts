/**
 * What the middleware and the steps of a request share through Hono's context, and the two
 * things every step does with it: answer with JSON bytes whose size is counted, and time an
 * upstream call.
 */
import type { Context } from "hono";
import type { RequestIdVariables } from "hono/request-id";
import { setMetric, type TimingVariables } from "hono/timing";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Caller } from "./auth.ts";
import type { RequestLog } from "./log.ts";
import type { Bytes } from "./upstream.ts";

export type Env = {
  Variables: RequestIdVariables & TimingVariables & {
    /** The request's log line, filled in by each step; written once the answer leaves. */
    log: Partial<RequestLog>;
    /** Who the credential says is calling (credential.ts); PostgREST verifies it later. */
    caller: Caller;
    /** Bytes of the answer's body (before compression). */
    bytes: number;
    /** The answer carries the document: only then does it say how long each step took. */
    found: boolean;
    /** The request body was left partly unread: the connection must close. */
    unread: boolean;
  };
};

export type Ctx = Context<Env>;

const JSON_TYPE = "application/json; charset=utf-8";

/** A JSON answer of `bytes` bytes: the size goes to the log and decides gzip. */
export function answer(
  c: Ctx,
  body: Bytes | ReadableStream<Uint8Array>,
  bytes: number,
  status: ContentfulStatusCode = 200,
  headers: Record<string, string> = {},
): Response {
  c.set("bytes", bytes);
  return c.body(body, status, { ...headers, "content-type": JSON_TYPE });
}

/** A JSON answer from a value. */
export function answerJson(
  c: Ctx,
  value: unknown,
  status: ContentfulStatusCode = 200,
  headers: Record<string, string> = {},
): Response {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  return answer(c, bytes, bytes.length, status, headers);
}

/** Runs one upstream step, timing it for Server-Timing and the log line. */
export async function timed<T>(
  c: Ctx,
  name: "rpc" | "sign" | "record",
  fn: () => Promise<T>,
): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    const ms = performance.now() - start;
    setMetric(c, name, ms);
    c.get("log")[`${name}_ms`] = round(ms);
  }
}

/** Milliseconds to one decimal, as the log writes them. */
export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
