/**
 * `/functions/v1/<name>` forwarded to the function served by Deno, with the hosted platform's
 * `verify_jwt` gate in front of functions whose config turns it on (hostedGate below).
 */
import type { Context } from "hono";
import { decodeProtectedHeader, jwtVerify } from "jose";
import http from "node:http";

export interface FunctionRoute {
  /** Base URL of the running function, e.g. http://127.0.0.1:54329 */
  url: string;
  verifyJwt: boolean;
}

const HOP_BY_HOP = ["connection", "keep-alive", "transfer-encoding", "upgrade", "host"];

/** A refusal of the hosted gate: `{code: 401, message}`, an `sb-error-code`, and no CORS. */
function refused(errorCode: string, message: string): Response {
  return new Response(JSON.stringify({ code: 401, message }), {
    status: 401,
    headers: { "content-type": "application/json", "sb-error-code": errorCode },
  });
}

/**
 * The hosted `verify_jwt` gate: it checks only legacy HS256 tokens against the project's JWT
 * secret and refuses the new asymmetric ones (Supabase: the gate "is incompatible with the new
 * JWT Signing Keys"), before the function runs, with no CORS headers, so a browser on another
 * origin can't even read the 401. OPTIONS passes unchecked. Undefined means: let it through.
 * (The local CLI's gate also accepts ES256 against the key set; the hosted one is what counts.)
 */
export async function hostedGate(req: Request, jwtSecret: string): Promise<Response | undefined> {
  if (req.method === "OPTIONS") return undefined;
  const header = req.headers.get("authorization");
  if (header === null) {
    return refused("UNAUTHORIZED_NO_AUTH_HEADER", "Missing authorization header");
  }
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
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
  if (alg !== "HS256") return refused("UNAUTHORIZED_UNSUPPORTED_TOKEN_ALGORITHM", "Invalid JWT");
  try {
    await jwtVerify(token, new TextEncoder().encode(jwtSecret), { algorithms: ["HS256"] });
    return undefined;
  } catch {
    return refused("UNAUTHORIZED_LEGACY_JWT", "Invalid JWT");
  }
}

export async function forward(
  route: FunctionRoute,
  jwtSecret: string,
  c: Context,
  pathAfterV1: string,
): Promise<Response> {
  const req = c.req.raw;
  if (route.verifyJwt) {
    const refusal = await hostedGate(req, jwtSecret);
    if (refusal) return refusal;
  }
  const target = `${route.url}${pathAfterV1}${new URL(req.url).search}`;
  const compressed = /gzip|br|deflate/i.test(req.headers.get("accept-encoding") ?? "");
  return await (compressed ? proxy(target, req) : forwardPlain(target, req))
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
    req.headers.forEach((v, k) => {
      if (!HOP_BY_HOP.includes(k)) headers[k] = v;
    });
    const out = http.request(target, { method: req.method, headers }, (res) => {
      const resHeaders = new Headers();
      for (const [k, v] of Object.entries(res.headers)) {
        if (v === undefined || HOP_BY_HOP.includes(k)) continue;
        for (const one of Array.isArray(v) ? v : [v]) resHeaders.append(k, one);
      }
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          res.on("data", (chunk: Uint8Array) => controller.enqueue(new Uint8Array(chunk)));
          res.on("end", () => controller.close());
          res.on("error", (e: Error) => controller.error(e));
        },
        cancel() {
          res.destroy();
        },
      });
      const nullBody = req.method === "HEAD" || [204, 304].includes(res.statusCode ?? 0);
      resolve(
        new Response(nullBody ? null : body, {
          status: res.statusCode ?? 502,
          headers: resHeaders,
        }),
      );
    });
    out.on("error", reject);
    if (req.body) {
      (async () => {
        for await (const chunk of req.body!) out.write(chunk);
        out.end();
      })().catch((e) => out.destroy(e));
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
