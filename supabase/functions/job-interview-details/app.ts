/**
 * The Hono app, built from its dependencies so tests can swap any edge. Routes answer with and
 * without the `/job-interview-details` prefix (some CLI versions strip it).
 */
import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import { requestId, type RequestIdVariables } from "hono/request-id";
import { setMetric, timing, type TimingVariables } from "hono/timing";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  type Caller,
  createTokenVerifier,
  credentialsFrom,
  type VerifyResult,
  withVerificationCache,
} from "./auth.ts";
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
import { budgetedLogger, type Logger, type RequestLog } from "./log.ts";
import { buildOpenApi } from "./openapi.ts";
import { mapDocument, recordingPaths, spliceSignedUrls } from "./recordings.ts";
import {
  type Bytes,
  type Fetch,
  fetchTranscript,
  type RpcResult,
  signPaths,
  type SignResult,
  type UpstreamFailure,
} from "./upstream.ts";

export interface Deps {
  config: Config;
  verifyToken: (token: string) => Promise<VerifyResult>;
  fetchTranscript: (
    input: { caller: Caller; id: string; view: string; signal: AbortSignal; relay?: boolean },
  ) => Promise<RpcResult>;
  signPaths: (
    input: { paths: string[]; expiresIn: number; signal: AbortSignal },
  ) => Promise<SignResult>;
  log: Logger;
  now: () => Date;
}

/** Real dependencies: `fetch` for both upstreams and the JWKS, the budgeted logger, the clock. */
export function createDeps(
  config: Config,
  fetchImpl: Fetch = fetch,
  log: Logger = budgetedLogger(config.logBudget),
): Deps {
  const { supabaseUrl, apiKey, serviceKey } = config;
  return {
    config,
    verifyToken: withVerificationCache(createTokenVerifier({
      jwtSecret: config.jwtSecret,
      secretKeys: config.secretKeys,
      jwks: config.jwks,
      jwksUrl: `${supabaseUrl}/auth/v1/.well-known/jwks.json`,
      getUser: async (token) => {
        const res = await fetchImpl(`${supabaseUrl}/auth/v1/user`, {
          headers: { apikey: apiKey, authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(config.upstreamTimeoutMs),
        });
        const body = await res.json().catch(() => null);
        return res.ok && typeof body?.id === "string" ? { id: body.id } : null;
      },
    })),
    fetchTranscript: (input) =>
      fetchTranscript({ readUrl: config.readUrl, apiKey, fetch: fetchImpl }, input),
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
    deps.log({
      ...c.get("log"),
      request_id: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status: res.status,
      total_ms: round(performance.now() - started),
      bytes,
      gzip,
    });
  });
  // The caller's X-Request-Id when it is a sane token (Hono: [A-Za-z0-9_=-], at most 128), else
  // a new one.
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
    const signal = AbortSignal.timeout(config.upstreamTimeoutMs);
    // The log keeps why a step failed; the caller gets the step and the request id only.
    const failStep = (failure: UpstreamFailure): never => {
      log.upstream_failure = `${failure.step}: ${failure.reason}`;
      throw upstreamFailed(failure.step, requestId);
    };

    const credentials = credentialsFrom(c.req.header("authorization"), c.req.header("apikey"));
    if (credentials.error !== undefined) throw unauthorized(credentials.error);
    const verified = await deps.verifyToken(credentials.token);
    if (!verified.caller) throw unauthorized(verified.error);
    const caller: Caller = verified.caller;
    log.sub = caller.sub;
    log.role = caller.role;

    const url = new URL(c.req.url);
    const input = c.req.method === "POST"
      ? await parseBody(c.req.raw, url.searchParams)
      : parseQuery(url.searchParams);
    if (input.error) {
      c.set("unread", input.unread === true);
      throw validationFailed(input.error.message, input.error.name);
    }
    const { interview_result_id: id, view } = input.data;
    const signed = input.data.get_signed_recordings === "true";
    log.view = view;
    log.signed = signed;

    // Unsigned answers are relayed as they arrive.
    const relay = !signed;
    const rpc = await timed(
      c,
      "rpc",
      () => deps.fetchTranscript({ caller, id, view, signal, relay }),
    );
    switch (rpc.kind) {
      case "not_found":
        throw notFound();
      case "unauthorized":
        throw unauthorized();
      case "invalid_input":
        throw validationFailed(rpc.message);
      case "failed":
        return failStep(rpc.failure);
      case "relay":
        // Deno pipes a fetched body to the answer natively, overlapping receive and send.
        // Content-Length is left to chunking, which keeps that pipe; either framing makes a
        // body cut short by the upstream or the deadline an error for the client, never a
        // complete-looking 200.
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
        () => deps.signPaths({ paths, expiresIn: config.signedUrlTtlSeconds, signal }),
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

  const notAllowed = (c: Context<Env>) => {
    c.get("log").code = "METHOD_NOT_ALLOWED";
    const body = JSON.stringify({ error: `Method ${c.req.method} is not allowed.` });
    return jsonBytes(c, body, 405, { allow: ALLOWED_METHODS.join(", ") });
  };

  // HEAD is answered as any other method it doesn't take (the hosted platform doesn't route it
  // to functions either). Hono dispatches HEAD as GET, so it is caught before the routes.
  app.use((c, next) => c.req.method === "HEAD" ? Promise.resolve(notAllowed(c)) : next());
  for (const base of ["/job-interview-details", ""]) {
    app.get(`${base}/openapi.json`, (c) => jsonBytes(c, openApi));
    app.on(["GET", "POST"], base || "/", details);
    app.all(base || "/", notAllowed);
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
    try {
      for await (const _ of req.body) { /* dropped */ }
      return false;
    } catch {
      return true;
    }
  }
  await req.body.cancel().catch(() => {});
  return true;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
