/**
 * The stack under test, from env: `.local/stack.env` (written by `npm run stack:up` and by the
 * test runner) overridden by the process environment, so the same tests run against a real
 * `supabase start` + `supabase functions serve` (docs/testing.md, "Against a real Supabase stack").
 */
import { SignJWT } from "jose";
import { parseEnvFile, signIn as signInOnce } from "../../tools/local-stack/main.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

function load(): Record<string, string> {
  const file = Deno.env.get("STACK_ENV_FILE") ?? `${ROOT}.local/stack.env`;
  let fromFile: Record<string, string> = {};
  try {
    fromFile = parseEnvFile(Deno.readTextFileSync(file));
  } catch {
    // No file: everything must come from the environment.
  }
  const env = { ...fromFile, ...Deno.env.toObject() };
  for (const key of ["SUPABASE_URL", "FUNCTION_URL"]) {
    if (!env[key]) {
      throw new Error(`${key} is not set: start a stack (npm run stack:up) or export it`);
    }
  }
  if (!env.SUPABASE_PUBLISHABLE_KEY && !env.SUPABASE_ANON_KEY) {
    throw new Error("SUPABASE_PUBLISHABLE_KEY (or SUPABASE_ANON_KEY) is not set");
  }
  return env;
}

export const stack = load();

/** The project's legacy keys (anon, service_role JWTs) are usable as API keys. */
export const legacyKeys = stack.STACK_LEGACY_KEYS !== "0" && Boolean(stack.SUPABASE_ANON_KEY);
/** The key an app sends as `apikey`: the publishable key, else the legacy anon key. */
export const apiKey = stack.SUPABASE_PUBLISHABLE_KEY || stack.SUPABASE_ANON_KEY;
/** The key a server calls with: the secret key, else the legacy service-role key. */
export const serviceKey = stack.SUPABASE_SECRET_KEY || stack.SUPABASE_SERVICE_ROLE_KEY;
/** A server's headers: the service key as `apikey` and as bearer, as supabase-js sends them. */
export const serviceHeaders = { apikey: serviceKey, authorization: `Bearer ${serviceKey}` };

export const SEED = {
  submitted: "93c98d21-e04d-4a84-9afa-ed154cf73636",
  unsubmitted: "30000000-0000-4000-8000-000000000002",
  globex: "30000000-0000-4000-8000-000000000003",
  inProgress: "30000000-0000-4000-8000-000000000004",
  missing: "3fa85f64-5717-4562-b3fc-2c963f66afa6",
  users: {
    admin: "admin@jobmojito.test",
    acmeOwner: "owner@acme.test",
    acmeRecruiter: "recruiter@acme.test",
    emeaRecruiter: "recruiter@emea.acme.test",
    emeaOwner: "owner@emea.acme.test",
    globexRecruiter: "recruiter@globex.test",
    outsider: "outsider@example.test",
    alice: "alice@candidates.test",
    bob: "bob@candidates.test",
  },
} as const;

const tokens = new Map<string, Promise<string>>();

/** A real access token from Auth's password grant (seeded password "password"), cached. */
export function signIn(email: string): Promise<string> {
  if (!tokens.has(email)) tokens.set(email, signInOnce(stack, email));
  return tokens.get(email)!;
}

/** GET the function through the gateway (or `base`), with a bearer token when given. */
export async function getDetails(
  query: Record<string, string>,
  options: {
    token?: string;
    base?: string;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  } = {},
): Promise<Response> {
  const url = new URL(options.base ?? stack.FUNCTION_URL);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return await fetch(url, { headers, signal: options.signal });
}

/** The access token of a session that ended an hour ago (a seeded recruiter's; legacy HS256). */
export function expiredSessionToken(): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    sub: "00000000-0000-4000-8000-000000000012",
    role: "authenticated",
    aud: "authenticated",
    iat: now - 7200,
    exp: now - 3600,
  }).setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(stack.SUPABASE_JWT_SECRET));
}

/**
 * A legacy project's user token (HS256, the project's secret) for a live session of `email`'s
 * user, as Auth issues it there: the session is one made by signing in.
 */
export async function hs256Session(email: string): Promise<string> {
  const es256 = await signInOnce(stack, email);
  const claims = JSON.parse(atob(es256.split(".")[1].replaceAll("-", "+").replaceAll("_", "/")));
  return await new SignJWT({ ...claims }).setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(stack.SUPABASE_JWT_SECRET));
}
