import assert from "node:assert/strict";
import {
  bearerToken,
  createTokenVerifier,
  credentialsFrom,
  secretKeyMatcher,
  withVerificationCache,
} from "../../supabase/functions/job-interview-details/auth.ts";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { createTestKeys, JWT_SECRET, token, USER_ID } from "../support/fixtures.ts";

const keys = await createTestKeys();
// The remote JWKS URL points at nothing: tests prove no call is needed when keys are at hand.
const SECRET_KEYS = ["sb_secret_first_key_0123456789", "sb_secret_second_key_987654321"];
const verify = createTokenVerifier({
  jwtSecret: JWT_SECRET,
  secretKeys: SECRET_KEYS,
  jwks: { keys: [keys.jwk] },
  jwksUrl: "http://127.0.0.1:9/jwks",
});

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

Deno.test("verifyToken() accepts each of the project's secret keys as the service role", async () => {
  for (const key of SECRET_KEYS) {
    const { caller } = await verify(key);
    assert.deepEqual(caller, {
      sub: null,
      role: "service_role",
      token: key,
      credential: "secret_key",
    });
  }
});

Deno.test("verifyToken() refuses a publishable key and an unknown or altered secret key", async () => {
  const refused = [
    "sb_publishable_first_key_0123456789",
    "sb_secret_unknown_key_0123456789",
    SECRET_KEYS[0].slice(0, -1),
    SECRET_KEYS[0] + "0",
    "sb_secret_",
  ];
  for (const key of refused) {
    const result = await verify(key);
    assert.equal(result.caller, undefined, key);
  }
  assert.match((await verify(refused[0])).error!, /signed-in user/);
  const none = createTokenVerifier({ jwksUrl: "http://127.0.0.1:9/jwks" });
  assert.equal((await none(SECRET_KEYS[0])).caller, undefined, "no keys configured, none match");
});

Deno.test("secretKeyMatcher() compares digests of every key, whatever the lengths", async () => {
  const matches = secretKeyMatcher(["sb_secret_a", "sb_secret_bb"]);
  assert.equal(await matches("sb_secret_a"), true);
  assert.equal(await matches("sb_secret_bb"), true);
  for (const other of ["", "sb_secret_", "sb_secret_b", "sb_secret_bbb", "SB_SECRET_A"]) {
    assert.equal(await matches(other), false, other);
  }
});

Deno.test("verifyToken() accepts a legacy HS256 user token", async () => {
  const { caller } = await verify(await token(keys));
  assert.deepEqual(caller && { sub: caller.sub, role: caller.role }, {
    sub: USER_ID,
    role: "authenticated",
  });
});

Deno.test("verifyToken() accepts an ES256 token from the key set", async () => {
  const { caller } = await verify(await token(keys, { alg: "ES256" }));
  assert.equal(caller?.sub, USER_ID);
});

Deno.test("verifyToken() accepts the service role", async () => {
  const { caller } = await verify(
    await token(keys, { claims: { role: "service_role", sub: undefined, aud: undefined } }),
  );
  assert.deepEqual(caller && { sub: caller.sub, role: caller.role }, {
    sub: null,
    role: "service_role",
  });
});

const unsigned = (claims: Record<string, unknown>) =>
  `${btoa(JSON.stringify({ alg: "none", typ: "JWT" })).replace(/=+$/, "")}.${
    btoa(JSON.stringify(claims)).replace(/=+$/, "")
  }.`;

const attacks: [string, () => Promise<string>][] = [
  [
    "alg none",
    () =>
      Promise.resolve(
        unsigned({ sub: USER_ID, role: "authenticated", aud: "authenticated", exp: 2e9 }),
      ),
  ],
  [
    "HS256 signed with the public key (algorithm confusion)",
    () => token(keys, { secret: JSON.stringify(keys.jwk) }),
  ],
  ["a wrong secret", () => token(keys, { secret: "another-secret-another-secret-another" })],
  ["an unknown kid", () => token(keys, { alg: "ES256", kid: "unknown", key: keys.other })],
  ["a known kid signed by another key", () => token(keys, { alg: "ES256", key: keys.other })],
  ["an expired token", () => token(keys, { expiresIn: -10 })],
  [
    "nbf in the future",
    () => token(keys, { claims: { nbf: Math.floor(Date.now() / 1000) + 600 } }),
  ],
  ["a wrong aud", () => token(keys, { claims: { aud: "other" } })],
  ["the anon key", () => token(keys, { claims: { role: "anon", sub: undefined, aud: undefined } })],
  [
    "a forged service_role",
    () =>
      token(keys, {
        secret: "forged-secret-forged-secret-forged-sec",
        claims: { role: "service_role" },
      }),
  ],
  ["no exp", () => token(keys, { claims: { exp: undefined } })],
  ["no sub", () => token(keys, { claims: { sub: undefined } })],
  ["a publishable key", () => Promise.resolve("sb_publishable_abc123")],
  ["garbage", () => Promise.resolve("not-a-token")],
  ["a truncated token", async () => (await token(keys)).slice(0, -20)],
];

for (const [name, make] of attacks) {
  Deno.test(`verifyToken() rejects ${name}`, async () => {
    const result = await verify(await make());
    assert.equal(result.caller, undefined);
    assert.ok(result.error);
  });
}

Deno.test("verifyToken() asks Auth for an HS256 token only when no secret is configured", async () => {
  const calls: string[] = [];
  const viaAuth = createTokenVerifier({
    jwksUrl: "http://127.0.0.1:9/jwks",
    getUser: (t) => {
      calls.push(t);
      return Promise.resolve(t.endsWith("x") ? null : { id: USER_ID });
    },
  });
  const good = await token(keys);
  assert.equal((await viaAuth(good)).caller?.sub, USER_ID);
  assert.equal((await viaAuth(good + "x")).caller, undefined);
  assert.equal(calls.length, 2);
  assert.equal(calls.length, 2, "the keyed verifier above never called Auth");
});

Deno.test("withVerificationCache() skips the check for a token that verified, until its exp", async () => {
  let calls = 0;
  let clock = Date.now();
  const cached = withVerificationCache((t) => {
    calls++;
    return verify(t);
  }, { now: () => clock });
  const good = await token(keys, { expiresIn: 60 });
  assert.ok((await cached(good)).caller);
  assert.ok((await cached(good)).caller);
  assert.equal(calls, 1, "the second call was served from the cache");
  clock += 61_000;
  assert.ok((await cached(good)).caller);
  assert.equal(calls, 2, "past exp the token is checked again");
});

Deno.test("withVerificationCache() never caches a rejection and stays bounded", async () => {
  let calls = 0;
  const cached = withVerificationCache((t) => {
    calls++;
    return verify(t);
  }, { max: 2 });
  await cached("garbage");
  await cached("garbage");
  assert.equal(calls, 2);
  const tokens = [
    await token(keys),
    await token(keys, { alg: "ES256" }),
    await token(keys, { expiresIn: 99 }),
  ];
  for (const t of tokens) await cached(t);
  calls = 0;
  await cached(tokens[0]);
  assert.equal(calls, 1, "the oldest entry was evicted");
});

Deno.test("verifyToken() accepts an RS256 token from the key set", async () => {
  const rsa = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(rsa.publicKey)), kid: "rsa-kid", alg: "RS256", use: "sig" };
  const withRsa = createTokenVerifier({
    jwks: { keys: [jwk] },
    jwksUrl: "http://127.0.0.1:9/jwks",
  });
  const now = Math.floor(Date.now() / 1000);
  const rs256 = await new SignJWT({
    sub: USER_ID,
    role: "authenticated",
    aud: "authenticated",
    exp: now + 60,
  })
    .setProtectedHeader({ alg: "RS256", kid: "rsa-kid" }).sign(rsa.privateKey);
  assert.equal((await withRsa(rs256)).caller?.sub, USER_ID);
});
