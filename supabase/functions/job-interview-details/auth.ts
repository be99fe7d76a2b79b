/**
 * Who is calling. Verifies the bearer token locally whenever the key material is at hand: HS256
 * with the legacy secret, ES256/RS256 against SUPABASE_JWKS or the project's JWKS endpoint
 * (fetched once, then cached by jose). Only a legacy HS256 token with no secret configured costs
 * a round trip to Auth, as supabase-js getClaims() does. A server may also call with one of the
 * project's secret keys (`sb_secret_…`), compared in constant time: it is the service role.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  jwtVerify,
} from "jose";

export interface Caller {
  /** The user id; null for the service role. */
  sub: string | null;
  role: "authenticated" | "service_role";
  /** Passed on to PostgREST so that Postgres decides what this caller sees. */
  token: string;
  /** A secret key is not a JWT: it travels as `apikey` too, and the gateway maps it to a role. */
  credential: "jwt" | "secret_key";
}

export type VerifyResult = { caller: Caller; error?: undefined } | {
  caller?: undefined;
  error: string;
};

export interface VerifierOptions {
  jwtSecret?: string;
  /** The project's secret API keys (SUPABASE_SECRET_KEYS); each one is the service role. */
  secretKeys?: string[];
  jwks?: { keys: Record<string, unknown>[] };
  jwksUrl: string;
  /** Fallback for HS256 without a secret: Auth's /user answers with the claims' subject. */
  getUser?: (token: string) => Promise<{ id: string } | null>;
}

const ASYMMETRIC = ["ES256", "RS256"];
const INVALID = "Invalid or expired access token.";
const NOT_A_USER = "A signed-in user's access token is required.";
const SECRET_KEY_PREFIX = "sb_secret_";

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
      : { error: "Missing access token." };
  }
  const token = bearerToken(authorization);
  if (token) return { token };
  return /^Bearer\s*$/i.test(authorization)
    ? { error: "Missing access token." }
    : { error: 'The Authorization header must be "Bearer <access token>".' };
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/**
 * A matcher for the secret keys that takes the same time whatever it is given: digests are
 * compared, every key is tried, and no byte comparison stops early.
 */
export function secretKeyMatcher(keys: readonly string[]): (candidate: string) => Promise<boolean> {
  const known = Promise.all(keys.map(digest));
  return async (candidate) => {
    const [theirs, ours] = await Promise.all([digest(candidate), known]);
    let matched = 0;
    for (const key of ours) {
      let diff = 0;
      for (let i = 0; i < key.length; i++) diff |= key[i] ^ theirs[i];
      matched |= diff === 0 ? 1 : 0;
    }
    return matched === 1;
  };
}

function callerFrom(payload: JWTPayload & { role?: unknown }, token: string): VerifyResult {
  if (payload.role === "service_role") {
    return { caller: { sub: null, role: "service_role", token, credential: "jwt" } };
  }
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (
    payload.role !== "authenticated" || typeof payload.sub !== "string" || !payload.sub ||
    !aud.includes("authenticated") || typeof payload.exp !== "number"
  ) {
    // The anon key, a publishable key's JWT or a token for another audience is not a user.
    return { error: NOT_A_USER };
  }
  return { caller: { sub: payload.sub, role: "authenticated", token, credential: "jwt" } };
}

/**
 * Remembers tokens that verified, until their `exp`, so a caller's repeated requests skip the
 * signature check (ES256 costs ~0.3 ms here). Only successes are kept; the oldest entry goes
 * first once `max` is reached. Like PostgREST's JWT cache.
 */
export function withVerificationCache(
  verify: (token: string) => Promise<VerifyResult>,
  options: { max?: number; now?: () => number } = {},
): (token: string) => Promise<VerifyResult> {
  const max = options.max ?? 1000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { result: VerifyResult; expiresAt: number }>();
  return async function cachedVerify(token) {
    const hit = cache.get(token);
    if (hit && hit.expiresAt > now()) return hit.result;
    if (hit) cache.delete(token);
    const result = await verify(token);
    const exp = result.caller ? expOf(token) : undefined;
    if (exp !== undefined) {
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(token, { result, expiresAt: exp * 1000 });
    }
    return result;
  };
}

function expOf(token: string): number | undefined {
  try {
    return decodeJwt(token).exp;
  } catch {
    return undefined;
  }
}

export function createTokenVerifier(
  options: VerifierOptions,
): (token: string) => Promise<VerifyResult> {
  const secret = options.jwtSecret ? new TextEncoder().encode(options.jwtSecret) : undefined;
  const local = options.jwks ? createLocalJWKSet(options.jwks as { keys: [] }) : undefined;
  // jose caches the remote set and refetches at most every 30 s, so unknown kids can't force a
  // fetch per request.
  const remote = createRemoteJWKSet(new URL(options.jwksUrl), {
    cacheMaxAge: 600_000,
    cooldownDuration: 30_000,
  });
  const keyFor: Parameters<typeof jwtVerify>[1] = async (header, token) => {
    if (local) {
      try {
        return await local(header, token);
      } catch (e) {
        if (!(e instanceof errors.JWKSNoMatchingKey)) throw e;
      }
    }
    return await remote(header, token);
  };

  const isSecretKey = secretKeyMatcher(options.secretKeys ?? []);

  return async function verifyToken(token) {
    if (token.startsWith("sb_")) {
      // The new API keys are not JWTs. A secret key is the service role; a publishable key
      // (like the anon key) identifies an app, not a user.
      if (await isSecretKey(token)) {
        return { caller: { sub: null, role: "service_role", token, credential: "secret_key" } };
      }
      return { error: token.startsWith("sb_publishable_") ? NOT_A_USER : INVALID };
    }
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      return { error: INVALID };
    }
    try {
      if (alg === "HS256") {
        if (secret) {
          const { payload } = await jwtVerify(token, secret, { algorithms: ["HS256"] });
          return callerFrom(payload, token);
        }
        if (!options.getUser) return { error: INVALID };
        const user = await options.getUser(token);
        if (!user) return { error: INVALID };
        // Auth vouched for the token; its own claims still decide the role.
        return callerFrom({ ...decodeJwt(token), sub: user.id }, token);
      }
      if (!alg || !ASYMMETRIC.includes(alg)) return { error: INVALID };
      const { payload } = await jwtVerify(token, keyFor, { algorithms: ASYMMETRIC });
      return callerFrom(payload, token);
    } catch {
      return { error: INVALID };
    }
  };
}
