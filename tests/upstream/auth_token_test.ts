// Supabase Auth's token endpoint, from its internal/api/token_test.go and the handlers it
// exercises (token.go `Token`, `ResourceOwnerPasswordGrant`; tokens/service.go
// `RefreshTokenGrant`; models/refresh_token.go `RevokeTokenFamily`; errors.go): the password grant
// (banned, unconfirmed, wrong password, unknown grant type), refresh rotation, reuse within and
// beyond the interval, the family's revocation (revoked tokens stay revoked), error bodies.
import assert from "node:assert/strict";
import {
  ageRefreshTokens,
  auth,
  authError,
  PASSWORD,
  refresh,
  signIn,
  withUser,
} from "./auth_support.ts";
import { authOrigin, upstream, withDb } from "./support.ts";

const tokenTest = (test: string) => authOrigin("api/token_test.go", test);
const source = authOrigin;
/** The answer to a refresh token used again beyond the reuse interval. */
const alreadyUsed = (res: Parameters<typeof authError>[0]) =>
  authError(res, 400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
/** The password grant's refusal of credentials it doesn't accept. */
const invalidLogin = (res: Parameters<typeof authError>[0]) =>
  authError(res, 400, "invalid_credentials", "Invalid login credentials");
const password = (body: Record<string, unknown>, headers?: Record<string, string>) =>
  auth("POST", "/token?grant_type=password", { body, headers });

upstream(
  tokenTest("TestTokenPasswordGrantSuccess"),
  "the password grant: 200 with a bearer token, a refresh token and the user",
  async () => {
    await withUser(async (user) => {
      const res = await password({ email: user.email, password: PASSWORD });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.token_type, "bearer");
      assert.equal(typeof res.json.access_token, "string");
      assert.equal(typeof res.json.refresh_token, "string");
      assert.equal((res.json.user as { id: string }).id, user.id);
    });
  },
);

upstream(tokenTest("TestTokenPasswordGrantFailure"), "a banned user: 400 user_banned", async () => {
  await withUser(async (user) => {
    authError(
      await password({ email: user.email, password: PASSWORD }),
      400,
      "user_banned",
      "User is banned",
    );
  }, { bannedFor: 24 * 3600 });
});

const grant = source("api/token.go", "ResourceOwnerPasswordGrant");
upstream(
  grant,
  "a banned user with a wrong password: still user_banned (the ban is checked first)",
  async () => {
    await withUser(async (user) => {
      authError(
        await password({ email: user.email, password: "wrong" }),
        400,
        "user_banned",
        "User is banned",
      );
    }, { bannedFor: 3600 });
  },
);
upstream(
  source("models/user.go", "IsBanned: time.Now().Before(BannedUntil)"),
  "a ban that has ended: signed in",
  async () => {
    await withUser(async (user) => {
      const res = await password({ email: user.email, password: PASSWORD });
      assert.equal(res.status, 200, res.text);
    }, { bannedFor: -60 });
  },
);
upstream(grant, "a wrong password: 400 invalid_credentials", async () => {
  await withUser(async (user) => {
    invalidLogin(await password({ email: user.email, password: "wrong" }));
  });
});
upstream(grant, "an email nobody has: 400 invalid_credentials", async () => {
  invalidLogin(await password({ email: "nobody-at-all@upstream.test", password: PASSWORD }));
});
upstream(grant, "a user without a password: 400 invalid_credentials", async () => {
  await withUser(async (user) => {
    invalidLogin(await password({ email: user.email, password: "" }));
  }, { password: null });
});
upstream(grant, "an unconfirmed email: 400 email_not_confirmed", async () => {
  await withUser(async (user) => {
    authError(
      await password({ email: user.email, password: PASSWORD }),
      400,
      "email_not_confirmed",
      "Email not confirmed",
    );
  }, { confirmed: false });
});
upstream(
  grant,
  "an unconfirmed email with a wrong password: invalid_credentials (the password first)",
  async () => {
    await withUser(async (user) => {
      invalidLogin(await password({ email: user.email, password: "wrong" }));
    }, { confirmed: false });
  },
);
upstream(grant, "neither email nor phone: 400 validation_failed", async () => {
  authError(
    await password({ password: PASSWORD }),
    400,
    "validation_failed",
    "missing email or phone",
  );
});
upstream(grant, "both email and phone: 400 validation_failed", async () => {
  authError(
    await password({ email: "a@upstream.test", phone: "+15555550100", password: PASSWORD }),
    400,
    "validation_failed",
    "Only an email address or phone number should be provided on login.",
  );
});
upstream(
  source("models/user.go", "FindUserByEmailAndAudience: LOWER(email)"),
  "the email in other case: signed in",
  async () => {
    await withUser(async (user) => {
      const res = await password({ email: user.email.toUpperCase(), password: PASSWORD });
      assert.equal(res.status, 200, res.text);
    });
  },
);
upstream(
  source("api/token.go", "Token: default (unsupported grant type)"),
  "an unknown grant type: 400 invalid_credentials unsupported_grant_type",
  async () => {
    authError(
      await auth("POST", "/token?grant_type=magic", { body: {} }),
      400,
      "invalid_credentials",
      "unsupported_grant_type",
    );
  },
);

const errors = source("api/errors.go", "handleResponseErrorHTTP");
upstream(
  errors,
  "X-Supabase-Api-Version: 2024-01-01 (supabase-js): {code, message}, the version echoed",
  async () => {
    const res = await password({ email: "nobody-at-all@upstream.test", password: PASSWORD }, {
      "x-supabase-api-version": "2024-01-01",
    });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json, {
      code: "invalid_credentials",
      message: "Invalid login credentials",
    });
    assert.equal(res.headers.get("x-supabase-api-version"), "2024-01-01");
    assert.equal(res.headers.get("x-sb-error-code"), "invalid_credentials");
  },
);
upstream(errors, "an unparseable API version: the initial shape, no version echoed", async () => {
  const res = await password({ email: "nobody-at-all@upstream.test", password: PASSWORD }, {
    "x-supabase-api-version": "yesterday",
  });
  assert.deepEqual(res.json, {
    code: 400,
    error_code: "invalid_credentials",
    msg: "Invalid login credentials",
  });
  assert.equal(res.headers.get("x-supabase-api-version"), null);
});

// Refresh.
upstream(
  tokenTest("TestTokenRefreshTokenGrantSuccess"),
  "a refresh: 200 with a new refresh token",
  async () => {
    await withUser(async (user) => {
      const session = await signIn(user.email);
      const res = await refresh(session.refresh_token);
      assert.equal(res.status, 200, res.text);
      assert.notEqual(res.json.refresh_token, session.refresh_token);
    });
  },
);

upstream(
  tokenTest("TestTokenRefreshTokenGrantFailure"),
  "a refresh after the user is banned: 400 user_banned",
  async () => {
    await withUser(async (user) => {
      const session = await signIn(user.email);
      await withDb((db) =>
        db`update auth.users set banned_until = now() + interval '1 day' where id = ${user.id}`
      );
      authError(
        await refresh(session.refresh_token),
        400,
        "user_banned",
        "Invalid Refresh Token: User Banned",
      );
    });
  },
);

upstream(
  tokenTest("TestFailedToSaveRefreshTokenResultCase"),
  "the parent of the active token again: the active token, not a new one",
  async () => {
    await withUser(async (user) => {
      const session = await signIn(user.email);
      const first = await refresh(session.refresh_token);
      assert.equal(first.status, 200);
      // Beyond the reuse interval: the parent rule alone lets it through.
      await ageRefreshTokens(session.refresh_token, 60);
      const second = await refresh(session.refresh_token);
      assert.equal(second.status, 200, second.text);
      assert.equal(second.json.refresh_token, first.json.refresh_token);
    });
  },
);

upstream(
  source(
    "tokens/service.go",
    "RefreshTokenGrant: reuseUntil (GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL, 10 s)",
  ),
  "a revoked token that is not the active one's parent, within the reuse interval: 200",
  async () => {
    await withUser(async (user) => {
      const session = await signIn(user.email);
      const first = await refresh(session.refresh_token);
      const second = await refresh(first.json.refresh_token as string);
      assert.equal(second.status, 200);
      const again = await refresh(session.refresh_token);
      assert.equal(again.status, 200, again.text);
    });
  },
);

const reuse = tokenTest("TestRefreshTokenReuseRevocation");
/** A session refreshed three times: its four tokens, the last one active. */
async function family(email: string): Promise<string[]> {
  const tokens = [(await signIn(email)).refresh_token];
  for (let i = 0; i < 3; i++) {
    const res = await refresh(tokens.at(-1)!);
    assert.equal(res.status, 200, res.text);
    tokens.push(res.json.refresh_token as string);
  }
  return tokens;
}
const revokedFlags = (tokens: string[]) =>
  withDb(async (db) => {
    const rows =
      await db`select token, revoked from auth.refresh_tokens where token = any(${tokens})`;
    return tokens.map((t) => rows.find((r) => r.token === t)?.revoked);
  });

upstream(reuse, "three refreshes: the first three tokens revoked, the last not", async () => {
  await withUser(async (user) => {
    const tokens = await family(user.email);
    assert.deepEqual(await revokedFlags(tokens), [true, true, true, false]);
  });
});
upstream(
  reuse,
  "the earliest token reused beyond the interval: 400 refresh_token_already_used, the whole family revoked",
  async () => {
    await withUser(async (user) => {
      const tokens = await family(user.email);
      await ageRefreshTokens(tokens[0], 60);
      alreadyUsed(await refresh(tokens[0]));
      assert.deepEqual(await revokedFlags(tokens), [true, true, true, true]);
    });
  },
);
upstream(
  reuse,
  "after the revocation, no token of the family can be used again (beyond the interval)",
  async () => {
    await withUser(async (user) => {
      const tokens = await family(user.email);
      await ageRefreshTokens(tokens[0], 60);
      await refresh(tokens[0]);
      await ageRefreshTokens(tokens[0], 60);
      for (const token of [...tokens].reverse()) {
        alreadyUsed(await refresh(token));
      }
    });
  },
);
upstream(
  source("models/refresh_token.go", "RevokeTokenFamily: where session_id = ? and revoked = false"),
  "tokens revoked before the revocation stay revoked: refused at once, their time untouched",
  async () => {
    await withUser(async (user) => {
      const tokens = await family(user.email);
      await ageRefreshTokens(tokens[0], 60);
      await refresh(tokens[0]);
      // tokens[1] and [2] were revoked by their own refreshes, a minute ago: the revocation of the
      // family must not give them a new reuse interval.
      for (const token of tokens.slice(1, 3)) {
        alreadyUsed(await refresh(token));
      }
    });
  },
);

upstream(
  tokenTest("TestTokenRefreshWithExpiredSession"),
  "a session past its not_after: 400 session_expired",
  async () => {
    await withUser(async (user) => {
      const session = await signIn(user.email);
      await withDb((db) =>
        db`update auth.sessions set not_after = now() - interval '1 second'
        where id = (select session_id from auth.refresh_tokens where token = ${session.refresh_token})`
      );
      authError(
        await refresh(session.refresh_token),
        400,
        "session_expired",
        "Invalid Refresh Token: Session Expired",
      );
    });
  },
);

upstream(
  tokenTest("TestTokenRefreshWithUnexpiredSession"),
  "a session before its not_after: 200",
  async () => {
    await withUser(async (user) => {
      const session = await signIn(user.email);
      await withDb((db) =>
        db`update auth.sessions set not_after = now() + interval '1 minute'
        where id = (select session_id from auth.refresh_tokens where token = ${session.refresh_token})`
      );
      assert.equal((await refresh(session.refresh_token)).status, 200);
    });
  },
);

const refreshGrant = source("tokens/service.go", "RefreshTokenGrant");
upstream(refreshGrant, "no refresh token: 400 invalid_request (an OAuth error body)", async () => {
  const res = await auth("POST", "/token?grant_type=refresh_token", { body: {} });
  assert.equal(res.status, 400);
  assert.deepEqual(res.json, {
    error: "invalid_request",
    error_description: "refresh_token required",
  });
});
upstream(refreshGrant, "a refresh token nobody issued: 400 refresh_token_not_found", async () => {
  authError(
    await refresh("abcdefghijkl"),
    400,
    "refresh_token_not_found",
    "Invalid Refresh Token: Refresh Token Not Found",
  );
});
upstream(
  source("models/user.go", "FindUserWithRefreshToken: len(token) < 12"),
  "a refresh token too short to be one: 400 refresh_token_not_found",
  async () => {
    authError(
      await refresh("abc"),
      400,
      "refresh_token_not_found",
      "Invalid Refresh Token: Refresh Token Not Found",
    );
  },
);
upstream(
  refreshGrant,
  "a refresh token after its session signed out: 400 refresh_token_not_found (the tokens went with it)",
  async () => {
    await withUser(async (user) => {
      const session = await signIn(user.email);
      const out = await auth("POST", "/logout", { token: session.access_token });
      assert.equal(out.status, 204);
      authError(
        await refresh(session.refresh_token),
        400,
        "refresh_token_not_found",
        "Invalid Refresh Token: Refresh Token Not Found",
      );
    });
  },
);
