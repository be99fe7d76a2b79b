/**
 * The middleware every answer passes through, errors included, in the order app.ts applies it:
 * the finish (no caching, the unread body dropped, gzip, one log line), a request id without a
 * key in it, Hono's own CORS and request id, and Server-Timing for answers that found the result.
 */
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { timing } from "hono/timing";
import { drainUnread } from "./body.ts";
import { type Env, round } from "./context.ts";
import { ALLOWED_METHODS, EXPOSED_HEADERS, gzipped } from "./http.ts";
import { type Logger, scrubbed } from "./log.ts";
import { methodOf, routeOf } from "./routes.ts";

/** Outermost, so it sees the answer as it leaves; writes the request's one log line. */
export function finish(log: Logger): MiddlewareHandler<Env> {
  return async function finish(c, next) {
    const started = performance.now();
    c.set("log", {});
    c.set("bytes", 0);
    await next();
    // Set in place: re-wrapping would turn an in-memory body into a stream.
    c.res.headers.set("cache-control", "private, no-store");
    if (c.get("unread") || await drainUnread(c.req.raw)) {
      c.res.headers.set("connection", "close");
    }
    const bytes = c.get("bytes");
    const { res, gzip } = gzipped(c.res, bytes, c.req.header("accept-encoding"));
    if (gzip) {
      c.res = undefined;
      c.res = res;
    }
    log.request(scrubbed({
      ...c.get("log"),
      request_id: c.get("requestId"),
      method: methodOf(c.req.method),
      path: routeOf(c.req.path),
      status: res.status,
      total_ms: round(performance.now() - started),
      bytes,
      gzip,
    }));
  };
}

/**
 * The caller's X-Request-Id is kept when it is a sane token (Hono: [A-Za-z0-9_=-], at most 128),
 * else a new one is made. One shaped like a key (sb_...) is dropped first: it would be echoed and
 * logged.
 */
export const keylessRequestId: MiddlewareHandler<Env> = async (c, next) => {
  if (/^sb_/i.test(c.req.header("x-request-id") ?? "")) {
    const headers = new Headers(c.req.raw.headers);
    headers.delete("x-request-id");
    c.req.raw = new Request(c.req.raw, { headers });
  }
  await next();
};

export function corsFor(origins: string[]): MiddlewareHandler<Env> {
  return cors({
    origin: origins.includes("*") ? "*" : origins,
    allowMethods: ALLOWED_METHODS,
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: 86400,
  });
}

/**
 * Only answers that found the result say how long the steps took: otherwise the rpc time of a
 * hidden result against a missing one would tell them apart, readable by any origin.
 */
export const timingWhenFound: MiddlewareHandler<Env> = timing({
  enabled: (c) => c.get("found") === true && c.res.status === 200,
});
