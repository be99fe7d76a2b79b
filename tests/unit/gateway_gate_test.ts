// The local gateway's verify_jwt gate answers as the hosted one: legacy HS256 tokens only, each
// refusal a 401 `{code: 401, message}` with an sb-error-code and no CORS headers. This is why the
// function runs with the gate off (supabase/config.toml): it would refuse ES256 users.
import assert from "node:assert/strict";
import { hostedGate } from "../../tools/local-stack/gateway/functions.ts";
import { createTestKeys, JWT_SECRET, token } from "../support/fixtures.ts";

const keys = await createTestKeys();
const call = (authorization?: string, method = "GET") =>
  hostedGate(
    new Request("http://gateway/functions/v1/fn", {
      method,
      headers: authorization === undefined ? {} : { authorization },
    }),
    JWT_SECRET,
  );

async function assertRefused(res: Response | undefined, code: string, message: string) {
  assert.ok(res, "refused");
  assert.equal(res.status, 401);
  assert.equal(res.headers.get("sb-error-code"), code);
  assert.deepEqual(await res.json(), { code: 401, message });
  assert.equal(
    res.headers.get("access-control-allow-origin"),
    null,
    "no CORS: unreadable cross-origin",
  );
}

Deno.test("hostedGate() lets a valid legacy HS256 token through, user or anon key alike", async () => {
  assert.equal(await call(`Bearer ${await token(keys)}`), undefined);
  const anon = await token(keys, { claims: { role: "anon", sub: undefined, aud: undefined } });
  assert.equal(
    await call(`Bearer ${anon}`),
    undefined,
    "the gate checks the signature, not the role",
  );
});

Deno.test("hostedGate() refuses a valid ES256 user token: the new signing keys are not supported", async () => {
  await assertRefused(
    await call(`Bearer ${await token(keys, { alg: "ES256" })}`),
    "UNAUTHORIZED_UNSUPPORTED_TOKEN_ALGORITHM",
    "Invalid JWT",
  );
});

Deno.test("hostedGate() refuses a missing header, a non-JWT and a bad or expired HS256 token", async () => {
  await assertRefused(await call(), "UNAUTHORIZED_NO_AUTH_HEADER", "Missing authorization header");
  for (const bad of ["Bearer sb_secret_abc", "Bearer not-a-jwt", "Basic abc"]) {
    await assertRefused(
      await call(bad),
      "UNAUTHORIZED_INVALID_JWT_FORMAT",
      "Invalid Token or Protected Header formatting",
    );
  }
  for (
    const bad of [
      await token(keys, { secret: "another-secret-another-secret-another" }),
      await token(keys, { expiresIn: -60 }),
    ]
  ) {
    await assertRefused(await call(`Bearer ${bad}`), "UNAUTHORIZED_LEGACY_JWT", "Invalid JWT");
  }
});

Deno.test("hostedGate() lets preflights through unchecked", async () => {
  assert.equal(await call(undefined, "OPTIONS"), undefined);
});
