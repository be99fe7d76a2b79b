/**
 * The stack under test, from env: `.local/stack.env` (written by `npm run stack:up` and by the
 * test runner) overridden by the process environment, so the same tests run against a real
 * `supabase start` + `supabase functions serve` (see README, "Testing against a real stack").
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
  for (
    const key of ["SUPABASE_URL", "SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY", "FUNCTION_URL"]
  ) {
    if (!env[key]) {
      throw new Error(`${key} is not set: start a stack (npm run stack:up) or export it`);
    }
  }
  return env;
}

export const stack = load();

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
  options: { token?: string; base?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const url = new URL(options.base ?? stack.FUNCTION_URL);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return await fetch(url, { headers });
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
