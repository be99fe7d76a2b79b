// Token attacks over HTTP, through the gateway and against the function directly (as deployed
// with verify_jwt off): each is a 401 and never data.
import assert from "node:assert/strict";
import { generateKeyPair, SignJWT } from "jose";
import { SEED, signIn, stack } from "../support/stack.ts";

const USER = "00000000-0000-4000-8000-000000000001"; // the admin: any accepted token would see data
const now = Math.floor(Date.now() / 1000);
const b64 = (o: unknown) =>
  btoa(JSON.stringify(o)).replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
const userClaims = {
  sub: USER,
  role: "authenticated",
  aud: "authenticated",
  iat: now,
  exp: now + 600,
};
const hs256 = (claims: Record<string, unknown>, secret: string) =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(
    new TextEncoder().encode(secret),
  );
const jwks = await (await fetch(`${stack.SUPABASE_URL}/auth/v1/.well-known/jwks.json`)).json();
const stranger = await generateKeyPair("ES256");

const attacks: [string, () => Promise<string>][] = [
  ["alg none", () => Promise.resolve(`${b64({ alg: "none", typ: "JWT" })}.${b64(userClaims)}.`)],
  [
    "HS256 signed with the public key (algorithm confusion)",
    () => hs256(userClaims, JSON.stringify(jwks.keys[0])),
  ],
  ["a wrong secret", () => hs256(userClaims, "wrong-secret-wrong-secret-wrong-secret-0")],
  [
    "an unknown kid",
    () =>
      new SignJWT(userClaims).setProtectedHeader({
        alg: "ES256",
        typ: "JWT",
        kid: "not-a-known-kid",
      }).sign(stranger.privateKey),
  ],
  [
    "a known kid signed by another key",
    () =>
      new SignJWT(userClaims).setProtectedHeader({
        alg: "ES256",
        typ: "JWT",
        kid: jwks.keys[0].kid,
      }).sign(stranger.privateKey),
  ],
  ["an expired token", () => hs256({ ...userClaims, exp: now - 60 }, stack.SUPABASE_JWT_SECRET)],
  ["nbf in the future", () => hs256({ ...userClaims, nbf: now + 600 }, stack.SUPABASE_JWT_SECRET)],
  [
    "a wrong aud",
    () => hs256({ ...userClaims, aud: "another-project" }, stack.SUPABASE_JWT_SECRET),
  ],
  [
    "a forged role service_role",
    () =>
      hs256(
        { role: "service_role", iat: now, exp: now + 600 },
        "forged-secret-forged-secret-forged-secret",
      ),
  ],
  ["the anon key", () => Promise.resolve(stack.SUPABASE_ANON_KEY ?? "eyJ.anon.key")],
  [
    "a publishable key",
    () => Promise.resolve(stack.SUPABASE_PUBLISHABLE_KEY ?? "sb_publishable_x"),
  ],
  ["a truncated token", async () => (await signIn(SEED.users.admin)).slice(0, -12)],
  ["garbage", () => Promise.resolve("eyJ.garbage.!!")],
];

const targets = [["gateway", stack.FUNCTION_URL], ["function", stack.FUNCTION_DIRECT_URL]].filter((
  [, u],
) => u);

for (const [where, base] of targets) {
  for (const [name, make] of attacks) {
    Deno.test(`${where}: ${name} → 401, no data`, async () => {
      const res = await fetch(
        `${base}?interview_result_id=${SEED.submitted}&get_signed_recordings=true`,
        {
          headers: { authorization: `Bearer ${await make()}` },
        },
      );
      const body = await res.text();
      assert.equal(res.status, 401);
      assert.ok(!body.includes("transcript") && !body.includes("score"), "never data");
    });
  }

  Deno.test(`${where}: a 16 KB header → a clean 4xx, never a 5xx`, async () => {
    const oversized: Record<string, string>[] = [
      { authorization: `Bearer ${"a".repeat(16 * 1024)}` },
      { "x-filler": "b".repeat(16 * 1024) },
    ];
    for (const headers of oversized) {
      const res = await fetch(`${base}?interview_result_id=${SEED.submitted}`, { headers }).catch((
        e,
      ) => e as Error);
      if (res instanceof Error) {
        throw new Error(`the connection failed instead of a 4xx: ${res.message}`);
      }
      await res.body?.cancel();
      assert.ok(res.status >= 400 && res.status < 500, `got ${res.status}`);
    }
  });
}

Deno.test("a sanity check the attacks above could fail: the admin's real token is accepted", async () => {
  const res = await fetch(`${stack.FUNCTION_URL}?interview_result_id=${SEED.submitted}`, {
    headers: { authorization: `Bearer ${await signIn(SEED.users.admin)}` },
  });
  assert.equal(res.status, 200);
  await res.body?.cancel();
});
