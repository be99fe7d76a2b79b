/** Token checks as the platform's services make them: HS256 with the secret, else the key set. */
import { createLocalJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import type { StackKeys } from "../keys.ts";

export type Claims = JWTPayload & { role?: string; email?: string };

export type Verified = { claims: Claims; error?: undefined } | {
  claims?: undefined;
  error: { expired: boolean; message: string };
};

export function createVerifier(keys: StackKeys): (token: string) => Promise<Verified> {
  const secret = new TextEncoder().encode(keys.jwtSecret);
  const jwks = createLocalJWKSet(keys.jwks);
  // PostgREST keeps verified JWTs (jwt-cache-max-lifetime); so does the stand-in, until exp.
  const cache = new Map<string, Claims>();
  return async function verify(token) {
    const hit = cache.get(token);
    if (hit && (hit.exp === undefined || hit.exp * 1000 > Date.now())) return { claims: hit };
    try {
      // One jwtVerify, the key picked by the header: its errors then read as the services'
      // (PostgREST and Storage verify with jose too), e.g. "Invalid Compact JWS" for a non-JWT.
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
      return { error: { expired, message: expired ? "JWT expired" : (e as Error).message } };
    }
  };
}

/** The bearer token of a request, if any. */
export function bearer(req: Request): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.get("authorization") ?? "");
  return m?.[1].trim();
}
