/**
 * Auth (GoTrue) as the function and its clients meet it, answered as supabase/auth does
 * (internal/api/{auth,token_refresh,logout,user}.go, internal/tokens/service.go, models/
 * sessions.go; checked at bc32168e): the key set; the password grant, which records a session
 * (auth.sessions, the token's session_id claim) and a v1 refresh token; the refresh grant, which
 * rotates the refresh token within its session; POST /logout with scope global, local or others;
 * GET /user, which refuses a token whose session is gone; and the admin's user deletion, whose
 * sessions go with the user.
 */
import type { Context } from "hono";
import type { Sql } from "./db.ts";
import { bearer, type Claims, type Verified } from "./jwt.ts";

export interface AuthDeps {
  sql: Sql;
  jwks: { keys: unknown[] };
  verify: (token: string) => Promise<Verified>;
}

export interface TokenDeps extends AuthDeps {
  /** A user access token for a session (sub, email, session_id). */
  sign: (sub: string, email: string, sessionId: string) => Promise<string>;
}

/** GoTrue's error body: `{code, error_code, msg}` with the status repeated as `code`. */
function authError(c: Context, status: 400 | 401 | 403 | 404, errorCode: string, msg: string) {
  return c.json({ code: status, error_code: errorCode, msg }, status);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXPIRES_IN = 3600;
/** GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL's default: a revoked token stays usable this long. */
const REUSE_INTERVAL_MS = 10_000;

export function jwks(deps: AuthDeps, c: Context): Response {
  c.header("cache-control", "public, max-age=600");
  return c.json(deps.jwks);
}

type Authenticated = { claims: Claims; userId: string; sessionId?: string } | { refusal: Response };

/**
 * requireAuthentication: a verified token whose user exists and, when it names a session, whose
 * session exists (not_after is checked by the refresh grant, not here, as in GoTrue).
 */
async function authenticate(deps: AuthDeps, c: Context): Promise<Authenticated> {
  const token = bearer(c.req.raw);
  if (!token) {
    return {
      refusal: authError(c, 401, "no_authorization", "This endpoint requires a valid Bearer token"),
    };
  }
  const { claims, error } = await deps.verify(token);
  if (error) {
    return {
      refusal: authError(
        c,
        403,
        "bad_jwt",
        `invalid JWT: unable to parse or verify signature, ${error.message}`,
      ),
    };
  }
  if (!claims.sub) {
    return { refusal: authError(c, 403, "bad_jwt", "invalid claim: missing sub claim") };
  }
  if (!UUID.test(claims.sub)) {
    return { refusal: authError(c, 400, "bad_jwt", "invalid claim: sub claim must be a UUID") };
  }
  const [user] = await deps.sql`
    select id, banned_until > now() as banned from auth.users
    where id = ${claims.sub}::uuid and deleted_at is null`;
  if (!user) {
    return {
      refusal: authError(c, 403, "user_not_found", "User from sub claim in JWT does not exist"),
    };
  }
  const sessionId = typeof claims.session_id === "string" ? claims.session_id : undefined;
  if (sessionId && sessionId !== "00000000-0000-0000-0000-000000000000") {
    if (!UUID.test(sessionId)) {
      return {
        refusal: authError(c, 403, "bad_jwt", "invalid claim: session_id claim must be a UUID"),
      };
    }
    const [session] = await deps.sql`select id from auth.sessions where id = ${sessionId}::uuid`;
    if (!session) {
      return {
        refusal: authError(
          c,
          403,
          "session_not_found",
          "Session from session_id claim in JWT does not exist",
        ),
      };
    }
  }
  if (user.banned) return { refusal: authError(c, 403, "user_banned", "User is banned") };
  return { claims, userId: claims.sub, sessionId };
}

/** GET /auth/v1/user, answered as GoTrue does. */
export async function user(deps: AuthDeps, c: Context): Promise<Response> {
  const auth = await authenticate(deps, c);
  if ("refusal" in auth) return auth.refusal;
  const rows = await deps.sql`
    select id, aud, role, email, email_confirmed_at, last_sign_in_at, raw_app_meta_data as app_metadata,
      raw_user_meta_data as user_metadata, is_anonymous, created_at, updated_at
    from auth.users where id = ${auth.userId}::uuid`;
  return c.json({ ...rows[0], identities: [] });
}

/** POST /auth/v1/logout?scope=global|local|others: deletes sessions (their refresh tokens too). */
export async function logout(deps: AuthDeps, c: Context): Promise<Response> {
  const scope = c.req.query("scope") ?? "global";
  if (!["", "global", "local", "others"].includes(scope)) {
    return authError(c, 400, "validation_failed", `Unsupported logout scope "${scope}"`);
  }
  const auth = await authenticate(deps, c);
  if ("refusal" in auth) return auth.refusal;
  const { userId, sessionId } = auth;
  if (sessionId && scope === "local") {
    await deps.sql`delete from auth.sessions where id = ${sessionId}::uuid`;
  } else if (sessionId && scope === "others") {
    await deps.sql`delete from auth.sessions
      where user_id = ${userId}::uuid and id <> ${sessionId}::uuid`;
  } else {
    await deps.sql`delete from auth.sessions where user_id = ${userId}::uuid`;
  }
  return c.body(null, 204);
}

/** DELETE /auth/v1/admin/users/:id, as the service role: the user, and with them their sessions. */
export async function deleteUser(deps: AuthDeps, c: Context): Promise<Response> {
  const token = bearer(c.req.raw);
  const { claims } = token ? await deps.verify(token) : { claims: undefined };
  if (claims?.role !== "service_role") {
    return authError(c, 403, "not_admin", "User not allowed");
  }
  const id = c.req.param("id") ?? "";
  if (!UUID.test(id)) return authError(c, 404, "user_not_found", "User not found");
  const deleted = await deps.sql`delete from auth.users where id = ${id}::uuid returning id`;
  if (!deleted.length) return authError(c, 404, "user_not_found", "User not found");
  return c.json({});
}

/** A v1 refresh token: 12 characters of [a-z0-9], as GoTrue's legacy ones are. */
function refreshToken(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => alphabet[b % 36]).join("");
}

async function session(
  deps: TokenDeps,
  c: Context,
  user: { id: string; email: string },
  sessionId: string,
  refresh: string,
): Promise<Response> {
  const accessToken = await deps.sign(user.id, user.email, sessionId);
  return c.json({
    access_token: accessToken,
    token_type: "bearer",
    expires_in: EXPIRES_IN,
    expires_at: Math.floor(Date.now() / 1000) + EXPIRES_IN,
    refresh_token: refresh,
    user: { id: user.id, email: user.email, aud: "authenticated", role: "authenticated" },
  });
}

/** POST /auth/v1/token: grant_type=password (a new session) or refresh_token (rotation). */
export async function token(deps: TokenDeps, c: Context): Promise<Response> {
  const grant = c.req.query("grant_type");
  const body = await c.req.json().catch(() => ({})) as Record<string, unknown>;
  if (grant === "password") return await passwordGrant(deps, c, body);
  if (grant === "refresh_token") return await refreshGrant(deps, c, body);
  return authError(c, 400, "validation_failed", "unsupported_grant_type");
}

async function passwordGrant(
  deps: TokenDeps,
  c: Context,
  body: Record<string, unknown>,
): Promise<Response> {
  if (typeof body.email !== "string" || typeof body.password !== "string") {
    return authError(c, 400, "validation_failed", "Missing email or password");
  }
  const rows = await deps.sql`
    select id, email from auth.users
    where email = ${body.email} and deleted_at is null
      and encrypted_password = extensions.crypt(${body.password}, encrypted_password)`;
  if (!rows.length) {
    return authError(c, 400, "invalid_credentials", "Invalid login credentials");
  }
  const user = rows[0] as { id: string; email: string };
  const sessionId = crypto.randomUUID();
  const refresh = refreshToken();
  await deps.sql.begin(async (tx) => {
    await tx`insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent)
      values (${sessionId}, ${user.id}, now(), now(), 'aal1', ${
      c.req.header("user-agent") ?? null
    })`;
    await tx`insert into auth.refresh_tokens (token, user_id, revoked, created_at, updated_at, session_id)
      values (${refresh}, ${user.id}, false, now(), now(), ${sessionId})`;
    await tx`update auth.users set last_sign_in_at = now() where id = ${user.id}`;
  });
  return await session(deps, c, user, sessionId, refresh);
}

async function refreshGrant(
  deps: TokenDeps,
  c: Context,
  body: Record<string, unknown>,
): Promise<Response> {
  const given = typeof body.refresh_token === "string" ? body.refresh_token : "";
  if (!/^[a-z0-9]{12}$/.test(given)) {
    return authError(c, 400, "validation_failed", "Refresh token is not valid");
  }
  const [found] = await deps.sql`
    select t.token, t.revoked, t.updated_at, t.session_id, u.id as user_id, u.email,
      s.id as live_session, s.not_after
    from auth.refresh_tokens t
    join auth.users u on u.id::text = t.user_id and u.deleted_at is null
    left join auth.sessions s on s.id = t.session_id
    where t.token = ${given}`;
  if (!found) {
    return authError(
      c,
      400,
      "refresh_token_not_found",
      "Invalid Refresh Token: Refresh Token Not Found",
    );
  }
  if (!found.live_session) {
    return authError(c, 400, "session_not_found", "Invalid Refresh Token: No Valid Session Found");
  }
  if (found.not_after && new Date(found.not_after).getTime() < Date.now()) {
    return authError(c, 400, "session_expired", "Invalid Refresh Token: Session Expired");
  }
  const user = { id: found.user_id as string, email: found.email as string };
  if (found.revoked) {
    // The parent of the active token: the client lost the answer to its last refresh, so it
    // gets that answer's token again. Otherwise only within the reuse interval.
    const [active] = await deps.sql`select token from auth.refresh_tokens
      where session_id = ${found.session_id} and not revoked and parent = ${given}`;
    if (active) return await session(deps, c, user, found.session_id, active.token);
    if (Date.now() - new Date(found.updated_at).getTime() > REUSE_INTERVAL_MS) {
      await deps.sql`update auth.refresh_tokens set revoked = true, updated_at = now()
        where session_id = ${found.session_id}`;
      return authError(
        c,
        400,
        "refresh_token_already_used",
        "Invalid Refresh Token: Already Used",
      );
    }
  }
  const next = refreshToken();
  await deps.sql.begin(async (tx) => {
    await tx`update auth.refresh_tokens set revoked = true, updated_at = now() where token = ${given}`;
    await tx`insert into auth.refresh_tokens (token, user_id, revoked, created_at, updated_at, parent, session_id)
      values (${next}, ${user.id}, false, now(), now(), ${given}, ${found.session_id})`;
    await tx`update auth.sessions set refreshed_at = now() at time zone 'utc', updated_at = now()
      where id = ${found.session_id}`;
  });
  return await session(deps, c, user, found.session_id, next);
}
