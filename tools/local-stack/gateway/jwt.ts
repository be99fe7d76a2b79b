/**
 * Token checks as Storage and Auth make them: HS256 with the secret, else the key set by `kid`
 * (PostgREST's own check, with its errors, is postgrest_jwt.ts).
 */
import { createLocalJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import type { StackKeys } from "../keys.ts";

export type Claims = JWTPayload & { role?: string; email?: string };

export type Verified = { claims: Claims; error?: undefined } | {
  claims?: undefined;
  /** `code`: jose's error code (ERR_JWT_EXPIRED, ERR_JWS_SIGNATURE_VERIFICATION_FAILED, ...). */
  error: { expired: boolean; message: string; code?: string };
};

export function createVerifier(
  keys: Pick<StackKeys, "jwtSecret" | "jwks">,
): (token: string) => Promise<Verified> {
  const secret = new TextEncoder().encode(keys.jwtSecret);
  const jwks = createLocalJWKSet(keys.jwks);
  // Verified tokens are kept until their exp.
  const cache = new Map<string, Claims>();
  return async function verify(token) {
    const hit = cache.get(token);
    if (hit && (hit.exp === undefined || hit.exp * 1000 > Date.now())) return { claims: hit };
    try {
      // One jwtVerify, the key picked by the header: its errors then read as Storage's (which
      // verifies with jose too), e.g. "Invalid Compact JWS" for a non-JWT.
      const { payload } = await jwtVerify(
        token,
        (header, jws) => header.alg === "HS256" ? secret : jwks(header, jws),
        { algorithms: ["HS256", "ES256", "RS256"] },
      );
      if (cache.size >= 1000) cache.delete(cache.keys().next().value!);
      cache.set(token, payload as Claims);
      return { claims: payload as Claims };
    } catch (e) {
      const expired = e instanceof errors.JWTExpired;
      const code = (e as { code?: string }).code;
      return { error: { expired, message: expired ? "JWT expired" : (e as Error).message, code } };
    }
  };
}

/** The bearer token of a request, if any. */
export function bearer(req: Request): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.get("authorization") ?? "");
  return m?.[1].trim();
}
