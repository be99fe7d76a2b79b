// The credential's pre-check: what the request alone tells (no key, no call). Signatures are
// PostgREST's to verify; tests/integration/token_attacks_test.ts sends the forgeries end to end.
import assert from "node:assert/strict";
import {
  bearerToken,
  checkCredential,
  credentialsFrom,
  fromBrowser,
} from "../../supabase/functions/job-interview-details/auth.ts";
import { createTestKeys, token, USER_ID } from "../support/fixtures.ts";

const keys = await createTestKeys();
const now = () => Math.floor(Date.now() / 1000);

Deno.test("bearerToken() reads only a well-formed Bearer header, space or tab after the scheme", () => {
  assert.equal(bearerToken("Bearer abc.def.ghi"), "abc.def.ghi");
  assert.equal(bearerToken("bearer abc"), "abc");
  assert.equal(bearerToken("Bearer\tabc"), "abc");
  for (const bad of [null, "", "Basic abc", "Bearer", "Bearer a b", "Bearer ", "Bearerabc"]) {
    assert.equal(bearerToken(bad), undefined);
  }
});

Deno.test("credentialsFrom() names what is wrong with the header instead of calling it missing", () => {
  assert.deepEqual(credentialsFrom("Bearer\tabc", null), { token: "abc" });
  assert.deepEqual(credentialsFrom(undefined, undefined), { error: "Missing access token." });
  assert.deepEqual(credentialsFrom("Bearer ", null), { error: "Missing access token." });
  for (const malformed of ["Basic dXNlcjpwYXNz", "Bearer a b", "abc.def.ghi"]) {
    assert.match(credentialsFrom(malformed, null).error!, /must be "Bearer <access token>"/);
  }
});

Deno.test("credentialsFrom() takes a secret key sent as apikey only when there is no Authorization", () => {
  assert.deepEqual(credentialsFrom(null, "sb_secret_abc"), { token: "sb_secret_abc" });
  assert.deepEqual(credentialsFrom("Bearer user.jwt.x", "sb_secret_abc"), { token: "user.jwt.x" });
  assert.equal(credentialsFrom(null, "sb_publishable_abc").token, undefined);
  assert.equal(credentialsFrom(null, "eyJ.anon.key").token, undefined);
});

Deno.test("checkCredential() takes a secret key as the service role, for the gateway to confirm", () => {
  const { caller } = checkCredential("sb_secret_first_key_0123456789", now());
  assert.deepEqual(caller, {
    sub: null,
    session_id: null,
    role: "service_role",
    token: "sb_secret_first_key_0123456789",
    credential: "secret_key",
  });
});

Deno.test("checkCredential() takes a user's token, HS256 or ES256 alike, with its claims", async () => {
  for (const alg of ["HS256", "ES256"] as const) {
    const { caller } = checkCredential(await token(keys, { alg }), now());
    assert.deepEqual(caller && { sub: caller.sub, role: caller.role, via: caller.credential }, {
      sub: USER_ID,
      role: "authenticated",
      via: "jwt",
    }, alg);
  }
});

Deno.test("checkCredential() keeps the token's Auth session id, for an access record's log line", async () => {
  const session = "7d1f3c1e-2b8a-4c55-9e0e-5a6b7c8d9e0f";
  const cases: [string, unknown, string | null][] = [
    ["Auth's session_id", session, session],
    ["none", undefined, null],
    ["not a uuid", "session-1", null],
    ["not a string", 42, null],
  ];
  for (const [name, claim, expected] of cases) {
    const tok = await token(keys, { claims: { session_id: claim } });
    assert.equal(checkCredential(tok, now()).caller?.session_id, expected, name);
  }
});

Deno.test("checkCredential() takes the service role's legacy JWT", async () => {
  const { caller } = checkCredential(
    await token(keys, { claims: { role: "service_role", sub: undefined, aud: undefined } }),
    now(),
  );
  assert.deepEqual(caller && { sub: caller.sub, role: caller.role }, {
    sub: null,
    role: "service_role",
  });
});

const unsigned = (alg: string, claims: Record<string, unknown>) =>
  `${btoa(JSON.stringify({ alg, typ: "JWT" })).replace(/=+$/, "")}.${
    btoa(JSON.stringify(claims)).replace(/=+$/, "")
  }.`;
const user = { sub: USER_ID, role: "authenticated", aud: "authenticated", exp: 2e9 };

const refused: [string, () => Promise<string>, RegExp][] = [
  ["alg none", () => Promise.resolve(unsigned("none", user)), /invalid/i],
  ["alg HS512", () => Promise.resolve(unsigned("HS512", user)), /invalid/i],
  ["an expired token", () => token(keys, { expiresIn: -10 }), /expired/],
  ["a token expiring this second", () => token(keys, { expiresIn: 0 }), /expired/],
  ["no exp", () => token(keys, { claims: { exp: undefined } }), /invalid/i],
  ["a wrong aud", () => token(keys, { claims: { aud: "other" } }), /signed-in user/],
  [
    "the anon key",
    () => token(keys, { claims: { role: "anon", sub: undefined, aud: undefined } }),
    /signed-in user/,
  ],
  ["no sub", () => token(keys, { claims: { sub: undefined } }), /signed-in user/],
  ["a sub that is no user id", () => token(keys, { claims: { sub: "admin" } }), /signed-in user/],
  ["a publishable key", () => Promise.resolve("sb_publishable_abc123"), /signed-in user/],
  ["another sb_ key", () => Promise.resolve("sb_other_abc123"), /invalid/i],
  ["a bare secret-key prefix", () => Promise.resolve("sb_secret_"), /invalid/i],
  ["garbage", () => Promise.resolve("not-a-token"), /invalid/i],
  ["a header that is not JSON", () => Promise.resolve("bm90IGpzb24.e30.x"), /invalid/i],
  ["a truncated token", async () => (await token(keys)).slice(0, -200), /invalid/i],
];

for (const [name, make, message] of refused) {
  Deno.test(`checkCredential() refuses ${name}`, async () => {
    const result = checkCredential(await make(), now());
    assert.equal(result.caller, undefined);
    assert.match(result.error!, message);
  });
}

Deno.test("checkCredential() leaves the signature to PostgREST: a forged token passes the pre-check", async () => {
  const forged = await token(keys, { secret: "forged-secret-forged-secret-forged-sec" });
  assert.equal(checkCredential(forged, now()).caller?.sub, USER_ID);
});

Deno.test("fromBrowser: browsers' User-Agents, not servers' or none", () => {
  for (
    const ua of [
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    ]
  ) assert.equal(fromBrowser(ua), true, ua);
  for (
    const ua of ["Deno/2.1.4", "node", "curl/8.5.0", "python-httpx/0.28.1", "", null, undefined]
  ) {
    assert.equal(fromBrowser(ua), false, String(ua));
  }
});
