// The local gateway's verify_jwt gate answers as the hosted one does today (Supabase's
// "Authorization headers" guide, late 2026): legacy HS256 tokens against the secret, ES256 and
// RS256 against the key set by kid, the project's sb_publishable_ / sb_secret_ keys in
// Authorization or apikey; each refusal a 401 `{code, message}` whose code is its sb-error-code,
// without CORS headers (unreadable cross-origin: why the function runs with the gate off).
import assert from "node:assert/strict";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { createGate } from "../../tools/local-stack/gateway/functions.ts";
import type { StackKeys } from "../../tools/local-stack/keys.ts";
import { createTestKeys, JWT_SECRET, token, USER_ID } from "../support/fixtures.ts";

const keys = await createTestKeys();
const rsa = await generateKeyPair("RS256", { extractable: true });
const stackKeys = {
  jwtSecret: JWT_SECRET,
  publishableKey: "sb_publishable_project_key",
  secretKey: "sb_secret_project_key",
  jwks: {
    keys: [keys.jwk, { ...(await exportJWK(rsa.publicKey)), kid: "rsa-kid", alg: "RS256" }],
  },
} as unknown as StackKeys;
const gate = createGate(stackKeys);
const call = (headers: Record<string, string> = {}, method = "GET") =>
  gate(new Request("http://gateway/functions/v1/fn", { method, headers }));
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

async function assertRefused(res: Response | undefined, code: string) {
  assert.ok(res, "refused");
  assert.equal(res.status, 401);
  assert.equal(res.headers.get("sb-error-code"), code);
  const body = await res.json();
  assert.deepEqual(Object.keys(body), ["code", "message"]);
  assert.equal(body.code, code, "the body's code is the string of sb-error-code");
  assert.equal(typeof body.message, "string");
  assert.equal(res.headers.get("access-control-allow-origin"), null, "no CORS");
}

Deno.test("createGate() lets a valid HS256 token through, user or anon key alike", async () => {
  assert.equal(await call(bearer(await token(keys))), undefined);
  const anon = await token(keys, { claims: { role: "anon", sub: undefined, aud: undefined } });
  assert.equal(await call(bearer(anon)), undefined, "the gate checks the signature, not the role");
});

Deno.test("createGate() lets ES256 and RS256 user tokens through, by kid from the key set", async () => {
  assert.equal(await call(bearer(await token(keys, { alg: "ES256" }))), undefined);
  const rs256 = await new SignJWT({ sub: USER_ID, role: "authenticated", aud: "authenticated" })
    .setProtectedHeader({ alg: "RS256", kid: "rsa-kid" }).setExpirationTime("1h").sign(
      rsa.privateKey,
    );
  assert.equal(await call(bearer(rs256)), undefined);
});

Deno.test("createGate() lets the project's new API keys through, in Authorization or apikey", async () => {
  for (const key of ["sb_publishable_project_key", "sb_secret_project_key"]) {
    assert.equal(await call(bearer(key)), undefined, key);
    assert.equal(await call({ apikey: key }), undefined, key);
  }
});

Deno.test("createGate() refuses what isn't the project's, with a code per cause", async () => {
  await assertRefused(await call(), "UNAUTHORIZED_NO_AUTH_HEADER");
  await assertRefused(
    await call({ apikey: "sb_publishable_other" }),
    "UNAUTHORIZED_NO_AUTH_HEADER",
  );
  for (const bad of ["Bearer sb_secret_other", "Bearer not-a-jwt", "Basic abc"]) {
    await assertRefused(await call({ authorization: bad }), "UNAUTHORIZED_INVALID_JWT_FORMAT");
  }
  for (
    const bad of [
      await token(keys, { secret: "another-secret-another-secret-another" }),
      await token(keys, { expiresIn: -60 }),
    ]
  ) {
    await assertRefused(await call(bearer(bad)), "UNAUTHORIZED_LEGACY_JWT");
  }
  for (
    const bad of [
      await token(keys, { alg: "ES256", key: keys.other }),
      await token(keys, { alg: "ES256", kid: "unknown" }),
      await token(keys, { alg: "ES256", expiresIn: -60 }),
    ]
  ) {
    await assertRefused(await call(bearer(bad)), "UNAUTHORIZED_ASYMMETRIC_JWT");
  }
  const hs512 = `${btoa('{"alg":"HS512"}').replace(/=+$/, "")}.e30.x`;
  await assertRefused(await call(bearer(hs512)), "UNAUTHORIZED_UNSUPPORTED_TOKEN_ALGORITHM");
});

Deno.test("createGate() lets preflights through unchecked", async () => {
  assert.equal(await call({}, "OPTIONS"), undefined);
});
