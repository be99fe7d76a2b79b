/**
 * `/functions/v1/<name>` forwarded to the function served by Deno, with the hosted platform's
 * `verify_jwt` gate in front of functions whose config turns it on (createGate below).
 */
import type { Context } from "hono";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import http from "node:http";
import type { Socket } from "node:net";
import type { StackKeys } from "../keys.ts";

export interface FunctionRoute {
  /** Base URL of the running function, e.g. http://127.0.0.1:54329 */
  url: string;
  verifyJwt: boolean;
  /** The name the function answers to, when it is served under another (benchmarks' copies). */
  as?: string;
}

const HOP_BY_HOP = ["connection", "keep-alive", "transfer-encoding", "upgrade", "host"];
/** Answers up to this size (by their Content-Length) are buffered whole, as nginx does. */
const BUFFERED_MAX_BYTES = 64 * 1024;
/** The methods the hosted platform routes to functions; anything else never reaches one. */
export const ROUTED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/**
 * A refusal of the hosted gate: a string `code`, the same as its `sb-error-code` header, and no
 * CORS headers. Nothing may depend on the message: it changed several times in 2026.
 */
function refused(code: string, message: string): Response {
  return new Response(JSON.stringify({ code, message }), {
    status: 401,
    headers: { "content-type": "application/json", "sb-error-code": code },
  });
}

/**
 * The hosted `verify_jwt` gate as Supabase's "Authorization headers" guide describes it (late
 * 2026): a legacy HS256 JWT checked against the project's secret, an asymmetric one (ES256,
 * RS256) against its key set by `kid`, or the project's `sb_publishable_` / `sb_secret_` key in
 * `Authorization` or `apikey`. Earlier in 2026 the hosted gate refused asymmetric tokens
 * (docs/local-stack.md, "Other differences"). OPTIONS passes unchecked. The gate answers undefined to let a request by.
 */
export function createGate(keys: StackKeys): (req: Request) => Promise<Response | undefined> {
  const secret = new TextEncoder().encode(keys.jwtSecret);
  const keySet = createLocalJWKSet(keys.jwks);
  const apiKeys = new Set([keys.publishableKey, keys.secretKey]);
  return async function hostedGate(req) {
    if (req.method === "OPTIONS") return undefined;
    const header = req.headers.get("authorization");
    if (header === null) {
      return apiKeys.has(req.headers.get("apikey") ?? "")
        ? undefined
        : refused("UNAUTHORIZED_NO_AUTH_HEADER", "Missing authorization header");
    }
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    if (token && apiKeys.has(token)) return undefined;
    let alg: string | undefined;
    try {
      alg = token ? decodeProtectedHeader(token).alg : undefined;
    } catch { /* not a JWT */ }
    if (!token || !alg || token.split(".").length !== 3) {
      return refused(
        "UNAUTHORIZED_INVALID_JWT_FORMAT",
        "Invalid Token or Protected Header formatting",
      );
    }
    const symmetric = alg === "HS256";
    if (!symmetric && alg !== "ES256" && alg !== "RS256") {
      return refused("UNAUTHORIZED_UNSUPPORTED_TOKEN_ALGORITHM", "Invalid JWT");
    }
    try {
      await (symmetric
        ? jwtVerify(token, secret, { algorithms: ["HS256"] })
        : jwtVerify(token, keySet, { algorithms: ["ES256", "RS256"] }));
      return undefined;
    } catch {
      return refused(
        symmetric ? "UNAUTHORIZED_LEGACY_JWT" : "UNAUTHORIZED_ASYMMETRIC_JWT",
        "Invalid JWT",
      );
    }
  };
}

const gates = new WeakMap<StackKeys, ReturnType<typeof createGate>>();

/**
 * Forwards a request to the function at `route`, `path` being the normalised path after
 * /functions/v1 (it starts with the function's name). Methods the platform doesn't route are
 * answered here and never reach the function.
 */
export async function forward(
  route: FunctionRoute,
  keys: StackKeys,
  c: Context,
  path: string,
): Promise<Response> {
  const req = c.req.raw;
  if (!ROUTED_METHODS.includes(req.method)) {
    return new Response(
      JSON.stringify({ code: "METHOD_NOT_ALLOWED", message: "Method not allowed" }),
      {
        status: 405,
        headers: { "content-type": "application/json", allow: ROUTED_METHODS.join(", ") },
      },
    );
  }
  if (route.verifyJwt) {
    if (!gates.has(keys)) gates.set(keys, createGate(keys));
    const refusal = await gates.get(keys)!(req);
    if (refusal) return refusal;
  }
  // Only the path and query change: the function's origin is fixed.
  const target = new URL(route.url);
  target.pathname = route.as ? path.replace(/^\/[^/]+/, `/${route.as}`) : path;
  target.search = new URL(req.url).search;
  const compressed = /gzip|br|deflate/i.test(req.headers.get("accept-encoding") ?? "");
  return await (compressed || req.body ? proxy(target.href, req) : forwardPlain(target.href, req))
    .catch(() =>
      c.json({ code: "BOOT_ERROR", message: "Function failed to start (please check logs)" }, 503)
    );
}

/** The fast path for clients that take no compression: nothing can be decoded behind our back. */
async function forwardPlain(target: string, req: Request): Promise<Response> {
  const headers = new Headers(req.headers);
  for (const h of HOP_BY_HOP) headers.delete(h);
  headers.set("accept-encoding", "identity");
  const res = await fetch(target, {
    method: req.method,
    headers,
    body: req.body,
    redirect: "manual",
  });
  const out = new Headers(res.headers);
  for (const h of HOP_BY_HOP) out.delete(h);
  return new Response(res.body, { status: res.status, headers: out });
}

/**
 * Forwards bytes both ways untouched. Not fetch(): Deno's fetch decompresses gzip answers but
 * keeps their content-encoding header, which would corrupt what the client receives.
 */
function proxy(target: string, req: Request): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    // The body goes on as the client framed it: with its Content-Length, or chunked.
    req.headers.forEach((v, k) => {
      if (!HOP_BY_HOP.includes(k)) headers[k] = v;
    });
    // A request with a body has a connection of its own, so that its cut (below) ends no other.
    const agent = req.body ? { agent: false } : {};
    const out = http.request(target, { method: req.method, headers, ...agent }, (res) => {
      const resHeaders = new Headers();
      for (const [k, v] of Object.entries(res.headers)) {
        if (v === undefined || HOP_BY_HOP.includes(k)) continue;
        for (const one of Array.isArray(v) ? v : [v]) resHeaders.append(k, one);
      }
      // An answer's first BUFFERED_MAX_BYTES are held, as Kong's nginx holds them
      // (proxy_buffering), whatever its framing: one that ends within them goes out whole. Deno's
      // server drops a streamed body, after its headers, to a client that half-closed its side
      // (one whose body ended early), and Deno 2.1 answers a function's small error chunked:
      // the function's 422 would be lost on its way. A longer answer streams on from there.
      const nullBody = req.method === "HEAD" || [204, 304].includes(res.statusCode ?? 0);
      const held: Uint8Array[] = [];
      let heldBytes = 0;
      let streaming: ReadableStreamDefaultController<Uint8Array> | undefined;
      const answer = (body: BodyInit | null) =>
        resolve(
          new Response(nullBody ? null : body, {
            status: res.statusCode ?? 502,
            headers: resHeaders,
          }),
        );
      res.on("data", (chunk: Uint8Array) => {
        const bytes = new Uint8Array(chunk);
        if (streaming) return streaming.enqueue(bytes);
        held.push(bytes);
        heldBytes += bytes.length;
        if (heldBytes <= BUFFERED_MAX_BYTES) return;
        answer(
          new ReadableStream<Uint8Array>({
            start(controller) {
              for (const c of held) controller.enqueue(c);
              held.length = 0;
              streaming = controller;
            },
            cancel() {
              res.destroy();
            },
          }),
        );
      });
      res.on("end", () => {
        if (streaming) return streaming.close();
        // One Uint8Array, not a Blob: Deno's server writes a byte body at once with its length,
        // and streams a Blob, which a half-closed client then loses.
        const whole = new Uint8Array(heldBytes);
        held.reduce((at, c) => (whole.set(c, at), at + c.length), 0);
        answer(whole);
      });
      res.on("error", (e: Error) => streaming ? streaming.error(e) : reject(e));
    });
    out.on("error", reject);
    // The head goes now: node:http would hold it until the first byte of a body, and a body that
    // never comes would keep the request from the function altogether.
    out.flushHeaders();
    if (req.body) {
      // A client's body that ends early or breaks on the wire is passed on as a cut, as the
      // platform passes it: the bytes that came, then the sending side of the connection closed
      // before the framing's end (no last chunk, or short of the Content-Length). The function
      // sees the same broken body as when called directly and answers it (a 422), and its
      // answer is relayed. Ending the request instead would hand it a whole, shorter body.
      (async () => {
        for await (const chunk of req.body!) out.write(chunk);
      })().then(() => out.end(), () => {
        // Once connected: the head is written first, then the end of the sending side.
        const halfClose = (socket: Socket) =>
          socket.connecting ? socket.once("connect", () => socket.end()) : socket.end();
        if (out.socket) halfClose(out.socket);
        else out.once("socket", halfClose);
      });
    } else {
      out.end();
    }
  });
}

/** Reads `verify_jwt` of a function from supabase/config.toml (true when unset, as the CLI does). */
export function verifyJwtSetting(configToml: string, name: string): boolean {
  const section = configToml.split(/^\[/m).find((s) => s.startsWith(`functions.${name}]`));
  const m = section && /^verify_jwt\s*=\s*(true|false)/m.exec(section);
  return m ? m[1] === "true" : true;
}
