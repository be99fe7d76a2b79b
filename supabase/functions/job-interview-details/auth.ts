/**
 * Who is calling, as far as the request itself can tell. The function verifies no signature:
 * PostgREST verifies the caller's token on the RPC call (the function passes it on, so Postgres
 * decides what the caller sees), and the RPC checks that its Auth session is still live; signing
 * only follows a successful RPC call. One verifier, with the project's keys, is fewer ways to be
 * wrong than two (the function needed JWT_SECRET, the key set or a call to Auth, and each one
 * failed differently on the hosted platform). What is checked here is what needs no key: that the
 * credential can be a user's token or a secret key at all, and hasn't expired, so that a 401 comes
 * before any body is read or any upstream is called.
 */
import { decodeJwt, decodeProtectedHeader } from "jose";
import { CREDENTIAL_ERRORS } from "./errors.ts";

export interface Caller {
  /** The user id the token claims; null for the service role. Verified by PostgREST, later. */
  sub: string | null;
  /** The Auth session the token claims (`session_id`); null for the service role. */
  session_id: string | null;
  role: "authenticated" | "service_role";
  /** Passed on to PostgREST so that Postgres decides what this caller sees. */
  token: string;
  /** A secret key is not a JWT: it travels as `apikey` too, and the gateway maps it to a role. */
  credential: "jwt" | "secret_key";
}

export type CheckResult = { caller: Caller; error?: undefined } | {
  caller?: undefined;
  error: string;
};

/** What Supabase Auth signs user tokens with: the legacy secret, or a signing key. */
const ALGORITHMS = ["HS256", "ES256", "RS256"];
const { invalid: INVALID, expired: EXPIRED, notAUser: NOT_A_USER } = CREDENTIAL_ERRORS;
const SECRET_KEY_PREFIX = "sb_secret_";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a request comes from a browser, as Supabase's gateway tells it (by its User-Agent):
 * it refuses a secret key from one, and so does the function, which would otherwise pass the key
 * on with its own User-Agent and undo the platform's rule.
 */
export function fromBrowser(userAgent: string | null | undefined): boolean {
  return /^Mozilla\/\d/.test(userAgent ?? "");
}

/** The token of an `Authorization: Bearer <token>` header (space or tab after the scheme). */
export function bearerToken(header: string | null | undefined): string | undefined {
  const m = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header ?? "");
  return m?.[1];
}

export type Credentials = { token: string; error?: undefined } | {
  token?: undefined;
  error: string;
};

/**
 * The credential a request carries: the bearer token, or, with no Authorization header at all,
 * a secret key sent as `apikey` (how servers call with the new API keys). A header that is there
 * but not `Bearer <token>` is named as such rather than reported missing.
 */
export function credentialsFrom(
  authorization: string | null | undefined,
  apikey: string | null | undefined,
): Credentials {
  if (authorization === undefined || authorization === null) {
    return apikey?.startsWith(SECRET_KEY_PREFIX)
      ? { token: apikey }
      : { error: CREDENTIAL_ERRORS.missing };
  }
  const token = bearerToken(authorization);
  if (token) return { token };
  return /^Bearer\s*$/i.test(authorization)
    ? { error: CREDENTIAL_ERRORS.missing }
    : { error: CREDENTIAL_ERRORS.malformed };
}

/**
 * The caller a credential claims to be, or why it can't be anyone: a secret key (the service
 * role, if the gateway knows the key), a user's token (`authenticated`, `aud` authenticated, a
 * user id as `sub`), or the service role's legacy JWT. A publishable key, the anon key or a
 * token for another role identifies an app, not a user. `nowSeconds` decides expiry.
 */
export function checkCredential(token: string, nowSeconds: number): CheckResult {
  if (token.startsWith("sb_")) {
    if (token.startsWith(SECRET_KEY_PREFIX) && token.length > SECRET_KEY_PREFIX.length) {
      return {
        caller: {
          sub: null,
          session_id: null,
          role: "service_role",
          token,
          credential: "secret_key",
        },
      };
    }
    return { error: token.startsWith("sb_publishable_") ? NOT_A_USER : INVALID };
  }
  let claims: Record<string, unknown>;
  try {
    if (!ALGORITHMS.includes(decodeProtectedHeader(token).alg ?? "")) return { error: INVALID };
    claims = decodeJwt(token);
  } catch {
    return { error: INVALID };
  }
  if (typeof claims.exp !== "number") return { error: INVALID };
  if (claims.exp <= nowSeconds) return { error: EXPIRED };
  if (claims.role === "service_role") {
    return {
      caller: { sub: null, session_id: null, role: "service_role", token, credential: "jwt" },
    };
  }
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (
    claims.role !== "authenticated" || !aud.includes("authenticated") ||
    typeof claims.sub !== "string" || !UUID.test(claims.sub)
  ) {
    return { error: NOT_A_USER };
  }
  const session = typeof claims.session_id === "string" && UUID.test(claims.session_id)
    ? claims.session_id
    : null;
  return {
    caller: {
      sub: claims.sub,
      session_id: session,
      role: "authenticated",
      token,
      credential: "jwt",
    },
  };
}
