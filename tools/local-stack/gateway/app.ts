/**
 * The local stack's gateway on one port, standing in for Kong and the services behind it:
 * /rest/v1/rpc, /storage/v1/object/sign, /auth/v1 and /functions/v1.
 */
import { type Context, Hono } from "hono";
import { signUserToken, type StackKeys } from "../keys.ts";
import { deleteUser, getUser, jwks, logout, token, user } from "./auth.ts";
import type { Sql } from "./db.ts";
import { forward, type FunctionRoute } from "./functions.ts";
import { bearer, createVerifier, type Verified } from "./jwt.ts";
import {
  callRpc,
  createSchemaCache,
  invalidPath,
  type PostgrestVersion,
  readTable,
} from "./postgrest.ts";
import { createTokenCheck } from "./postgrest_jwt.ts";
import { signMany, signOne, upload } from "./storage.ts";
import { download } from "./storage_download.ts";

export interface GatewayDeps {
  /** Connection as `authenticator`: PostgREST's and Storage's queries switch to the JWT's role. */
  sql: Sql;
  /** Connection as the owner: Auth's and Storage's own bookkeeping queries. */
  adminSql: Sql;
  keys: StackKeys;
  storageRoot: string;
  /**
   * Functions served under /functions/v1/<name>, by name: where each one listens and whether the
   * gateway checks its callers' tokens. Live: a function added later is routed at once.
   */
  functions: Map<string, FunctionRoute>;
  /** Extra routes (the dev viewer); mounted before the catch-all 404. */
  extra?: (app: Hono) => void;
  verify?: (token: string) => Promise<Verified>;
  /** Sees every request (benchmarks count upstream calls with it). */
  onRequest?: (method: string, path: string) => void;
  /**
   * false: the project has its legacy API keys (the anon and service_role JWTs) turned off, and
   * the gateway refuses them as API keys (STACK_LEGACY_KEYS=0). On by default.
   */
  legacyKeys?: boolean;
  /** The PostgREST behind /rest/v1: 16 (the CLI's, by default) or 14 (some hosted projects). */
  postgrestVersion?: PostgrestVersion;
}

/** What a project with its legacy API keys disabled answers for one (the hint's text varies). */
const LEGACY_DISABLED = {
  message: "Legacy API keys are disabled",
  hint:
    "Your legacy API keys (anon, service_role) were disabled. Use the publishable or secret API keys instead.",
};

/** The hosted gateway refuses a secret key sent from a browser (told by its User-Agent). */
const SECRET_KEY_IN_BROWSER = { message: "Forbidden use of secret API key in browser" };
const BROWSER = /^Mozilla\/\d/;

export function createGateway(deps: GatewayDeps): Hono {
  const verify = deps.verify ?? createVerifier(deps.keys);
  const { keys } = deps;
  const lookup = createSchemaCache(deps.sql);
  const legacyKeys = deps.legacyKeys ?? true;
  const legacy = new Set([keys.anonKey, keys.serviceRoleKey]);
  // The legacy JWT each API key stands for (what the services behind the gateway verify).
  const keyJwt: Record<string, string> = {
    ...(legacyKeys
      ? { [keys.anonKey]: keys.anonKey, [keys.serviceRoleKey]: keys.serviceRoleKey }
      : {}),
    [keys.publishableKey]: keys.anonKey,
    [keys.secretKey]: keys.serviceRoleKey,
  };
  /**
   * What the hosted gateway does before a service sees the request: the new API keys are not
   * JWTs, so a known `sb_` key in `Authorization` (equal to `apikey`, as supabase-js sends a
   * key-only client's requests) becomes the legacy JWT of its role, and a request with no
   * Authorization runs as its `apikey`'s role.
   */
  const asServicesSeeIt = (req: Request): Request => {
    const apikey = req.headers.get("apikey") ?? undefined;
    const token = bearer(req);
    const jwt = token?.startsWith("sb_")
      ? (token === apikey ? keyJwt[token] : undefined)
      : !req.headers.has("authorization") && apikey
      ? keyJwt[apikey]
      : undefined;
    if (!jwt) return req;
    const headers = new Headers(req.headers);
    headers.set("authorization", `Bearer ${jwt}`);
    return new Request(req, { headers });
  };

  const app = new Hono();
  if (deps.onRequest) {
    app.use(async (c, next) => {
      deps.onRequest!(c.req.method, c.req.path);
      await next();
    });
  }

  // Kong's cors plugin on the services (not on functions, whose CORS is the function's own).
  app.use("/:service{(rest|auth|storage)}/v1/*", async (c, next) => {
    if (c.req.method === "OPTIONS") {
      return new Response(null, {
        status: 204,
        headers: {
          "access-control-allow-origin": "*",
          "access-control-allow-methods": "GET, HEAD, PUT, PATCH, POST, DELETE",
          "access-control-allow-headers": c.req.header("access-control-request-headers") ?? "*",
          "access-control-max-age": "3600",
        },
      });
    }
    await next();
    c.res.headers.set("access-control-allow-origin", "*");
  });

  // Secret keys are for servers: one from a browser is refused before any service sees it.
  app.use("/:service{(rest|auth|storage)}/v1/*", async (c, next) => {
    const sent = [c.req.header("apikey"), bearer(c.req.raw)];
    if (sent.includes(keys.secretKey) && BROWSER.test(c.req.header("user-agent") ?? "")) {
      return c.json(SECRET_KEY_IN_BROWSER, 401);
    }
    await next();
  });

  // Kong's key-auth in front of REST and Auth: an apikey header (or query param) is required.
  const requireApiKey = async (c: Context, next: () => Promise<void>) => {
    const apikey = c.req.header("apikey") ?? c.req.query("apikey");
    if (!apikey) return c.json({ message: "No API key found in request" }, 401);
    if (!legacyKeys && legacy.has(apikey)) return c.json(LEGACY_DISABLED, 401);
    if (!keyJwt[apikey]) return c.json({ message: "Invalid authentication credentials" }, 401);
    if (!c.req.header("apikey")) {
      const headers = new Headers(c.req.raw.headers);
      headers.set("apikey", apikey);
      c.req.raw = new Request(c.req.raw, { headers });
    }
    await next();
  };
  const mapKeys = async (c: Context, next: () => Promise<void>) => {
    c.req.raw = asServicesSeeIt(c.req.raw);
    await next();
  };

  const postgrest = {
    sql: deps.sql,
    lookup,
    check: createTokenCheck(keys),
    version: deps.postgrestVersion ?? 16,
  };
  app.use("/rest/v1/*", requireApiKey, mapKeys);
  app.on(
    ["GET", "HEAD"],
    "/rest/v1/:table{[^/]+}",
    (c) => readTable(postgrest, c.req.raw, c.req.param("table")),
  );
  app.all("/rest/v1/rpc/:fn", (c) => callRpc(postgrest, c.req.raw, c.req.param("fn")));
  app.all("/rest/v1/:a{[^/]+}/*", (c) => invalidPath(postgrest, c.req.raw));
  app.use("/storage/v1/*", mapKeys);

  const storageDeps = {
    sql: deps.sql,
    adminSql: deps.adminSql,
    jwtSecret: keys.jwtSecret,
    verify,
    root: deps.storageRoot,
  };
  /** The key after `<prefix>/<bucket>/`, percent-decoded as Storage's router decodes it. */
  const keyOf = (c: Context, prefix: string) => {
    const raw = new URL(c.req.url).pathname.split(`${prefix}/${c.req.param("bucket")}/`)[1] ?? "";
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  };
  // The real server sends this on every answer.
  app.use("/storage/v1/*", async (c, next) => {
    await next();
    c.res.headers.set("x-robots-tag", "none");
  });
  app.post(
    "/storage/v1/object/sign/:bucket",
    (c) => signMany(storageDeps, c, c.req.param("bucket")),
  );
  app.post(
    "/storage/v1/object/sign/:bucket/*",
    (c) => signOne(storageDeps, c, c.req.param("bucket"), keyOf(c, "/object/sign")),
  );
  app.get(
    "/storage/v1/object/sign/:bucket",
    (c) => download(storageDeps, c, c.req.param("bucket"), undefined),
  );
  app.get(
    "/storage/v1/object/sign/:bucket/*",
    (c) => download(storageDeps, c, c.req.param("bucket"), keyOf(c, "/object/sign")),
  );
  app.post(
    "/storage/v1/object/:bucket/*",
    (c) => upload(storageDeps, c, c.req.param("bucket"), keyOf(c, "/object")),
  );

  const authDeps = { sql: deps.adminSql, jwks: keys.jwks, verify };
  app.get("/auth/v1/.well-known/jwks.json", (c) => jwks(authDeps, c));
  app.use("/auth/v1/user", requireApiKey, mapKeys);
  app.get("/auth/v1/user", (c) => user(authDeps, c));
  app.use("/auth/v1/logout", requireApiKey, mapKeys);
  app.post("/auth/v1/logout", (c) => logout(authDeps, c));
  app.use("/auth/v1/admin/*", requireApiKey, mapKeys);
  app.get("/auth/v1/admin/users/:id", (c) => getUser(authDeps, c));
  app.delete("/auth/v1/admin/users/:id", (c) => deleteUser(authDeps, c));
  app.use("/auth/v1/token", requireApiKey);
  app.post("/auth/v1/token", (c) => {
    const issuer = `${new URL(c.req.url).origin}/auth/v1`;
    const sign = (sub: string, email: string, sessionId: string) =>
      signUserToken(keys, { sub, email, issuer, sessionId });
    return token({ ...authDeps, sign }, c);
  });

  // As the platform does, a function sees its own name first in the path. Routed on the path as
  // the URL parser normalises it, so no `..` leaves /functions/v1/<name>.
  app.all("/functions/v1/*", (c) => {
    const { pathname } = new URL(c.req.url);
    const path = pathname.startsWith("/functions/v1/")
      ? pathname.slice("/functions/v1".length)
      : "";
    const name = /^\/([^/]+)/.exec(path)?.[1] ?? "";
    const route = deps.functions.get(name);
    if (!route) {
      return c.json({ code: "NOT_FOUND", message: "Requested function was not found" }, 404);
    }
    return forward(route, keys, c, path);
  });

  deps.extra?.(app);
  app.notFound((c) => c.json({ message: "no Route matched with those values" }, 404));
  app.onError((err, c) => {
    console.error(JSON.stringify({ gateway_error: err.message }));
    return c.json({ message: "An unexpected error occurred" }, 500);
  });
  return app;
}
