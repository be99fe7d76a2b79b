/**
 * The Hono app, built from its dependencies so tests can swap any edge. Routes answer with and
 * without the `/job-interview-details` prefix (some CLI versions strip it).
 */
import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import { requestId, type RequestIdVariables } from "hono/request-id";
import { setMetric, timing, type TimingVariables } from "hono/timing";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type Caller, checkCredential, credentialsFrom, fromBrowser } from "./auth.ts";
import type { Config } from "./config.ts";
import {
  AppError,
  internalError,
  notFound,
  unauthorized,
  upstreamFailed,
  validationFailed,
} from "./errors.ts";
import { ALLOWED_METHODS, bodyOf, EXPOSED_HEADERS, gzipped } from "./http.ts";
import { parseBody, parseQuery } from "./input.ts";
import { budgetedLogger, type Logger, type RequestLog, scrubbed } from "./log.ts";
import { buildOpenApi } from "./openapi.ts";
import { mapDocument, recordingPaths, spliceSignedUrls } from "./recordings.ts";
import {
  type Bytes,
  type Fetch,
  fetchTranscript,
  type RpcResult,
  signPaths,
  type SignResult,
  type TranscriptRequest,
  type UpstreamFailure,
} from "./upstream.ts";

export interface Deps {
  config: Config;
  fetchTranscript: (input: TranscriptRequest) => Promise<RpcResult>;
  signPaths: (
    input: { paths: string[]; expiresIn: number; signal: AbortSignal },
  ) => Promise<SignResult>;
  log: Logger;
  now: () => Date;
}

/** Real dependencies: `fetch` for both upstreams, the budgeted logger, the clock. */
export function createDeps(
  config: Config,
  fetchImpl: Fetch = fetch,
  log: Logger = budgetedLogger(config.logBudget),
): Deps {
  const { supabaseUrl, apiKey, serviceKey } = config;
  return {
    config,
    fetchTranscript: (input) =>
      fetchTranscript({
        readUrl: config.readUrl,
        primaryUrl: supabaseUrl,
        apiKey,
        fetch: fetchImpl,
      }, input),
    signPaths: (input) =>
      signPaths({
        supabaseUrl,
        serviceKey,
        publicBaseUrl: config.signedUrlBaseUrl,
        fetch: fetchImpl,
      }, input),
    log,
    now: () => new Date(),
  };
}

type Env = {
  Variables: RequestIdVariables & TimingVariables & {
    log: Partial<RequestLog>;
    /** Bytes of the answer's body (before compression). */
    bytes: number;
    /** The answer carries the document: only then does it say how long each step took. */
    found: boolean;
    /** The request body was left partly unread: the connection must close. */
    unread: boolean;
  };
};

const JSON_TYPE = "application/json; charset=utf-8";
/** A request body up to this size is read and dropped when unanswered; larger ones close. */
const DRAIN_MAX_BYTES = 64 * 1024;
/** How long an answer waits for the rest of a body it didn't need before closing instead. */
const DRAIN_MS = 200;
/** The routes, as the log names a request's path: no part of a path a client chose is logged. */
const ROUTES = [
  "/job-interview-details",
  "/job-interview-details/openapi.json",
  "/",
  "/openapi.json",
];
const LOGGED_METHODS = ["GET", "POST", "OPTIONS", "HEAD", "PUT", "PATCH", "DELETE"];

function jsonBytes(
  c: Context<Env>,
  body: Bytes | string,
  status: ContentfulStatusCode = 200,
  headers: Record<string, string> = {},
): Response {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  c.set("bytes", bytes.length);
  return c.body(bytes, status, { ...headers, "content-type": JSON_TYPE });
}

/** Runs one upstream step, timing it for Server-Timing and the log line. */
async function timed<T>(c: Context<Env>, name: "rpc" | "sign", fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    const ms = performance.now() - start;
    setMetric(c, name, ms);
    c.get("log")[`${name}_ms`] = round(ms);
  }
}

export function createApp(deps: Deps): Hono<Env> {
  const { config } = deps;
  const app = new Hono<Env>({ strict: false });
  const openApi = JSON.stringify(buildOpenApi());
  const anyOrigin = config.corsAllowedOrigins.includes("*");

  // Every answer, errors included: no caching, gzip, the unread body dropped, one log line.
  // Outermost, so it sees the answer as it leaves.
  app.use(async function finish(c, next) {
    const started = performance.now();
    c.set("log", {});
    c.set("bytes", 0);
    await next();
    // Set in place: re-wrapping would turn an in-memory body into a stream.
    c.res.headers.set("cache-control", "private, no-store");
    if (c.get("unread") || await discardUnreadBody(c.req.raw)) {
      c.res.headers.set("connection", "close");
    }
    const bytes = c.get("bytes");
    const { res, gzip } = gzipped(c.res, bytes, c.req.header("accept-encoding"));
    if (gzip) {
      c.res = undefined;
      c.res = res;
    }
    const path = c.req.path.replace(/\/+$/, "") || "/";
    deps.log(scrubbed({
      ...c.get("log"),
      request_id: c.get("requestId"),
      method: LOGGED_METHODS.includes(c.req.method) ? c.req.method : "(other)",
      path: ROUTES.includes(path) ? path : "(other)",
      status: res.status,
      total_ms: round(performance.now() - started),
      bytes,
      gzip,
    }));
  });
  // The caller's X-Request-Id when it is a sane token (Hono: [A-Za-z0-9_=-], at most 128), else
  // a new one. One shaped like a key (sb_...) is dropped first: it would be echoed and logged.
  app.use(async function keylessRequestId(c, next) {
    if (/^sb_/i.test(c.req.header("x-request-id") ?? "")) {
      const headers = new Headers(c.req.raw.headers);
      headers.delete("x-request-id");
      c.req.raw = new Request(c.req.raw, { headers });
    }
    await next();
  });
  app.use(requestId({ headerName: "X-Request-Id", limitLength: 128 }));
  app.use(cors({
    origin: anyOrigin ? "*" : config.corsAllowedOrigins,
    allowMethods: ALLOWED_METHODS,
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: 86400,
  }));
  // Only answers that found the result say how long the steps took: otherwise the rpc time of
  // a hidden result against a missing one would tell them apart, readable by any origin.
  app.use(timing({ enabled: (c) => c.get("found") === true && c.res.status === 200 }));

  async function details(c: Context<Env>): Promise<Response> {
    const requestId = c.get("requestId");
    const log = c.get("log");
    c.set("found", false);
    // The log keeps why a step failed; the caller gets the step and the request id only.
    const failStep = (failure: UpstreamFailure): never => {
      log.upstream_failure = `${failure.step}: ${failure.reason}`;
      throw upstreamFailed(failure.step, requestId);
    };

    // The credential first, before any body is read: an unauthenticated request that announces a
    // body and never sends it is answered at once.
    const credentials = credentialsFrom(c.req.header("authorization"), c.req.header("apikey"));
    if (credentials.error !== undefined) throw unauthorized(credentials.error);
    const checked = checkCredential(credentials.token, Math.floor(deps.now().getTime() / 1000));
    if (!checked.caller) throw unauthorized(checked.error);
    const caller: Caller = checked.caller;
    if (caller.credential === "secret_key" && fromBrowser(c.req.header("user-agent"))) {
      throw unauthorized("A secret key can't be used from a browser: call from a server.");
    }
    log.sub = caller.sub;
    log.role = caller.role;

    const url = new URL(c.req.url);
    const input = c.req.method === "POST"
      ? await parseBody(c.req.raw, url.searchParams, config.bodyTimeoutMs)
      : parseQuery(url.searchParams);
    if (input.error) {
      c.set("unread", input.unread === true);
      throw validationFailed(input.error.message, input.error.name);
    }
    const { interview_result_id: id, view } = input.data;
    const signed = input.data.get_signed_recordings === "true";
    log.view = view;
    log.signed = signed;

    // The deadline bounds the upstreams (the RPC and the signing together); a client that goes
    // away cancels them.
    const signal = AbortSignal.timeout(config.upstreamTimeoutMs);
    const client = c.req.raw.signal;
    // Unsigned answers are relayed as they arrive.
    const relay = !signed;
    const rpc = await timed(
      c,
      "rpc",
      () => deps.fetchTranscript({ caller, id, view, signal, client, relay }),
    );
    switch (rpc.kind) {
      case "not_found":
        throw notFound();
      case "refused":
        throw unauthorized(rpc.message);
      case "failed":
        return failStep(rpc.failure);
      case "relay":
        // Deno reads the relayed body as the client takes it; Content-Length is left to
        // chunking. Either framing makes a body cut short by the upstream an error for the
        // client, never a complete-looking 200.
        c.set("bytes", rpc.length);
        c.set("found", true);
        return c.body(rpc.body, 200, { "content-type": JSON_TYPE });
    }
    c.set("found", true);
    // Without signing the RPC's bytes go out untouched: no parse, no re-serialising.
    if (!signed) return jsonBytes(c, rpc.body);

    // With signing, the URLs are spliced into the same bytes: no parse, no re-serialising.
    const map = mapDocument(rpc.body);
    if (!map) {
      c.set("found", false);
      return failStep({ step: "rpc", reason: "malformed document" });
    }
    const paths = recordingPaths(map);
    log.recordings = paths.length;
    let urls = new Map<string, string | null>();
    let expiresAt: number | undefined;
    if (paths.length > 0) {
      const result = await timed(
        c,
        "sign",
        () =>
          deps.signPaths({
            paths,
            expiresIn: config.signedUrlTtlSeconds,
            signal: AbortSignal.any([signal, client]),
          }),
      );
      if (result.kind === "failed") return failStep(result.failure);
      ({ urls, expiresAt } = result);
    }
    // Never later than a link's own expiry: the tokens carry whole seconds. With no token, a
    // whole second from now plus the lifetime Storage would have given them.
    const validUntil = new Date(
      expiresAt ?? Math.floor(deps.now().getTime() / 1000) * 1000 +
          config.signedUrlTtlSeconds * 1000,
    );
    // Slices of the RPC's bytes around the URLs, handed over without a JS copy of the document.
    const parts = spliceSignedUrls(rpc.body, map, urls, validUntil);
    c.set("bytes", parts.reduce((n: number, part) => n + part.length, 0));
    return c.body(bodyOf(parts, rpc.body.buffer), 200, { "content-type": JSON_TYPE });
  }

  const notAllowed = (allowed: string[]) => (c: Context<Env>) => {
    c.get("log").code = "METHOD_NOT_ALLOWED";
    const known = LOGGED_METHODS.includes(c.req.method) ? c.req.method : "This method";
    const body = JSON.stringify({ error: `${known} is not allowed here.` });
    return jsonBytes(c, body, 405, { allow: allowed.join(", ") });
  };
  const onDetails = notAllowed(ALLOWED_METHODS);
  const onOpenApi = notAllowed(["GET", "OPTIONS"]);

  // HEAD is answered as any other method a route doesn't take (the hosted platform doesn't route
  // it to functions either). Hono dispatches HEAD as GET, so it is caught before the routes.
  app.use((c, next) => {
    if (c.req.method !== "HEAD") return next();
    const path = c.req.path.replace(/\/+$/, "");
    return Promise.resolve(path.endsWith("/openapi.json") ? onOpenApi(c) : onDetails(c));
  });
  for (const base of ["/job-interview-details", ""]) {
    app.get(`${base}/openapi.json`, (c) => jsonBytes(c, openApi));
    app.all(`${base}/openapi.json`, onOpenApi);
    app.on(["GET", "POST"], base || "/", details);
    app.all(base || "/", onDetails);
  }

  app.notFound((c) => jsonBytes(c, JSON.stringify({ error: "Not found." }), 404));
  app.onError((err, c) => {
    const known = err instanceof AppError ? err : internalError(c.get("requestId"));
    const log = c.get("log");
    log.code = known.code;
    if (!(err instanceof AppError)) {
      // Into the request's own line, which is always written: one event, not two.
      log.error = err.name;
      log.message = err.message;
    }
    return jsonBytes(c, JSON.stringify(known.body), known.status);
  });
  return app;
}

/**
 * A request body the answer did not need is read and dropped (up to DRAIN_MAX_BYTES) so the
 * connection stays usable: Deno 2.1, the hosted runtime's, otherwise closes a keep-alive
 * connection without saying so and the client's next request on it fails. A larger or unsized
 * body is cancelled instead; the answer then says `Connection: close`. Returns true then.
 */
async function discardUnreadBody(req: Request): Promise<boolean> {
  if (!req.body || req.bodyUsed) return false;
  const length = Number(req.headers.get("content-length") ?? NaN);
  if (length <= DRAIN_MAX_BYTES) {
    const reader = req.body.getReader();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A body that doesn't arrive promptly doesn't hold the answer back: the connection closes.
    const late = new Promise<"late">((resolve) =>
      timer = setTimeout(() => resolve("late"), DRAIN_MS)
    );
    try {
      while (true) {
        const next = await Promise.race([reader.read(), late]);
        if (next === "late") break;
        if (next.done) return false;
      }
    } catch {
      return true;
    } finally {
      clearTimeout(timer);
    }
    await reader.cancel().catch(() => {});
    return true;
  }
  await req.body.cancel().catch(() => {});
  return true;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
