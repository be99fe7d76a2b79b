/** The local stack's keys: a legacy HS256 secret with anon/service JWTs, and an ES256 user-token key. */
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";

/** The secret `supabase start` uses, so tokens minted for either stack look alike. */
export const LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
export const PUBLISHABLE_KEY = "sb_publishable_local_jobmojito_stack_key";
export const SECRET_KEY = "sb_secret_local_jobmojito_stack_key";

export interface StackKeys {
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  publishableKey: string;
  secretKey: string;
  /** Private ES256 JWK (with kid) that signs user tokens. */
  signingKey: JWK;
  /** The public key set served at /auth/v1/.well-known/jwks.json. */
  jwks: { keys: JWK[] };
}

const TEN_YEARS = 10 * 365 * 24 * 3600;

async function legacyKey(role: "anon" | "service_role", secret: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT({ iss: "supabase-demo", role })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(now)
    .setExpirationTime(now + TEN_YEARS)
    .sign(new TextEncoder().encode(secret));
}

export async function createKeys(): Promise<StackKeys> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = crypto.randomUUID();
  const signingKey = { ...(await exportJWK(privateKey)), kid, alg: "ES256", use: "sig" };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" };
  return {
    jwtSecret: LOCAL_JWT_SECRET,
    anonKey: await legacyKey("anon", LOCAL_JWT_SECRET),
    serviceRoleKey: await legacyKey("service_role", LOCAL_JWT_SECRET),
    publishableKey: PUBLISHABLE_KEY,
    secretKey: SECRET_KEY,
    signingKey,
    jwks: { keys: [publicJwk] },
  };
}

export interface UserTokenOptions {
  sub: string;
  email?: string;
  issuer: string;
  /** Seconds from now; negative for an already expired token. */
  expiresIn?: number;
  /** "ES256" (the default, as projects on signing keys issue) or "HS256" (legacy projects). */
  alg?: "ES256" | "HS256";
  /** The Auth session the token belongs to (its session_id claim); none when unset. */
  sessionId?: string;
  claims?: Record<string, unknown>;
}

/** A user access token shaped like Supabase Auth's. */
export async function signUserToken(keys: StackKeys, options: UserTokenOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({
    aud: "authenticated",
    role: "authenticated",
    email: options.email,
    app_metadata: { provider: "email", providers: ["email"] },
    user_metadata: {},
    is_anonymous: false,
    ...(options.sessionId ? { session_id: options.sessionId } : {}),
    ...options.claims,
  })
    .setSubject(options.sub)
    .setIssuer(options.issuer)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 3600));
  if (options.alg === "HS256") {
    return await jwt.setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode(keys.jwtSecret));
  }
  const key = await importJWK(keys.signingKey, "ES256");
  return await jwt.setProtectedHeader({ alg: "ES256", typ: "JWT", kid: keys.signingKey.kid }).sign(
    key,
  );
}
