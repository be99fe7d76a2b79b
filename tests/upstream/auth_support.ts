/**
 * Users and sessions for the upstream Auth cases: each case makes its own users (as Auth's suites
 * do in SetupTest), straight in auth.users as this project's seed does, and removes them after.
 */
import assert from "node:assert/strict";
import { apiKey, serviceKey, stack, withDb } from "./support.ts";

export interface TestUser {
  id: string;
  email: string;
}

export interface UserOptions {
  confirmed?: boolean;
  /** Seconds from now the ban lasts (a past ban when negative). */
  bannedFor?: number;
  password?: string | null;
}

export const PASSWORD = "password";

/** A user with an email identity, confirmed unless said otherwise; `fn` runs, then it's gone. */
export async function withUser<T>(
  fn: (user: TestUser) => Promise<T>,
  options: UserOptions = {},
): Promise<T> {
  const id = crypto.randomUUID();
  const email = `u-${id.slice(0, 8)}@upstream.test`;
  const password = options.password === undefined ? PASSWORD : options.password;
  await withDb(async (db) => {
    await db`insert into auth.users (instance_id, id, email, aud, role, encrypted_password,
        email_confirmed_at, banned_until, raw_app_meta_data, raw_user_meta_data,
        confirmation_token, recovery_token, email_change_token_new, email_change)
      values ('00000000-0000-0000-0000-000000000000', ${id}, ${email}, 'authenticated',
        'authenticated',
        ${
      password === null ? null : db`extensions.crypt(${password}, extensions.gen_salt('bf', 4))`
    },
        ${options.confirmed === false ? null : db`now()`},
        ${
      options.bannedFor === undefined
        ? null
        : db`now() + make_interval(secs => ${options.bannedFor})`
    },
        '{"provider": "email", "providers": ["email"]}', '{"name": "test"}', '', '', '', '')`;
    await db`insert into auth.identities (provider_id, user_id, identity_data, provider)
      values (${id}, ${id}, ${db.json({ sub: id, email })}, 'email')`;
  });
  try {
    return await fn({ id, email });
  } finally {
    await withDb((db) => db`delete from auth.users where id = ${id}`);
  }
}

/** A request to Auth through the gateway, with the app's key, as supabase-js sends it. */
export function auth(
  method: string,
  path: string,
  init: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown>; text: string }> {
  const headers: Record<string, string> = { apikey: apiKey, ...init.headers };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  return fetch(`${stack.SUPABASE_URL}/auth/v1${path}`, {
    method,
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  }).then(async (res) => {
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text);
    } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, json, text };
  });
}

/** The admin's headers: the service key as apikey and bearer. */
export const admin = { apikey: serviceKey, authorization: `Bearer ${serviceKey}` };

export interface Session {
  access_token: string;
  refresh_token: string;
}

/** A session through the password grant. */
export async function signIn(email: string, password = PASSWORD): Promise<Session> {
  const res = await auth("POST", "/token?grant_type=password", { body: { email, password } });
  assert.equal(res.status, 200, res.text);
  return res.json as unknown as Session;
}

export function refresh(token: string) {
  return auth("POST", "/token?grant_type=refresh_token", { body: { refresh_token: token } });
}

/** Auth's error body (HTTPError, the initial API version) and its x-sb-error-code header. */
export function authError(
  res: { status: number; headers: Headers; json: Record<string, unknown>; text: string },
  status: number,
  errorCode: string,
  msg: string,
) {
  assert.equal(res.status, status, res.text);
  assert.deepEqual(res.json, { code: status, error_code: errorCode, msg });
  assert.equal(res.headers.get("x-sb-error-code"), errorCode);
}

/** Moves a session's refresh tokens `seconds` into the past (beyond the reuse interval). */
export async function ageRefreshTokens(sessionOf: string, seconds: number): Promise<void> {
  await withDb((db) =>
    db`update auth.refresh_tokens set updated_at = updated_at - make_interval(secs => ${seconds})
      where session_id = (select session_id from auth.refresh_tokens where token = ${sessionOf})`
  );
}
