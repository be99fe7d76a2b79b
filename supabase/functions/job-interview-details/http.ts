/** Response plumbing shared by every answer: CORS, request ids, timing, compression. Pure helpers. */

export const DEFAULT_ALLOWED_HEADERS =
  "authorization, x-client-info, apikey, content-type, x-retry-count, traceparent, tracestate, baggage, x-request-id";
export const ALLOWED_METHODS = "GET, POST, OPTIONS";
export const EXPOSED_HEADERS = "X-Request-Id, Server-Timing";
/** Below this a gzip frame costs more than it saves. */
export const GZIP_MIN_BYTES = 1024;

/** Keeps a caller's X-Request-Id when it is a sane token; otherwise makes one. */
export function requestIdFrom(header: string | null | undefined): string {
  return header && /^[\w.:-]{1,128}$/.test(header) ? header : crypto.randomUUID();
}

/** CORS headers for an answer to `origin`, given the allowed origins (`*` for any). */
export function corsHeaders(
  origin: string | null | undefined,
  allowed: readonly string[],
): Record<string, string> {
  if (allowed.includes("*")) {
    return { "access-control-allow-origin": "*", "access-control-expose-headers": EXPOSED_HEADERS };
  }
  const headers: Record<string, string> = { vary: "Origin" };
  if (origin && allowed.includes(origin)) {
    headers["access-control-allow-origin"] = origin;
    headers["access-control-expose-headers"] = EXPOSED_HEADERS;
  }
  return headers;
}

/** Extra headers of a preflight answer. */
export function preflightHeaders(
  requestedHeaders: string | null | undefined,
): Record<string, string> {
  return {
    "access-control-allow-methods": ALLOWED_METHODS,
    "access-control-allow-headers": requestedHeaders && /^[\w ,-]{1,2000}$/.test(requestedHeaders)
      ? requestedHeaders
      : DEFAULT_ALLOWED_HEADERS,
    "access-control-max-age": "86400",
  };
}

/** `rpc;dur=1.2, sign;dur=3.4, total;dur=5.6` */
export function serverTiming(timings: Record<string, number>): string {
  return Object.entries(timings).map(([name, ms]) => `${name};dur=${ms.toFixed(1)}`).join(", ");
}

export function acceptsGzip(acceptEncoding: string | null | undefined): boolean {
  return /(^|,)\s*gzip\s*(;\s*q=(?!0(\.0*)?\s*(,|$))[\d.]+)?\s*(,|$)/i.test(acceptEncoding ?? "");
}
