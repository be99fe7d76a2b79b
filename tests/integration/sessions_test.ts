// A session that has ended is refused at once, as JobMojito's own functions refuse it (they
// resolve every token with auth.getUser): sign-out with any scope, a user deleted, a session
// past its not_after. Through the gateway and directly, each refusal is the contract's 401 with
// CORS and X-Request-Id. The Auth stand-in keeps sessions as Auth does: a row of auth.sessions per
// password sign-in, refresh tokens that rotate within it, /logout's scopes, /user's 403
// session_not_found (supabase/auth, internal/api/{auth,logout,token_refresh}.go).
import assert from "node:assert/strict";
import postgres from "postgres";
import { hasDatabase } from "../support/db.ts";
import { apiKey, getDetails, SEED, serviceHeaders, stack } from "../support/stack.ts";

const ORIGIN = "https://app.jobmojito.example";
const BOB = "00000000-0000-4000-8000-000000000102";
const targets = [["through the gateway", stack.FUNCTION_URL], [
  "directly",
  stack.FUNCTION_DIRECT_URL,
]].filter(([, url]) => url) as [string, string][];

/** A fresh sign-in (a session of its own), as Auth's password grant answers it. */
async function signInFresh(email: string): Promise<{ access: string; refresh: string }> {
  const res = await fetch(`${stack.SUPABASE_URL}/auth/v1/token?grant_type=password`, {
    method: "POST",
    headers: { apikey: apiKey, "content-type": "application/json" },
    body: JSON.stringify({ email, password: "password" }),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return { access: body.access_token, refresh: body.refresh_token };
}

async function logout(token: string, scope?: string) {
  const res = await fetch(`${stack.SUPABASE_URL}/auth/v1/logout${scope ? `?scope=${scope}` : ""}`, {
    method: "POST",
    headers: { apikey: apiKey, authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 204, await res.text());
}

async function read(token: string, base = stack.FUNCTION_URL) {
  return await getDetails({ interview_result_id: SEED.submitted }, {
    token,
    base,
    headers: { origin: ORIGIN },
  });
}

/** A 401 in the contract's shape, readable cross-origin. */
async function assertEnded(res: Response, label: string) {
  const text = await res.text();
  assert.equal(res.status, 401, `${label}: ${text}`);
  assert.deepEqual(Object.keys(JSON.parse(text)), ["error"], label);
  assert.match(JSON.parse(text).error, /session has ended/, label);
  assert.equal(res.headers.get("access-control-allow-origin"), "*", label);
  assert.match(res.headers.get("x-request-id") ?? "", /^[\w-]+$/, label);
}

for (const [where, base] of targets) {
  Deno.test(`sign in, read (200), sign out, read again → 401 ${where}, with CORS and X-Request-Id`, async () => {
    const { access } = await signInFresh(SEED.users.emeaRecruiter);
    const before = await read(access, base);
    assert.equal(before.status, 200);
    await before.body?.cancel();
    await logout(access);
    await assertEnded(await read(access, base), "after sign-out");
  });
}

Deno.test("Auth's /user answers 403 session_not_found for a token whose session is gone", async () => {
  const { access } = await signInFresh(SEED.users.bob);
  const user = () =>
    fetch(`${stack.SUPABASE_URL}/auth/v1/user`, {
      headers: { apikey: apiKey, authorization: `Bearer ${access}` },
    });
  assert.equal((await user()).status, 200);
  await logout(access, "local");
  const gone = await user();
  assert.equal(gone.status, 403);
  assert.deepEqual(await gone.json(), {
    code: 403,
    error_code: "session_not_found",
    msg: "Session from session_id claim in JWT does not exist",
  });
});

Deno.test("a refreshed session keeps reading; the old refresh token is spent, the access token's session the same", async () => {
  const first = await signInFresh(SEED.users.emeaRecruiter);
  const refresh = await fetch(`${stack.SUPABASE_URL}/auth/v1/token?grant_type=refresh_token`, {
    method: "POST",
    headers: { apikey: apiKey, "content-type": "application/json" },
    body: JSON.stringify({ refresh_token: first.refresh }),
  });
  const next = await refresh.json();
  assert.equal(refresh.status, 200, JSON.stringify(next));
  assert.notEqual(next.refresh_token, first.refresh, "the refresh token rotates");
  const sessionOf = (t: string) => JSON.parse(atob(t.split(".")[1])).session_id;
  assert.equal(sessionOf(next.access_token), sessionOf(first.access), "within its session");
  for (const token of [first.access, next.access_token]) {
    const res = await read(token);
    assert.equal(res.status, 200);
    await res.body?.cancel();
  }
  // Reusing the spent refresh token past the reuse interval would fail; at once it returns the
  // active one (the client lost the answer), as Auth does.
  const again = await fetch(`${stack.SUPABASE_URL}/auth/v1/token?grant_type=refresh_token`, {
    method: "POST",
    headers: { apikey: apiKey, "content-type": "application/json" },
    body: JSON.stringify({ refresh_token: first.refresh }),
  });
  assert.equal((await again.json()).refresh_token, next.refresh_token);
  await logout(next.access_token);
  const after = await fetch(`${stack.SUPABASE_URL}/auth/v1/token?grant_type=refresh_token`, {
    method: "POST",
    headers: { apikey: apiKey, "content-type": "application/json" },
    body: JSON.stringify({ refresh_token: next.refresh_token }),
  });
  assert.equal(after.status, 400);
  assert.equal((await after.json()).error_code, "refresh_token_not_found", "its session is gone");
});

Deno.test("sign-out with scope=others ends the other session and leaves this one reading", async () => {
  const laptop = await signInFresh(SEED.users.acmeOwner);
  const phone = await signInFresh(SEED.users.acmeOwner);
  await logout(laptop.access, "others");
  const still = await read(laptop.access);
  assert.equal(still.status, 200);
  await still.body?.cancel();
  await assertEnded(await read(phone.access), "the other session");
});

Deno.test("one user's sign-out (global) doesn't touch another user's session", async () => {
  const alice = await signInFresh(SEED.users.alice);
  const recruiter = await signInFresh(SEED.users.emeaRecruiter);
  await logout(alice.access, "global");
  await assertEnded(await read(alice.access), "alice");
  const res = await read(recruiter.access);
  assert.equal(res.status, 200);
  await res.body?.cancel();
});

Deno.test(
  "a session past its not_after, and a user deleted by the admin API, are refused at once",
  {
    ignore: !hasDatabase,
  },
  async () => {
    const db = postgres(stack.SUPABASE_DB_URL, { max: 1, onnotice: () => {} });
    try {
      const timed = await signInFresh(SEED.users.emeaOwner);
      const session = JSON.parse(atob(timed.access.split(".")[1])).session_id;
      await db`update auth.sessions set not_after = now() - interval '1 second' where id = ${session}`;
      await assertEnded(await read(timed.access), "past not_after");

      // A user of their own, deleted as supabase-js auth.admin.deleteUser() does.
      const id = crypto.randomUUID();
      const email = `deleted-${id.slice(0, 8)}@candidates.test`;
      await db`insert into auth.users (id, email, aud, role, encrypted_password, email_confirmed_at)
      values (${id}, ${email}, 'authenticated', 'authenticated',
        extensions.crypt('password', extensions.gen_salt('bf', 4)), now())`;
      await db`update public.interview_results set candidate_id = ${id} where id = ${SEED.inProgress}`;
      try {
        const { access } = await signInFresh(email);
        const res = await getDetails({ interview_result_id: SEED.inProgress }, { token: access });
        assert.equal(res.status, 200, "their own result, while they exist");
        await res.body?.cancel();
        await db`update public.interview_results set candidate_id = ${BOB} where id = ${SEED.inProgress}`;
        const deleted = await fetch(`${stack.SUPABASE_URL}/auth/v1/admin/users/${id}`, {
          method: "DELETE",
          headers: serviceHeaders,
        });
        assert.equal(deleted.status, 200);
        await deleted.body?.cancel();
        await assertEnded(
          await getDetails({ interview_result_id: SEED.inProgress }, {
            token: access,
            headers: { origin: ORIGIN },
          }),
          "user deleted",
        );
      } finally {
        await db`update public.interview_results set candidate_id = ${BOB} where id = ${SEED.inProgress}`;
        await db`delete from auth.users where id = ${id}`;
      }
    } finally {
      await db.end();
    }
  },
);

Deno.test(
  "a user banned after signing in is refused while the ban lasts, and reads again once it is lifted",
  { ignore: !hasDatabase },
  async () => {
    // Auth's admin API bans by setting banned_until (ban_duration) and leaves the sessions in
    // place; its /user refuses a banned user's token until then (supabase/auth,
    // internal/api/{admin,auth}.go). The RPC holds the token to the same rule.
    const db = postgres(stack.SUPABASE_DB_URL, { max: 1, onnotice: () => {} });
    const { access } = await signInFresh(SEED.users.emeaOwner);
    const sub =
      JSON.parse(atob(access.split(".")[1].replaceAll("-", "+").replaceAll("_", "/"))).sub;
    try {
      await db`update auth.users set banned_until = now() + interval '1 day' where id = ${sub}`;
      await assertEnded(await read(access), "banned");
      await db`update auth.users set banned_until = null where id = ${sub}`;
      const lifted = await read(access);
      assert.equal(lifted.status, 200, "the session was never deleted");
      await lifted.body?.cancel();
    } finally {
      await db`update auth.users set banned_until = null where id = ${sub}`;
      await db.end();
    }
  },
);
