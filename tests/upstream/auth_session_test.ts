// Supabase Auth's sessions as a token meets them: logout scopes (internal/api/logout_test.go,
// logout.go), GET /user (user_test.go, user.go `UserGet`, auth.go `requireAuthentication`,
// `maybeLoadUserOrSession`), and the admin's deletion of a user, hard and soft (admin_test.go,
// admin.go `loadUser`, `adminUserDelete`; models/user.go `SoftDeleteUser`).
import assert from "node:assert/strict";
import { admin, auth, authError, refresh, signIn, withUser } from "./auth_support.ts";
import { authOrigin, es256, hs256, signingKeys, upstream, userClaims, withDb } from "./support.ts";

const origin = authOrigin;
/** GET /user with a token whose session has ended. */
const sessionGone = (res: Parameters<typeof authError>[0]) =>
  authError(res, 403, "session_not_found", "Session from session_id claim in JWT does not exist");
const logoutTest = origin("api/logout_test.go", "TestLogoutSuccess");
const me = (token?: string) => auth("GET", "/user", { token });

for (const scope of ["", "global", "local", "others"]) {
  upstream(logoutTest, `logout${scope ? ` scope=${scope}` : ""}: 204`, async () => {
    await withUser(async (user) => {
      const session = await signIn(user.email);
      const res = await auth("POST", `/logout${scope ? `?scope=${scope}` : ""}`, {
        token: session.access_token,
      });
      assert.equal(res.status, 204);
      assert.equal(res.text, "");
    });
  });
}

const logout = origin("api/logout.go", "Logout");
/** Two sessions of one user, the scope applied from the first; which of them still work. */
async function afterLogout(scope: string): Promise<[number, number]> {
  return await withUser(async (user) => {
    const a = await signIn(user.email);
    const b = await signIn(user.email);
    const out = await auth("POST", `/logout?scope=${scope}`, { token: a.access_token });
    assert.equal(out.status, 204);
    return [(await me(a.access_token)).status, (await me(b.access_token)).status];
  });
}
upstream(logout, "scope=global ends every session of the user", async () => {
  assert.deepEqual(await afterLogout("global"), [403, 403]);
});
upstream(logout, "scope=local ends this session only", async () => {
  assert.deepEqual(await afterLogout("local"), [403, 200]);
});
upstream(logout, "scope=others ends the other sessions only", async () => {
  assert.deepEqual(await afterLogout("others"), [200, 403]);
});
upstream(
  logout,
  "an unknown scope: 400 validation_failed, after the token is checked",
  async () => {
    await withUser(async (user) => {
      const session = await signIn(user.email);
      authError(
        await auth("POST", "/logout?scope=everywhere", { token: session.access_token }),
        400,
        "validation_failed",
        'Unsupported logout scope "everywhere"',
      );
      authError(
        await auth("POST", "/logout?scope=everywhere", {
          headers: { authorization: "Basic eDp5" },
        }),
        401,
        "no_authorization",
        "This endpoint requires a valid Bearer token",
      );
    });
  },
);

upstream(origin("api/user_test.go", "TestUserGet"), "GET /user: 200 with the user", async () => {
  await withUser(async (user) => {
    const res = await me((await signIn(user.email)).access_token);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.id, user.id);
    assert.equal(res.json.email, user.email);
  });
});

const required = origin("api/auth.go", "requireAuthentication / maybeLoadUserOrSession");
upstream(required, "GET /user for an ended session: 403 session_not_found", async () => {
  await withUser(async (user) => {
    const session = await signIn(user.email);
    await auth("POST", "/logout", { token: session.access_token });
    sessionGone(await me(session.access_token));
  });
});
upstream(
  required,
  "GET /user with an Authorization that is not a bearer: 401 no_authorization",
  async () => {
    authError(
      await auth("GET", "/user", { headers: { authorization: "Basic eDp5" } }),
      401,
      "no_authorization",
      "This endpoint requires a valid Bearer token",
    );
  },
);
upstream(
  required,
  "GET /user with the app's key alone: the gateway sends the key's JWT, 403 bad_jwt (no sub)",
  async () => {
    authError(await me(), 403, "bad_jwt", "invalid claim: missing sub claim");
  },
);
upstream(required, "GET /user with an expired token: 403 bad_jwt, golang-jwt's words", async () => {
  await withUser(async (user) => {
    const token = await hs256(userClaims(user.id, { exp: Math.floor(Date.now() / 1000) - 60 }));
    authError(
      await me(token),
      403,
      "bad_jwt",
      "invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired",
    );
  });
});
upstream(required, "GET /user for a user banned after signing in: 403 user_banned", async () => {
  await withUser(async (user) => {
    const session = await signIn(user.email);
    await withDb((db) =>
      db`update auth.users set banned_until = now() + interval '1 hour' where id = ${user.id}`
    );
    authError(await me(session.access_token), 403, "user_banned", "User is banned");
  });
});
upstream(required, "GET /user with a sub that is no UUID: 400 bad_jwt", async () => {
  authError(
    await me(await hs256(userClaims("not-a-uuid"))),
    400,
    "bad_jwt",
    "invalid claim: sub claim must be a UUID",
  );
});
upstream(required, "GET /user with no sub: 403 bad_jwt", async () => {
  const claims: Record<string, unknown> = userClaims();
  delete claims.sub;
  authError(await me(await hs256(claims)), 403, "bad_jwt", "invalid claim: missing sub claim");
});
upstream(required, "GET /user for a user that doesn't exist: 403 user_not_found", async () => {
  authError(
    await me(await hs256(userClaims())),
    403,
    "user_not_found",
    "User from sub claim in JWT does not exist",
  );
});
upstream(
  origin("api/user.go", "UserGet: Token audience doesn't match request audience"),
  "GET /user with another audience: 400 validation_failed",
  async () => {
    await withUser(async (user) => {
      authError(
        await me(await hs256(userClaims(user.id, { aud: "another" }))),
        400,
        "validation_failed",
        "Token audience doesn't match request audience",
      );
    });
  },
);
if (signingKeys.length >= 2) {
  upstream(
    origin("api/auth.go", "parseJWTClaims: FindPublicKeyByKid"),
    "GET /user with a token by the previous signing key: 200",
    async () => {
      await withUser(async (user) => {
        const res = await me(await es256(userClaims(user.id), signingKeys[1]));
        assert.equal(res.status, 200, res.text);
      });
    },
  );
}

// The admin's deletion.
const deleteTest = (desc: string) => origin("api/admin_test.go", `TestAdminUserDelete: ${desc}`);
const remove = (id: string, body?: unknown) =>
  auth("DELETE", `/admin/users/${id}`, { headers: admin, body });
const row = (id: string) =>
  withDb(async (db) =>
    (await db`select email, encrypted_password, deleted_at, raw_user_meta_data, raw_app_meta_data
      from auth.users where id = ${id}`)[0]
  );

upstream(
  deleteTest("Test admin delete user (default)"),
  "DELETE as the admin: 200 {}, the row gone",
  async () => {
    await withUser(async (user) => {
      const res = await remove(user.id);
      assert.deepEqual([res.status, res.json], [200, {}]);
      assert.equal(await row(user.id), undefined);
    });
  },
);
upstream(
  deleteTest("Test admin delete user (hard deletion)"),
  "should_soft_delete false: the row gone",
  async () => {
    await withUser(async (user) => {
      const res = await remove(user.id, { should_soft_delete: false });
      assert.equal(res.status, 200);
      assert.equal(await row(user.id), undefined);
    });
  },
);
upstream(
  origin("api/admin_test.go", "TestAdminUserSoftDeletion"),
  "should_soft_delete true: the row kept with deleted_at, email obfuscated, password and metadata cleared, identities emptied",
  async () => {
    await withUser(async (user) => {
      const res = await remove(user.id, { should_soft_delete: true });
      assert.deepEqual([res.status, res.json], [200, {}]);
      const kept = await row(user.id);
      assert.ok(kept.deleted_at instanceof Date);
      assert.ok(kept.email && kept.email !== user.email, "the email is kept, obfuscated");
      assert.equal(kept.encrypted_password, null);
      assert.deepEqual(kept.raw_user_meta_data, {});
      assert.deepEqual(kept.raw_app_meta_data, {});
      const identities = await withDb((db) =>
        db`select identity_data from auth.identities where user_id = ${user.id}`
      );
      assert.ok(identities.length > 0);
      for (const i of identities) assert.deepEqual(i.identity_data, {});
    });
  },
);

const adminDelete = origin("api/admin.go", "adminUserDelete");
upstream(
  adminDelete,
  "a soft-deleted user's sessions end: its refresh and /user refused",
  async () => {
    await withUser(async (user) => {
      const session = await signIn(user.email);
      await remove(user.id, { should_soft_delete: true });
      assert.equal((await refresh(session.refresh_token)).status, 400);
      sessionGone(await me(session.access_token));
    });
  },
);
upstream(
  origin("models/user.go", "SoftDeleteUser"),
  "a soft-deleted user can't sign in: invalid_credentials",
  async () => {
    await withUser(async (user) => {
      await remove(user.id, { should_soft_delete: true });
      authError(
        await auth("POST", "/token?grant_type=password", {
          body: { email: user.email, password: "password" },
        }),
        400,
        "invalid_credentials",
        "Invalid login credentials",
      );
    });
  },
);
upstream(adminDelete, "soft-deleting twice: 200 both times", async () => {
  await withUser(async (user) => {
    assert.equal((await remove(user.id, { should_soft_delete: true })).status, 200);
    assert.equal((await remove(user.id, { should_soft_delete: true })).status, 200);
  });
});
upstream(
  origin("api/admin.go", "adminUserGet"),
  "the admin reads a soft-deleted user: deleted_at set",
  async () => {
    await withUser(async (user) => {
      await remove(user.id, { should_soft_delete: true });
      const res = await auth("GET", `/admin/users/${user.id}`, { headers: admin });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.id, user.id);
      assert.equal(typeof res.json.deleted_at, "string");
    });
  },
);
upstream(adminDelete, "a hard-deleted user's token: /user 403 user_not_found", async () => {
  await withUser(async (user) => {
    const session = await signIn(user.email);
    await remove(user.id);
    authError(
      await me(session.access_token),
      403,
      "user_not_found",
      "User from sub claim in JWT does not exist",
    );
  });
});

const loadUser = origin("api/admin.go", "loadUser");
upstream(loadUser, "a user id that is no UUID: 404 validation_failed", async () => {
  authError(await remove("not-a-uuid"), 404, "validation_failed", "user_id must be an UUID");
});
upstream(loadUser, "a user nobody has: 404 user_not_found", async () => {
  authError(await remove(crypto.randomUUID()), 404, "user_not_found", "User not found");
});
upstream(
  origin("api/auth.go", "requireAdmin"),
  "a user's own token on the admin API: 403 not_admin",
  async () => {
    await withUser(async (user) => {
      const session = await signIn(user.email);
      authError(
        await auth("DELETE", `/admin/users/${user.id}`, { token: session.access_token }),
        403,
        "not_admin",
        "User not allowed",
      );
      assert.ok(await row(user.id), "not deleted");
    });
  },
);
