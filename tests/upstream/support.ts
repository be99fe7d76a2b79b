/**
 * The upstream tier: cases translated from PostgREST's and Supabase Auth's own test suites (and,
 * where named so, from the source lines those suites exercise), run against whatever stack the
 * environment describes: the local stand-ins (`npm test`), or a real `supabase start`
 * (docs/testing.md, "Against a real Supabase stack"). Each case names its origin.
 *
 * A case the stand-ins are known to answer otherwise carries the reason; on the local stack it is
 * reported as ignored (docs/local-stack.md lists each), against a real stack it runs.
 */
import { importJWK, type JWK, SignJWT } from "jose";
import postgres from "postgres";
import { apiKey, serviceKey, stack } from "../support/stack.ts";

export { apiKey, serviceKey, stack };

/** The upstream sources the cases were taken from (docs/local-stack.md). */
export const POSTGREST = "PostgREST/postgrest@v16.2 (47ef77b8)";
export const AUTH = "supabase/auth@bc32168e (after v2.196.0)";

/** The PostgREST the stack runs: STACK_POSTGREST_VERSION, else the CLI's (16). */
export const postgrestVersion = Number(stack.STACK_POSTGREST_VERSION || "16");
/** The stand-ins (ours), or a real stack (REAL_STACK=1). */
export const standIns = stack.REAL_STACK !== "1";

export interface Origin {
  /** Repository and version, e.g. POSTGREST. */
  repo: string;
  /** The test file (or source file) in it. */
  file: string;
  /** The test's name as written there (or the function, for a source line). */
  test: string;
}

/** A case from PostgREST's spec suite: `file` under test/spec/Feature/. */
export const postgrestSpec = (file: string, test: string): Origin => ({
  repo: POSTGREST,
  file: `test/spec/Feature/${file}`,
  test,
});
/** A case from a source line of PostgREST: `file` under src/library/PostgREST/. */
export const postgrestSource = (file: string, fn: string): Origin => ({
  repo: POSTGREST,
  file: `src/library/PostgREST/${file}`,
  test: fn,
});
/** A case from Auth's suite or source: `file` under internal/. */
export const authOrigin = (file: string, test: string): Origin => ({
  repo: AUTH,
  file: `internal/${file}`,
  test,
});

export interface CaseOptions {
  /** Why the stand-ins answer otherwise: the case is ignored on them (never on a real stack). */
  standInDiffers?: string;
  /** Only where the stack's PostgREST is one of these. */
  postgrest?: number[];
}

/** Registers one upstream case, named for its origin. */
export function upstream(
  origin: Origin,
  name: string,
  fn: () => Promise<void>,
  options: CaseOptions = {},
): void {
  const ignore = (standIns && options.standInDiffers !== undefined) ||
    (options.postgrest !== undefined && !options.postgrest.includes(postgrestVersion));
  Deno.test({
    name: `${name} [${origin.repo} ${origin.file}: "${origin.test}"]`,
    ignore,
    fn,
  });
}

/** A connection to the stack's database as its owner, for fixtures and checks; closed after. */
export async function withDb<T>(fn: (db: postgres.Sql) => Promise<T>): Promise<T> {
  const db = postgres(stack.SUPABASE_DB_URL, { max: 1, onnotice: () => {} });
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

let fixtures: Promise<void> | undefined;

/**
 * The tier's fixtures (fixtures.sql), created once per run, then PostgREST's schema cache
 * reloaded and waited for.
 */
export function ensureFixtures(): Promise<void> {
  return fixtures ??= (async () => {
    const sql = await Deno.readTextFile(new URL("./fixtures.sql", import.meta.url));
    await withDb((db) => db.unsafe(sql));
    for (let i = 0; i < 100; i++) {
      const res = await rest("GET", "/rpc/upstream_noparamsproc");
      await res.body?.cancel();
      if (res.status === 200) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("PostgREST never saw the tier's fixtures (schema cache not reloaded)");
  })();
}

/** A request to PostgREST through the gateway, as supabase-js sends it (`apikey` always). */
export function rest(
  method: string,
  path: string,
  init: { token?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { apikey: apiKey, ...init.headers };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (
    init.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")
  ) {
    headers["content-type"] = "application/json";
  }
  return fetch(`${stack.SUPABASE_URL}/rest/v1${path}`, { method, headers, body: init.body });
}

/** An answer read whole: status, headers and body (JSON where it parses). */
export async function answer(res: Response) {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** PostgREST's error body, serialised as it sends it (aeson: keys in order, compact). */
export function pgrstBody(
  code: string,
  message: string,
  details: string | null = null,
  hint: string | null = null,
): string {
  return JSON.stringify({ code, details, hint, message });
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

const b64url = (bytes: Uint8Array | string) =>
  btoa(typeof bytes === "string" ? bytes : String.fromCharCode(...bytes)).replace(/=+$/, "")
    .replaceAll("+", "-").replaceAll("/", "_");

/**
 * A token signed HS256 with a secret (the project's legacy one by default), claims as given
 * (an object, or the payload's JSON text as it is to be sent).
 */
export async function hs256(
  claims: Record<string, unknown> | string,
  options: { secret?: string; header?: Record<string, unknown> } = {},
): Promise<string> {
  const header = { alg: "HS256", typ: "JWT", ...options.header };
  const payload = typeof claims === "string" ? claims : JSON.stringify(claims);
  const signing = `${b64url(JSON.stringify(header))}.${b64url(payload)}`;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(options.secret ?? stack.SUPABASE_JWT_SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const sig = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(signing));
  return `${signing}.${b64url(new Uint8Array(sig))}`;
}

/**
 * The project's private signing keys (STACK_SIGNING_KEYS: the stand-in publishes them; on a real
 * stack, the content of supabase/signing_keys.json): the current one first, then the one it
 * replaced. Cases that sign with them are skipped without.
 */
export const signingKeys: JWK[] = stack.STACK_SIGNING_KEYS
  ? JSON.parse(stack.STACK_SIGNING_KEYS)
  : [];

/** An ES256 token signed by a private JWK, with the header's kid as given (the key's by default). */
export async function es256(
  claims: Record<string, unknown>,
  key: JWK | CryptoKey,
  kid?: string | null,
): Promise<string> {
  const header: { alg: string; typ: string; kid?: string } = { alg: "ES256", typ: "JWT" };
  const ownKid = "kid" in key ? (key as JWK).kid : undefined;
  if (kid !== null && (kid ?? ownKid)) header.kid = (kid ?? ownKid)!;
  const signer = "kty" in key ? await importJWK(key as JWK, "ES256") : key;
  return await new SignJWT(claims).setProtectedHeader(header).sign(signer);
}

/** A user's claims as Auth issues them, for `sub`, valid for an hour. */
export function userClaims(sub: string = crypto.randomUUID(), extra: Record<string, unknown> = {}) {
  const now = nowSeconds();
  return { sub, role: "authenticated", aud: "authenticated", iat: now, exp: now + 3600, ...extra };
}
