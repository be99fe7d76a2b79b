/** The two Auth endpoints the function can reach: the key set, and the user behind a token. */
import type { Context } from "hono";
import type { Sql } from "./db.ts";
import { bearer, type Verified } from "./jwt.ts";

export interface AuthDeps {
  sql: Sql;
  jwks: { keys: unknown[] };
  verify: (token: string) => Promise<Verified>;
}

/** GoTrue's error body: `{code, error_code, msg}` with the status repeated as `code`. */
function authError(c: Context, status: 400 | 401 | 403, errorCode: string, msg: string) {
  return c.json({ code: status, error_code: errorCode, msg }, status);
}

export function jwks(deps: AuthDeps, c: Context): Response {
  c.header("cache-control", "public, max-age=600");
  return c.json(deps.jwks);
}

/** GET /auth/v1/user, answered as GoTrue does. */
export async function user(deps: AuthDeps, c: Context): Promise<Response> {
  const token = bearer(c.req.raw);
  if (!token) {
    return authError(c, 401, "no_authorization", "This endpoint requires a valid Bearer token");
  }
  const { claims, error } = await deps.verify(token);
  if (error) {
    return authError(
      c,
      403,
      "bad_jwt",
      `invalid JWT: unable to parse or verify signature, ${error.message}`,
    );
  }
  if (!claims.sub) {
    return authError(c, 403, "bad_jwt", "invalid claim: missing sub claim");
  }
  const rows = await deps.sql`
    select id, aud, role, email, email_confirmed_at, last_sign_in_at, raw_app_meta_data as app_metadata,
      raw_user_meta_data as user_metadata, is_anonymous, created_at, updated_at
    from auth.users where id = ${claims.sub}::uuid`.catch(() => []);
  if (!rows.length) {
    return authError(c, 403, "user_not_found", "User from sub claim in JWT does not exist");
  }
  return c.json({ ...rows[0], identities: [] });
}

export interface TokenDeps extends AuthDeps {
  sign: (sub: string, email: string) => Promise<string>;
}

/** POST /auth/v1/token?grant_type=password: email and password against auth.users. */
export async function passwordGrant(deps: TokenDeps, c: Context): Promise<Response> {
  if (c.req.query("grant_type") !== "password") {
    return authError(c, 400, "validation_failed", "Only grant_type=password is supported here");
  }
  const body = await c.req.json().catch(() => ({})) as { email?: unknown; password?: unknown };
  if (typeof body.email !== "string" || typeof body.password !== "string") {
    return authError(c, 400, "validation_failed", "Missing email or password");
  }
  const rows = await deps.sql`
    select id, email from auth.users
    where email = ${body.email} and encrypted_password = extensions.crypt(${body.password}, encrypted_password)`;
  if (!rows.length) {
    return authError(c, 400, "invalid_credentials", "Invalid login credentials");
  }
  const accessToken = await deps.sign(rows[0].id, rows[0].email);
  return c.json({
    access_token: accessToken,
    token_type: "bearer",
    expires_in: 3600,
    expires_at: Math.floor(Date.now() / 1000) + 3600,
    refresh_token: crypto.randomUUID(),
    user: { id: rows[0].id, email: rows[0].email, aud: "authenticated", role: "authenticated" },
  });
}
