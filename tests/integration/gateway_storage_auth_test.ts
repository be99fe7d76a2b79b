// The stand-in's Storage and Auth on the points the function relies on: batch signing with a
// missing object, single signing, signed URLs that download the bytes and that are refused once
// expired, altered or moved to another path; the key set and the user endpoint.
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { apiKey, SEED, serviceHeaders, serviceKey, signIn, stack } from "../support/stack.ts";

const BUCKET = "private-recordings";
const PREFIX = `10000000-0000-4000-8000-000000000002/${SEED.submitted}`;
const EXISTING = `${PREFIX}/answer-2.ogg`;
const MISSING = `${PREFIX}/answer-10.ogg`;

async function sign(paths: string[], token = serviceKey, expiresIn = 60) {
  const res = await fetch(`${stack.SUPABASE_URL}/storage/v1/object/sign/${BUCKET}`, {
    method: "POST",
    headers: {
      // A new API key in Authorization travels as apikey too, as supabase-js sends it.
      apikey: token.startsWith("sb_") ? token : apiKey,
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ expiresIn, paths }),
  });
  return { status: res.status, body: await res.json() };
}

Deno.test("batch signing answers one entry per path, in order, with an error entry for a missing object", async () => {
  const { status, body } = await sign([EXISTING, MISSING]);
  assert.equal(status, 200);
  assert.equal(body.length, 2);
  assert.equal(body[0].path, EXISTING);
  assert.equal(body[0].error, null);
  assert.match(body[0].signedURL, new RegExp(`^/object/sign/${BUCKET}/.+answer-2\\.ogg\\?token=`));
  assert.deepEqual(body[1], {
    error: "Either the object does not exist or you do not have access to it",
    path: MISSING,
    signedURL: null,
  });
});

Deno.test("batch signing with a user token and no storage policy signs nothing", async () => {
  const { status, body } = await sign([EXISTING], await signIn(SEED.users.admin));
  assert.equal(status, 200);
  assert.equal(body[0].signedURL, null);
});

Deno.test("batch signing without Authorization → 400 InvalidRequest", async () => {
  const res = await fetch(`${stack.SUPABASE_URL}/storage/v1/object/sign/${BUCKET}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ expiresIn: 60, paths: [EXISTING] }),
  });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).code, "InvalidRequest");
});

Deno.test("single signing: a URL for an object, 400 NoSuchKey for a missing one", async () => {
  const one = (path: string) =>
    fetch(`${stack.SUPABASE_URL}/storage/v1/object/sign/${BUCKET}/${path}`, {
      method: "POST",
      headers: { ...serviceHeaders, "content-type": "application/json" },
      body: JSON.stringify({ expiresIn: 60 }),
    });
  const ok = await one(EXISTING);
  assert.equal(ok.status, 200);
  assert.match((await ok.json()).signedURL, /\?token=/);
  const missing = await one(MISSING);
  assert.equal(missing.status, 400);
  assert.deepEqual(await missing.json(), {
    statusCode: "404",
    error: "not_found",
    message: "Object not found",
    code: "NoSuchKey",
  });
});

Deno.test("a signed URL downloads the object's bytes with Storage's headers, ranges included", async () => {
  const { body } = await sign([EXISTING]);
  const res = await fetch(`${stack.SUPABASE_URL}/storage/v1${body[0].signedURL}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "audio/ogg");
  assert.equal(res.headers.get("accept-ranges"), "bytes");
  assert.ok(
    res.headers.get("etag") && res.headers.get("last-modified") && res.headers.get("expires"),
  );
  const bytes = await res.bytes();
  assert.equal(Number(res.headers.get("content-length")), bytes.length);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), "OggS", "a real Ogg file");
  if (stack.STACK_STORAGE_ROOT) {
    assert.deepEqual(
      bytes,
      await Deno.readFile(`${stack.STACK_STORAGE_ROOT}/${BUCKET}/${EXISTING}`),
    );
  }
  const part = await fetch(`${stack.SUPABASE_URL}/storage/v1${body[0].signedURL}`, {
    headers: { range: "bytes=0-9" },
  });
  assert.equal(part.status, 206);
  assert.equal((await part.bytes()).length, 10);
});

Deno.test("an altered signed URL → 400 InvalidJWT", async () => {
  const { body } = await sign([EXISTING]);
  const url: string = body[0].signedURL;
  const altered = url.slice(0, -3) + (url.endsWith("AAA") ? "BBB" : "AAA");
  const res = await fetch(`${stack.SUPABASE_URL}/storage/v1${altered}`);
  assert.equal(res.status, 400);
  const err = await res.json();
  assert.equal(err.error, "InvalidJWT");
  assert.match(err.message, /signature verification failed/);
});

Deno.test("an expired signed URL → 400 InvalidJWT", async () => {
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({
    url: `${BUCKET}/${EXISTING}`,
    scope: "download",
    iat: now - 120,
    exp: now - 60,
  })
    .setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(stack.SUPABASE_JWT_SECRET));
  const res = await fetch(
    `${stack.SUPABASE_URL}/storage/v1/object/sign/${BUCKET}/${EXISTING}?token=${token}`,
  );
  assert.equal(res.status, 400);
  const err = await res.json();
  assert.equal(err.error, "InvalidJWT");
  assert.match(err.message, /exp/);
});

Deno.test("a valid token on another path → 400 InvalidSignature", async () => {
  const { body } = await sign([EXISTING]);
  const token = new URL(`http://x${body[0].signedURL}`).searchParams.get("token");
  const other = `${PREFIX}/answer-4.ogg`;
  const res = await fetch(
    `${stack.SUPABASE_URL}/storage/v1/object/sign/${BUCKET}/${other}?token=${token}`,
  );
  assert.equal(res.status, 400);
  assert.equal((await res.json()).code, "InvalidSignature");
});

Deno.test("GET /auth/v1/.well-known/jwks.json serves an ES256 public key with a kid", async () => {
  const res = await fetch(`${stack.SUPABASE_URL}/auth/v1/.well-known/jwks.json`);
  assert.equal(res.status, 200);
  const { keys } = await res.json();
  const key = keys.find((k: { alg: string }) => k.alg === "ES256");
  assert.ok(key?.kid);
  assert.equal(key.d, undefined, "no private part");
});

Deno.test("GET /auth/v1/user answers the token's user, and refuses a bad token", async () => {
  const ok = await fetch(`${stack.SUPABASE_URL}/auth/v1/user`, {
    headers: {
      apikey: apiKey,
      authorization: `Bearer ${await signIn(SEED.users.bob)}`,
    },
  });
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).email, SEED.users.bob);
  const bad = await fetch(`${stack.SUPABASE_URL}/auth/v1/user`, {
    headers: { apikey: apiKey, authorization: "Bearer garbage" },
  });
  assert.ok([401, 403].includes(bad.status));
  await bad.body?.cancel();
});
