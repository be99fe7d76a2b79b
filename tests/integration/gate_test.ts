// The function is the gate (verify_jwt = false in supabase/config.toml): every 401, whatever is
// wrong with the credential, is the contract's `{error}` with CORS, X-Request-Id and
// Cache-Control, through the gateway and directly. Where a function keeps the platform's gate on,
// the gateway answers as the hosted one: it refuses ES256 user tokens, unreadably cross-origin.
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { apiKey, SEED, signIn, stack } from "../support/stack.ts";

const ORIGIN = "https://app.jobmojito.example";
const now = Math.floor(Date.now() / 1000);
const hs256 = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(stack.SUPABASE_JWT_SECRET));
const user = { sub: "00000000-0000-4000-8000-000000000012", role: "authenticated" };

/** Credentials a caller may send, each wrong in its own way. */
const wrong: [string, () => Promise<Record<string, string>>][] = [
  ["no credential at all", () => Promise.resolve({})],
  ["only the publishable (or anon) apikey", () => Promise.resolve({ apikey: apiKey })],
  ["an empty Bearer", () => Promise.resolve({ authorization: "Bearer " })],
  ["a Basic header", () => Promise.resolve({ authorization: "Basic dXNlcjpwYXNzd29yZA==" })],
  ["garbage", () => Promise.resolve({ authorization: "Bearer not.a.jwt" })],
  [
    "an expired HS256 user token",
    async () => ({
      authorization: `Bearer ${await hs256({
        ...user,
        aud: "authenticated",
        exp: now - 60,
      })}`,
    }),
  ],
  [
    "an ES256 user token cut short",
    async () => ({ authorization: `Bearer ${(await signIn(SEED.users.bob)).slice(0, -10)}` }),
  ],
  [
    "the anon key as bearer",
    () => Promise.resolve({ authorization: `Bearer ${stack.SUPABASE_ANON_KEY ?? apiKey}` }),
  ],
  [
    "a publishable key in both headers",
    () =>
      Promise.resolve({
        authorization: `Bearer ${stack.SUPABASE_PUBLISHABLE_KEY}`,
        apikey: stack.SUPABASE_PUBLISHABLE_KEY,
      }),
  ],
  ["an unknown secret key", () => Promise.resolve({ apikey: "sb_secret_not_this_project_0000" })],
];

const targets = [["through the gateway", stack.FUNCTION_URL], [
  "directly",
  stack.FUNCTION_DIRECT_URL,
]].filter(([, url]) => url);

for (const [where, base] of targets) {
  Deno.test(`every 401 ${where} is {error} with CORS, X-Request-Id and Cache-Control`, async () => {
    for (const [name, make] of wrong) {
      const res = await fetch(`${base}?interview_result_id=${SEED.submitted}`, {
        headers: { origin: ORIGIN, ...(await make()) },
      });
      const text = await res.text();
      assert.equal(res.status, 401, `${name}: ${text}`);
      const body = JSON.parse(text);
      assert.deepEqual(Object.keys(body), ["error"], name);
      assert.equal(typeof body.error, "string", name);
      assert.equal(res.headers.get("access-control-allow-origin"), "*", name);
      assert.match(res.headers.get("x-request-id") ?? "", /^[\w.:-]+$/, name);
      assert.equal(res.headers.get("cache-control"), "private, no-store", name);
      assert.equal(res.headers.get("sb-error-code"), null, `${name}: not the platform's gate`);
    }
  });
}

Deno.test("a secret key in Authorization and apikey, as servers send it, is the service role", async () => {
  const key = stack.SUPABASE_SECRET_KEY;
  if (!key) return;
  // The service role sees an unsubmitted result no recruiter may see.
  const variants: Record<string, string>[] = [
    { authorization: `Bearer ${key}`, apikey: key },
    { apikey: key },
  ];
  for (const headers of variants) {
    const res = await fetch(`${stack.FUNCTION_URL}?interview_result_id=${SEED.inProgress}`, {
      headers,
    });
    assert.equal(res.status, 200, JSON.stringify(Object.keys(headers)));
    assert.equal((await res.json()).status, "in_progress");
  }
});

const gated = stack.FUNCTION_GATED_URL;

Deno.test({
  name:
    "the platform's gate (verify_jwt on) lets a valid ES256 user token through, and refuses an expired one unreadably",
  ignore: !gated,
  fn: async () => {
    const token = await signIn(SEED.users.acmeRecruiter);
    assert.equal(JSON.parse(atob(token.split(".")[0])).alg, "ES256");
    const through = await fetch(gated!, { headers: { authorization: `Bearer ${token}` } });
    // Past the gate the function answers (this name has no route of its own: its 404).
    assert.equal(through.status, 404);
    assert.deepEqual(await through.json(), { error: "Not found." });

    // An expired session: the gate answers before the function, in its own shape, no CORS.
    const expired = await hs256({ ...user, aud: "authenticated", exp: now - 60 });
    const res = await fetch(gated!, {
      headers: { authorization: `Bearer ${expired}`, origin: ORIGIN },
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("sb-error-code"), "UNAUTHORIZED_LEGACY_JWT");
    assert.deepEqual(await res.json(), { code: "UNAUTHORIZED_LEGACY_JWT", message: "Invalid JWT" });
    assert.equal(res.headers.get("access-control-allow-origin"), null, "no CORS on the gate's 401");
  },
});

Deno.test({
  name: "the platform's gate lets a legacy HS256 token through and answers missing headers itself",
  ignore: !gated,
  fn: async () => {
    const legacy = await hs256({ ...user, aud: "authenticated", exp: now + 600 });
    const through = await fetch(gated!, { headers: { authorization: `Bearer ${legacy}` } });
    // Past the gate the function answers (this name has no route of its own: its 404).
    assert.equal(through.status, 404);
    assert.deepEqual(await through.json(), { error: "Not found." });
    const missing = await fetch(gated!);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get("sb-error-code"), "UNAUTHORIZED_NO_AUTH_HEADER");
    assert.deepEqual(await missing.json(), {
      code: "UNAUTHORIZED_NO_AUTH_HEADER",
      message: "Missing authorization header",
    });
  },
});
