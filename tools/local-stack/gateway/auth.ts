/**
 * Auth (GoTrue) as the function's clients and tests meet it, copied from supabase/auth v2.197.0
 * (source read at bc32168e, the commit after v2.196.0: internal/api/{token,auth,logout,user,
 * admin,errors,middleware}.go, internal/tokens/service.go, internal/models/{user,sessions,
 * refresh_token}.go): the key set; the password grant (a session in auth.sessions, the token's
 * session_id claim, and a v1 refresh token); the refresh grant, which rotates the refresh token
 * within its session and revokes the session's tokens when a used one comes back after the
 * reuse interval; POST /logout with scope global, local or others; GET /user; the admin's read
 * and deletion of a user, hard or soft. Errors are `{code, error_code, msg}` with an
 * `x-sb-error-code` header, or `{code, message}` for a client that sends
 * `X-Supabase-Api-Version: 2024-01-01` (as supabase-js does).
 */
import type { Context } from "hono";
import type { Sql } from "./db.ts";
import { type Claims, type Verified } from "./jwt.ts";

export interface AuthDeps {
  sql: Sql;
  jwks: { keys: unknown[] };
  verify: (token: string) => Promise<Verified>;
}

export interface TokenDeps extends AuthDeps {
  /** A user access token for a session (sub, email, session_id). */
  sign: (sub: string, email: string, sessionId: string) => Promise<string>;
}

const API_VERSION = "2024-01-01";

/** Whether the client asked for the 2024-01-01 error shape (DetermineClosestAPIVersion). */
function versioned(c: Context): boolean {
  const date = c.req.header("x-supabase-api-version") ?? "";
  return /^\d{4}-\d{2}-\d{2}$/.test(date) && !Number.isNaN(Date.parse(date)) && date >= API_VERSION;
}

/** HTTPError as handleResponseErrorHTTP writes it. */
function authError(c: Context, status: number, errorCode: string, msg: string): Response {
  const headers: Record<string, string> = { "x-sb-error-code": errorCode };
  if (versioned(c)) {
    headers["x-supabase-api-version"] = API_VERSION;
    return Response.json({ code: errorCode, message: msg }, { status, headers });
  }
  return Response.json({ code: status, error_code: errorCode, msg }, { status, headers });
}

/** OAuthError as handleResponseErrorOAuth writes it: always 400. */
function oauthError(error: string, description: string): Response {
  return Response.json({ error, error_description: description }, { status: 400 });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL_UUID = "00000000-0000-0000-0000-000000000000";
const EXPIRES_IN = 3600;
/** The CLI's refresh_token_reuse_interval (GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL): 10 s. */
const REUSE_INTERVAL_MS = 10_000;
/** GOTRUE_JWT_ADMIN_ROLES as the CLI sets it. */
const ADMIN_ROLES = ["service_role", "supabase_admin"];
/** The request's audience: GOTRUE_JWT_AUD. */
const AUD = "authenticated";
const INVALID_LOGIN = "Invalid login credentials";

export function jwks(deps: AuthDeps, c: Context): Response {
  c.header("cache-control", "public, max-age=600");
  return c.json(deps.jwks);
}

/** golang-jwt v5's wording of a verification failure, as parseJWTClaims passes it on. */
function jwtFailure(error: NonNullable<Verified["error"]>): string {
  if (error.expired) return "token has invalid claims: token is expired";
  if (error.code === "ERR_JWT_CLAIM_VALIDATION_FAILED" && /nbf/.test(error.message)) {
    return "token has invalid claims: token is not valid yet";
  }
  if (error.code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") {
    return "token signature is invalid: signature is invalid";
  }
  if (error.code === "ERR_JWKS_NO_MATCHING_KEY") {
    return "token is unverifiable: error while executing keyfunc: unrecognized JWT kid";
  }
  return "token is malformed: could not parse the token";
}

/** extractBearerToken: `bearer <token>` in any case, one token. */
function bearerToken(c: Context): string | undefined {
  return /^bearer (\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
}

interface User {
  id: string;
  email: string | null;
  banned: boolean;
}

type Authenticated = { claims: Claims; user: User; sessionId?: string } | { refusal: Response };

async function findUser(sql: Sql, id: string): Promise<User | undefined> {
  const [user] = await sql`
    select id, email, coalesce(banned_until > now(), false) as banned
    from auth.users where id = ${id}::uuid`;
  return user as User | undefined;
}

/** parseJWTClaims: the token verified, or Auth's 403 bad_jwt. */
async function parseClaims(deps: AuthDeps, c: Context, token: string) {
  const { claims, error } = await deps.verify(token);
  if (error) {
    return {
      refusal: authError(
        c,
        403,
        "bad_jwt",
        `invalid JWT: unable to parse or verify signature, ${jwtFailure(error)}`,
      ),
    };
  }
  return { claims };
}

/** extractBearerToken then parseJWTClaims: a verified token, or Auth's 401 or 403. */
async function verifiedBearer(deps: AuthDeps, c: Context) {
  const token = bearerToken(c);
  if (!token) {
    return {
      refusal: authError(c, 401, "no_authorization", "This endpoint requires a valid Bearer token"),
    };
  }
  return await parseClaims(deps, c, token);
}

/** maybeLoadUserOrSession: the token's user, and its session when it names one. */
async function loadUserAndSession(deps: AuthDeps, c: Context, claims: Claims) {
  if (!claims.sub) {
    return { refusal: authError(c, 403, "bad_jwt", "invalid claim: missing sub claim") };
  }
  if (!UUID.test(claims.sub)) {
    return { refusal: authError(c, 400, "bad_jwt", "invalid claim: sub claim must be a UUID") };
  }
  const user = await findUser(deps.sql, claims.sub);
  if (!user) {
    return {
      refusal: authError(c, 403, "user_not_found", "User from sub claim in JWT does not exist"),
    };
  }
  const sessionId = typeof claims.session_id === "string" ? claims.session_id : "";
  if (sessionId && sessionId !== NIL_UUID) {
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
    return { user, sessionId };
  }
  return { user };
}

/** requireAuthentication: a verified token whose user and session exist, the user not banned. */
async function authenticate(deps: AuthDeps, c: Context): Promise<Authenticated> {
  const parsed = await verifiedBearer(deps, c);
  if (parsed.refusal) return parsed;
  const loaded = await loadUserAndSession(deps, c, parsed.claims);
  if (loaded.refusal) return loaded;
  if (loaded.user!.banned) return { refusal: authError(c, 403, "user_banned", "User is banned") };
  return { claims: parsed.claims, user: loaded.user!, sessionId: loaded.sessionId };
}

const USER_COLUMNS = `id, aud, role, email, email_confirmed_at, email_confirmed_at as confirmed_at,
  last_sign_in_at, raw_app_meta_data as app_metadata, raw_user_meta_data as user_metadata,
  banned_until, deleted_at, is_anonymous, created_at, updated_at`;

/** The user as Auth's models.User serialises it (the fields this stack keeps). */
async function userJson(sql: Sql, id: string): Promise<Record<string, unknown>> {
  const [row] = await sql.unsafe(`select ${USER_COLUMNS} from auth.users where id = $1::uuid`, [
    id,
  ]);
  const identities = await sql`
    select id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at
    from auth.identities where user_id = ${id}::uuid`;
  const user: Record<string, unknown> = { ...row, identities };
  // omitempty in models.User.
  for (
    const k of [
      "email_confirmed_at",
      "confirmed_at",
      "last_sign_in_at",
      "banned_until",
      "deleted_at",
    ]
  ) {
    if (user[k] === null) delete user[k];
  }
  return user;
}

/** GET /auth/v1/user (UserGet): the token's audience must be the request's. */
export async function user(deps: AuthDeps, c: Context): Promise<Response> {
  const auth = await authenticate(deps, c);
  if ("refusal" in auth) return auth.refusal;
  const aud = auth.claims.aud;
  const first = Array.isArray(aud) ? aud[0] : aud;
  const requested = c.req.header("x-jwt-aud") || AUD;
  if (first !== requested) {
    return authError(c, 400, "validation_failed", "Token audience doesn't match request audience");
  }
  return c.json(await userJson(deps.sql, auth.user.id));
}

/** POST /auth/v1/logout?scope=global|local|others: deletes sessions (their refresh tokens too). */
export async function logout(deps: AuthDeps, c: Context): Promise<Response> {
  const auth = await authenticate(deps, c);
  if ("refusal" in auth) return auth.refusal;
  const scope = c.req.query("scope") ?? "";
  if (!["", "global", "local", "others"].includes(scope)) {
    return authError(c, 400, "validation_failed", `Unsupported logout scope "${scope}"`);
  }
  const { user: { id }, sessionId } = auth;
  if (sessionId && scope === "local") {
    await deps.sql`delete from auth.sessions where id = ${sessionId}::uuid`;
  } else if (sessionId && scope === "others") {
    await deps
      .sql`delete from auth.sessions where id <> ${sessionId}::uuid and user_id = ${id}::uuid`;
  } else {
    await deps.sql`delete from auth.sessions where user_id = ${id}::uuid`;
  }
  return new Response(null, { status: 204 });
}

/**
 * requireAdminCredentials then loadUser: a verified token of an admin role (its session still
 * there, if it names one), and the user named by the path.
 */
async function adminTarget(
  deps: AuthDeps,
  c: Context,
): Promise<{ id: string } | { refusal: Response }> {
  const parsed = await verifiedBearer(deps, c);
  if (parsed.refusal) return parsed;
  if (typeof parsed.claims.session_id === "string" && parsed.claims.session_id !== NIL_UUID) {
    const loaded = await loadUserAndSession(deps, c, parsed.claims);
    if (loaded.refusal) return loaded;
  }
  if (!ADMIN_ROLES.includes(String(parsed.claims.role))) {
    return { refusal: authError(c, 403, "not_admin", "User not allowed") };
  }
  const id = c.req.param("id") ?? "";
  if (!UUID.test(id)) {
    return { refusal: authError(c, 404, "validation_failed", "user_id must be an UUID") };
  }
  if (!(await findUser(deps.sql, id))) {
    return { refusal: authError(c, 404, "user_not_found", "User not found") };
  }
  return { id };
}

/** GET /auth/v1/admin/users/:id. */
export async function getUser(deps: AuthDeps, c: Context): Promise<Response> {
  const target = await adminTarget(deps, c);
  if ("refusal" in target) return target.refusal;
  return c.json(await userJson(deps.sql, target.id));
}

/** obfuscateValue: base64url (unpadded) of sha256(id || value). */
async function obfuscated(id: string, value: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(id + value));
  return btoa(String.fromCharCode(...new Uint8Array(hash))).replace(/=+$/, "")
    .replaceAll("+", "-").replaceAll("/", "_");
}

/**
 * DELETE /auth/v1/admin/users/:id, as the service role: the user and with them their sessions,
 * or, with `{"should_soft_delete": true}`, the row kept with `deleted_at` set, its email
 * obfuscated, its password, tokens and metadata cleared, its identities emptied and its
 * sessions deleted (SoftDeleteUser).
 */
export async function deleteUser(deps: AuthDeps, c: Context): Promise<Response> {
  const target = await adminTarget(deps, c);
  if ("refusal" in target) return target.refusal;
  const { id } = target;
  const text = await c.req.text();
  let soft = false;
  if (text.length) {
    try {
      soft = JSON.parse(text)?.should_soft_delete === true;
    } catch {
      return authError(c, 400, "bad_json", "Could not parse request body as JSON");
    }
  }
  if (!soft) {
    await deps.sql`delete from auth.users where id = ${id}::uuid`;
    return c.json({});
  }
  const [row] = await deps.sql`
    select email, email_change, deleted_at from auth.users where id = ${id}::uuid`;
  if (row.deleted_at) return c.json({});
  const email = await obfuscated(id, row.email ?? "");
  const emailChange = await obfuscated(id, row.email_change ?? "");
  await deps.sql.begin(async (tx) => {
    await tx`update auth.users set email = ${email}, email_change = ${emailChange},
        encrypted_password = null, confirmation_token = '', recovery_token = '',
        email_change_token_new = '', raw_user_meta_data = '{}', raw_app_meta_data = '{}',
        deleted_at = now(), updated_at = now()
      where id = ${id}::uuid`;
    await tx`update auth.identities set identity_data = '{}' where user_id = ${id}::uuid`;
    await tx`delete from auth.sessions where user_id = ${id}::uuid`;
  });
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
    user: { id: user.id, email: user.email, aud: AUD, role: "authenticated" },
  });
}

/** POST /auth/v1/token: grant_type=password (a new session) or refresh_token (rotation). */
export async function token(deps: TokenDeps, c: Context): Promise<Response> {
  const grant = c.req.query("grant_type");
  const body = await c.req.json().catch(() => ({})) as Record<string, unknown>;
  if (grant === "password") return await passwordGrant(deps, c, body);
  if (grant === "refresh_token") return await refreshGrant(deps, c, body);
  return authError(c, 400, "invalid_credentials", "unsupported_grant_type");
}

/** ResourceOwnerPasswordGrant, its checks in Auth's order (the ban before the password). */
async function passwordGrant(
  deps: TokenDeps,
  c: Context,
  body: Record<string, unknown>,
): Promise<Response> {
  const email = typeof body.email === "string" ? body.email : "";
  const phone = typeof body.phone === "string" ? body.phone : "";
  const password = typeof body.password === "string" ? body.password : "";
  if (email && phone) {
    return authError(
      c,
      400,
      "validation_failed",
      "Only an email address or phone number should be provided on login.",
    );
  }
  // The CLI leaves phone sign-in off ([auth.sms] enable_signup = false).
  if (phone) return authError(c, 422, "phone_provider_disabled", "Phone logins are disabled");
  if (!email) return authError(c, 400, "validation_failed", "missing email or phone");
  const [user] = await deps.sql`
    select id, email, encrypted_password, email_confirmed_at is not null as confirmed,
      coalesce(banned_until > now(), false) as banned,
      coalesce(encrypted_password = extensions.crypt(${password}, encrypted_password), false) as valid
    from auth.users where lower(email) = ${email.toLowerCase()} and aud = ${AUD}`;
  if (!user || !user.encrypted_password) {
    return authError(c, 400, "invalid_credentials", INVALID_LOGIN);
  }
  if (user.banned) return authError(c, 400, "user_banned", "User is banned");
  if (!user.valid) return authError(c, 400, "invalid_credentials", INVALID_LOGIN);
  if (!user.confirmed) return authError(c, 400, "email_not_confirmed", "Email not confirmed");
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
  return await session(deps, c, user as { id: string; email: string }, sessionId, refresh);
}

const NOT_FOUND = "Invalid Refresh Token: Refresh Token Not Found";

/** RefreshTokenGrant (tokens/service.go), for v1 (12-character) refresh tokens. */
async function refreshGrant(
  deps: TokenDeps,
  c: Context,
  body: Record<string, unknown>,
): Promise<Response> {
  const given = typeof body.refresh_token === "string" ? body.refresh_token : "";
  if (!given) return oauthError("invalid_request", "refresh_token required");
  // Shorter is no token; longer is a v2 token, which this stack never issues.
  if (given.length !== 12) return authError(c, 400, "refresh_token_not_found", NOT_FOUND);
  const [found] = await deps.sql`
    select t.token, t.revoked, t.updated_at, t.session_id, u.id as user_id, u.email,
      coalesce(u.banned_until > now(), false) as banned, s.id as live_session, s.not_after
    from auth.refresh_tokens t
    join auth.users u on u.id::text = t.user_id
    left join auth.sessions s on s.id = t.session_id
    where t.token = ${given}`;
  if (!found) return authError(c, 400, "refresh_token_not_found", NOT_FOUND);
  if (found.banned) return authError(c, 400, "user_banned", "Invalid Refresh Token: User Banned");
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
    const [active] = await deps.sql`select token, parent from auth.refresh_tokens
      where session_id = ${found.session_id} and not revoked order by id desc limit 1`;
    if (active?.parent === given) {
      return await session(deps, c, user, found.session_id, active.token);
    }
    if (Date.now() > new Date(found.updated_at).getTime() + REUSE_INTERVAL_MS) {
      // RevokeTokenFamily: the session's tokens not yet revoked; those already revoked keep
      // their time, so they stay outside the reuse interval.
      await deps.sql`update auth.refresh_tokens set revoked = true, updated_at = now()
        where session_id = ${found.session_id} and revoked = false`;
      return authError(c, 400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
    }
  }
  const next = refreshToken();
  await deps.sql.begin(async (tx) => {
    await tx`update auth.refresh_tokens set revoked = true, updated_at = now() where token = ${given}`;
    await tx`insert into auth.refresh_tokens (token, user_id, revoked, created_at, updated_at, parent, session_id)
      values (${next}, ${user.id}, false, now(), now(), ${given}, ${found.session_id})`;
    await tx`update auth.sessions set refreshed_at = now() at time zone 'utc', updated_at = now()
      where id = ${found.session_id}`;
    await tx`update auth.users set last_sign_in_at = now() where id = ${user.id}::uuid`;
  });
  return await session(deps, c, user, found.session_id, next);
}
