/**
 * PostgREST's token check, as v16.5 and v14 make it (the same code in both:
 * src/library/PostgREST/Auth/Jwt.hs, Auth/JwtCache.hs, the JwtError part of Error.hs; and the
 * jose-jwt library it decodes with: Jose/Jwt.hs `decode`, Jose/Jwk.hs `canDecodeJws`,
 * Jose/Internal/Parser.hs). Each failure is answered with PostgREST's code, message and details:
 *
 * - PGRST301 (the token can't be decoded): an empty token; not 3 parts; a header, payload or
 *   signature that doesn't parse ("JWT cryptographic operation failed"); `alg: none`; no key of
 *   the set fits the header's `alg` and `kid` ("No suitable key was found to decode the JWT"); none
 *   of those that fit verifies it ("None of the keys was able to decode the JWT").
 * - PGRST303 (the claims are refused), checked after the signature in this order, the first
 *   failure winning: `exp`, `nbf`, `iat` (each a number, with 30 s of skew), `aud` (a string or
 *   an array of strings; Supabase sets no `jwt-aud`, so any audience passes).
 *
 * Decoded claims are cached by token (jwt-cache-max-entries, 1000), the claims checked on every
 * request, as PostgREST does.
 */
import { compactVerify, importJWK, type JWK } from "jose";

export interface JwtError {
  code: "PGRST301" | "PGRST303";
  message: string;
  details: string | null;
}

export type Claims = Record<string, unknown>;
export type TokenCheck = { claims: Claims; error?: undefined } | {
  claims?: undefined;
  error: JwtError;
};

/** PostgREST's allowedSkewSeconds. */
export const SKEW_SECONDS = 30;
const CACHE_MAX_ENTRIES = 1000;
const JWS_ALGS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512"];
const KTY: Record<string, string> = { HS: "oct", RS: "RSA", ES: "EC" };

const decodeError = (message: string, details: string | null = null): TokenCheck => ({
  error: { code: "PGRST301", message, details },
});
const claimsError = (message: string): TokenCheck => ({
  error: { code: "PGRST303", message, details: null },
});
const BAD_CRYPTO = decodeError("JWT cryptographic operation failed");

interface VerifyingKey {
  kty: string;
  kid?: string;
  alg?: string;
  use?: string;
  key: Promise<CryptoKey | Uint8Array>;
}

/** base64url without padding, as jose-jwt's parser (memory's Base64URLUnpadded) accepts it. */
function base64url(part: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(part) || part.length % 4 === 1) return undefined;
  const b64 = part.replaceAll("-", "+").replaceAll("_", "/");
  try {
    return Uint8Array.from(
      atob(b64 + "=".repeat((4 - b64.length % 4) % 4)),
      (c) => c.charCodeAt(0),
    );
  } catch {
    return undefined;
  }
}

function json(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}

type Header = { alg: string; kid?: string } | "none" | undefined;

/** The JWS header as jose-jwt reads it; undefined where its parser fails (BadCrypto). */
function header(part: string): Header {
  const bytes = base64url(part);
  const h = bytes && json(bytes);
  if (!h || typeof h !== "object" || Array.isArray(h)) return undefined;
  const { alg, kid, typ, cty, enc } = h as Record<string, unknown>;
  if (alg === "none") return "none";
  if (enc !== undefined || typeof alg !== "string" || !JWS_ALGS.includes(alg)) return undefined;
  for (const v of [kid, typ, cty]) {
    if (v !== undefined && v !== null && typeof v !== "string") return undefined;
  }
  return { alg, kid: typeof kid === "string" ? kid : undefined };
}

/** jose-jwt's canDecodeJws: not an encryption key, the same kid if the token names one, a fitting type. */
function fits(k: VerifyingKey, alg: string, kid: string | undefined): boolean {
  return k.use !== "enc" && (kid === undefined || k.kid === kid) &&
    (k.alg === undefined || k.alg === alg) && KTY[alg.slice(0, 2)] === k.kty;
}

/** A claim as aeson's `.:?` reads it: absent or null is no claim; an integer is its value. */
function timeClaim(claims: Claims, key: string): "absent" | "not a number" | number {
  const v = claims[key];
  if (v === undefined || v === null) return "absent";
  if (typeof v !== "number") return "not a number";
  // Scientific's toBoundedInteger: a fraction or a value outside Int64 counts as 0.
  return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? v : 0;
}

/** checkForErrors: exp, nbf, iat, aud, in this order; undefined when the claims pass. */
export function claimsFailure(claims: Claims, nowSeconds: number): TokenCheck | undefined {
  const exp = timeClaim(claims, "exp");
  if (exp === "not a number") return claimsError("The JWT 'exp' claim must be a number");
  if (exp !== "absent" && nowSeconds - SKEW_SECONDS > exp) return claimsError("JWT expired");
  const nbf = timeClaim(claims, "nbf");
  if (nbf === "not a number") return claimsError("The JWT 'nbf' claim must be a number");
  if (nbf !== "absent" && nowSeconds + SKEW_SECONDS < nbf) return claimsError("JWT not yet valid");
  const iat = timeClaim(claims, "iat");
  if (iat === "not a number") return claimsError("The JWT 'iat' claim must be a number");
  if (iat !== "absent" && nowSeconds + SKEW_SECONDS < iat) {
    return claimsError("JWT issued at future");
  }
  const aud = claims.aud;
  const validAud = aud === undefined || aud === null || typeof aud === "string" ||
    (Array.isArray(aud) && aud.every((a) => typeof a === "string"));
  if (!validAud) {
    return claimsError("The JWT 'aud' claim must be a string or an array of strings");
  }
  return undefined;
}

/**
 * A checker with PostgREST's key set: the legacy secret (an `oct` key without kid) and the
 * project's public signing keys. `now` is in ms.
 */
export function createTokenCheck(
  keys: { jwtSecret: string; jwks: { keys: JWK[] } },
  now: () => number = Date.now,
): (token: string) => Promise<TokenCheck> {
  const keySet: VerifyingKey[] = [
    { kty: "oct", key: Promise.resolve(new TextEncoder().encode(keys.jwtSecret)) },
    ...keys.jwks.keys.map((jwk) => ({
      kty: String(jwk.kty),
      kid: jwk.kid,
      alg: jwk.alg,
      use: jwk.use,
      key: importJWK(jwk, jwk.alg) as Promise<CryptoKey>,
    })),
  ];
  const cache = new Map<string, Claims>();

  async function decode(token: string): Promise<TokenCheck> {
    if (token === "") return decodeError("Empty JWT is sent in Authorization header");
    const parts = token.split(".");
    if (parts.length !== 3) return decodeError(`Expected 3 parts in JWT; got ${parts.length}`);
    const h = header(parts[0]);
    if (h === "none") {
      return decodeError(
        "Wrong or unsupported encoding algorithm",
        "JWT is unsecured but expected 'alg' was not 'none'",
      );
    }
    const payload = base64url(parts[1]);
    if (!h || !payload || !base64url(parts[2])) return BAD_CRYPTO;
    const candidates = keySet.filter((k) => fits(k, h.alg, h.kid));
    if (!candidates.length) {
      return decodeError(
        "No suitable key or wrong key type",
        "No suitable key was found to decode the JWT",
      );
    }
    let verified = false;
    for (const k of candidates) {
      try {
        await compactVerify(token, await k.key, { algorithms: [h.alg] });
        verified = true;
        break;
      } catch { /* the next key */ }
    }
    if (!verified) {
      return decodeError(
        "No suitable key or wrong key type",
        "None of the keys was able to decode the JWT",
      );
    }
    const claims = json(payload);
    if (!claims || typeof claims !== "object" || Array.isArray(claims)) {
      return claimsError("Parsing claims failed");
    }
    return { claims: claims as Claims };
  }

  return async function check(token) {
    let claims = cache.get(token);
    if (!claims) {
      const decoded = await decode(token);
      if (decoded.error) return decoded;
      claims = decoded.claims;
      if (cache.size >= CACHE_MAX_ENTRIES) cache.delete(cache.keys().next().value!);
      cache.set(token, claims);
    }
    return claimsFailure(claims, Math.floor(now() / 1000)) ?? { claims };
  };
}

/**
 * The token of an Authorization header as PostgREST reads it (wai-extra's extractBearerAuth):
 * `Bearer` in any case, then the rest after spaces; no token for any other scheme.
 */
export function bearerAuth(header: string | null): string | undefined {
  if (header === null) return undefined;
  const space = header.search(/\s/);
  const scheme = space < 0 ? header : header.slice(0, space);
  if (scheme.toLowerCase() !== "bearer") return undefined;
  return space < 0 ? "" : header.slice(space).replace(/^\s+/, "");
}
