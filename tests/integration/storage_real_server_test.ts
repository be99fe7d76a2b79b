// The stand-in Storage against what the real server (supa-storage 1.11.2) answered to the same
// requests (the team's platform reference, supabase-platform.md, outside this repository:
// "Storage: what the real server answers").
// Each test is named for the real behaviour. Objects are put in through the upload API, so the
// file also runs against a real stack.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { SEED, signIn, stack } from "../support/stack.ts";

const BUCKET = "private-recordings";
const BASE = `${stack.SUPABASE_URL}/storage/v1`;
// Straight to Storage, as the real server was called: the legacy service-role JWT (the gateway
// translates the new keys into it before Storage sees them).
const SERVICE = stack.SUPABASE_SERVICE_ROLE_KEY;
const RUN = crypto.randomUUID().slice(0, 8);
const BYTES = new TextEncoder().encode(`OggS stand-in test ${RUN} `.repeat(40));
const md5 = (b: Uint8Array) => `"${createHash("md5").update(b).digest("hex")}"`;

/** Uploads `bytes` under `key` as the service role; returns the answer. */
async function put(key: string, bytes = BYTES) {
  const res = await fetch(
    `${BASE}/object/${BUCKET}/${key.split("/").map(encodeURIComponent).join("/")}`,
    {
      method: "POST",
      headers: {
        authorization: `Bearer ${SERVICE}`,
        "content-type": "audio/ogg",
        "x-upsert": "true",
      },
      body: bytes,
    },
  );
  return { status: res.status, body: await res.json() };
}

async function sign(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${BASE}/object/sign/${BUCKET}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${SERVICE}`,
      "content-type": "application/json",
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

const KEY = `tests/${RUN}/plain.ogg`;
const SPECIAL = `tests/${RUN}/special dir/a b&c+d (1).ogg`;
const QUESTION = `tests/${RUN}/q?x=1.ogg`;
assert.equal((await put(KEY)).status, 200);
assert.equal((await put(SPECIAL)).status, 200);

/** A fresh signed URL for KEY, as Storage returns it (relative). */
async function signedUrl(key = KEY, expiresIn = 60): Promise<string> {
  const { body } = await sign({ expiresIn, paths: [key] });
  return `${BASE}${body[0].signedURL}`;
}
const claims = (url: string) =>
  JSON.parse(
    atob(
      new URL(url).searchParams.get("token")!.split(".")[1].replaceAll("-", "+").replaceAll(
        "_",
        "/",
      ),
    ),
  );

const validationCases: [string, unknown, string][] = [
  ["refuses more than 1,000 paths", {
    expiresIn: 60,
    paths: Array.from({ length: 1001 }, (_, i) => `p${i}`),
  }, "body/paths must NOT have more than 1000 items"],
  [
    "refuses an empty path list",
    { expiresIn: 60, paths: [] },
    "body/paths must NOT have fewer than 1 items",
  ],
  ["refuses expiresIn 0", { expiresIn: 0, paths: [KEY] }, "body/expiresIn must be >= 1"],
  ["refuses a negative expiresIn", { expiresIn: -5, paths: [KEY] }, "body/expiresIn must be >= 1"],
  ["refuses a null expiresIn", { expiresIn: null, paths: [KEY] }, "body/expiresIn must be >= 1"],
  [
    "refuses a fractional expiresIn",
    { expiresIn: 60.7, paths: [KEY] },
    "body/expiresIn must be integer",
  ],
  [
    "refuses a non-numeric expiresIn",
    { expiresIn: "abc", paths: [KEY] },
    "body/expiresIn must be integer",
  ],
  ["requires expiresIn", { paths: [KEY] }, "body must have required property 'expiresIn'"],
  ["requires paths", { expiresIn: 60 }, "body must have required property 'paths'"],
];

for (const [name, body, message] of validationCases) {
  Deno.test(`real Storage ${name}: 400 "${message}"`, async () => {
    const res = await sign(body);
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, {
      statusCode: "400",
      error: "Error",
      message,
      code: "InvalidRequest",
    });
    assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
  });
}

Deno.test("real Storage refuses expiresIn 2^53 as an invalid parameter", async () => {
  const res = await sign({ expiresIn: 2 ** 53, paths: [KEY] });
  assert.deepEqual([res.status, res.body.code, res.body.message], [
    400,
    "InvalidParameter",
    "Invalid Parameter expiresIn",
  ]);
});

Deno.test('real Storage converts expiresIn "60" and true, as its schema coerces types', async () => {
  for (const [expiresIn, seconds] of [["60", 60], [true, 1]] as const) {
    const res = await sign({ expiresIn, paths: [KEY] });
    assert.equal(res.status, 200);
    const { iat, exp } = claims(`${BASE}${res.body[0].signedURL}`);
    assert.equal(exp - iat, seconds);
  }
});

Deno.test("real Storage takes paths as one string, and a number as its string", async () => {
  const one = await sign({ expiresIn: 60, paths: KEY });
  assert.equal(one.status, 200);
  assert.deepEqual(one.body.map((e: { path: string }) => e.path), [KEY]);
  const mixed = await sign({ expiresIn: 60, paths: [KEY, 5] });
  assert.equal(mixed.status, 200);
  assert.deepEqual(mixed.body[1], {
    error: "Either the object does not exist or you do not have access to it",
    path: "5",
    signedURL: null,
  });
});

Deno.test("real Storage refuses a body that is not JSON with Fastify's error", async () => {
  const res = await sign("{not json");
  assert.equal(res.status, 400);
  assert.equal(res.body.error, "FastifyError");
  assert.equal(
    res.body.message,
    "Body is not valid JSON but content-type is set to 'application/json'",
  );
});

Deno.test("real Storage refuses a bearer that is not a JWT: 403 Invalid Compact JWS", async () => {
  const res = await sign({ expiresIn: 60, paths: [KEY] }, { authorization: "Bearer not-a-jwt" });
  assert.deepEqual([res.status, res.body], [400, {
    statusCode: "403",
    error: "Unauthorized",
    message: "Invalid Compact JWS",
    code: "AccessDenied",
  }]);
});

Deno.test("real Storage accepts Authorization without the Bearer prefix", async () => {
  const res = await sign({ expiresIn: 60, paths: [KEY] }, { authorization: SERVICE });
  assert.equal(res.status, 200);
  assert.equal(typeof res.body[0].signedURL, "string");
});

Deno.test("real Storage puts the key raw in signedURL, unencoded", async () => {
  const res = await sign({ expiresIn: 60, paths: [SPECIAL] });
  assert.match(
    res.body[0].signedURL,
    new RegExp(`^/object/sign/${BUCKET}/tests/${RUN}/special dir/a b&c\\+d \\(1\\)\\.ogg\\?token=`),
  );
});

Deno.test("real Storage accepts a key with ? at upload, and its raw signedURL can't be opened", async () => {
  assert.equal((await put(QUESTION)).status, 200);
  const res = await sign({ expiresIn: 60, paths: [QUESTION] });
  const raw = await fetch(`${BASE}${res.body[0].signedURL}`);
  assert.equal(raw.status, 400, "the ? of the key starts the query");
  await raw.body?.cancel();
});

Deno.test("real Storage refuses a key outside its character set at upload: 400 InvalidKey", async () => {
  const res = await put(`tests/${RUN}/résumé.ogg`);
  assert.deepEqual([res.status, res.body.code], [400, "InvalidKey"]);
});

Deno.test("real Storage's signed download: Expires at the token's expiry, md5 ETag, X-Robots-Tag, no Cache-Control", async () => {
  const url = await signedUrl();
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.bytes(), BYTES);
  assert.equal(res.headers.get("cache-control"), null);
  assert.equal(res.headers.get("expires"), new Date(claims(url).exp * 1000).toUTCString());
  assert.equal(res.headers.get("etag"), md5(BYTES));
  assert.equal(res.headers.get("x-robots-tag"), "none");
  assert.equal(res.headers.get("accept-ranges"), "bytes");
  assert.equal(res.headers.get("content-type"), "audio/ogg");
  assert.equal(res.headers.get("content-length"), String(BYTES.length));
  assert.ok(res.headers.get("last-modified"));
});

Deno.test("real Storage answers 304 to If-None-Match with the ETag", async () => {
  const url = await signedUrl();
  const res = await fetch(url, { headers: { "if-none-match": md5(BYTES) } });
  assert.equal(res.status, 304);
  assert.equal(await res.text(), "");
});

Deno.test("Storage 1.90 sends an RFC 6266 Content-Disposition when download is given", async () => {
  const url = await signedUrl();
  const bare = await fetch(`${url}&download`);
  assert.equal(bare.headers.get("content-disposition"), "attachment");
  await bare.body?.cancel();
  const named = await fetch(`${url}&download=${encodeURIComponent("answer 2.ogg")}`);
  assert.equal(
    named.headers.get("content-disposition"),
    `attachment; filename="answer 2.ogg"; filename*=UTF-8''answer%202.ogg`,
  );
  await named.body?.cancel();
  // RFC 8187 carries any name; the quoted one is for clients that read only it.
  const unicode = await fetch(`${url}&download=${encodeURIComponent('Réponse "2".ogg')}`);
  assert.equal(
    unicode.headers.get("content-disposition"),
    `attachment; filename="R_ponse _2_.ogg"; filename*=UTF-8''R%C3%A9ponse%20%222%22.ogg`,
  );
  await unicode.body?.cancel();
});

Deno.test("real Storage answers 416 with a JSON body for unsatisfiable, multiple or malformed ranges", async () => {
  const url = await signedUrl();
  for (const range of ["bytes=999999-", "bytes=0-1,5-6", "bytes=abc"]) {
    const res = await fetch(url, { headers: { range } });
    assert.equal(res.status, 416, range);
    assert.equal(res.headers.get("content-range"), null, range);
    assert.deepEqual(await res.json(), {
      statusCode: "416",
      error: "invalid_range",
      message: "invalid range provided",
      code: "InvalidRange",
    });
  }
  const part = await fetch(url, { headers: { range: "bytes=-10" } });
  assert.equal(part.status, 206);
  assert.deepEqual(await part.bytes(), BYTES.subarray(BYTES.length - 10));
});

Deno.test("real Storage: no token is a schema error, an empty token an InvalidJWT", async () => {
  const url = new URL(await signedUrl());
  url.search = "";
  const none = await fetch(url);
  assert.deepEqual([none.status, (await none.json()).message], [
    400,
    "querystring must have required property 'token'",
  ]);
  const empty = await fetch(`${url}?token=`);
  const body = await empty.json();
  assert.deepEqual([empty.status, body.error, body.message], [
    400,
    "InvalidJWT",
    "Invalid Compact JWS",
  ]);
});

Deno.test("real Storage: a signed URL without a key is NoSuchBucket", async () => {
  const token = new URL(await signedUrl()).searchParams.get("token");
  const res = await fetch(`${BASE}/object/sign/${BUCKET}?token=${token}`);
  assert.equal(res.status, 400);
  assert.equal((await res.json()).code, "NoSuchBucket");
});

Deno.test("real Storage signs nothing for a user without a storage policy, even a reviewer", async () => {
  const res = await sign({ expiresIn: 60, paths: [KEY] }, {
    authorization: `Bearer ${await signIn(SEED.users.admin)}`,
  });
  assert.equal(res.body[0].signedURL, null);
});
