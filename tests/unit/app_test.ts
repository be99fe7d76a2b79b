import assert from "node:assert/strict";
import { jwtVerify } from "jose";
import { createApp } from "../../supabase/functions/job-interview-details/app.ts";
import { createDeps } from "../../supabase/functions/job-interview-details/deps.ts";
import { type Handler, harness, keepingLogger, url } from "./harness.ts";
import { RequestLogSchema } from "../../supabase/functions/job-interview-details/log.ts";
import {
  config,
  fakeStorage,
  JWT_SECRET,
  RESULT_ID,
  storageToken,
  token,
  transcriptDoc,
} from "../support/fixtures.ts";

Deno.test("GET without signing passes the RPC's bytes through with one upstream request", async () => {
  const raw = JSON.stringify(transcriptDoc(2)) + "\n";
  const h = harness({
    rpc: () => new Response(raw, { headers: { "content-type": "application/json" } }),
  });
  const res = await h.call(url());
  assert.equal(res.status, 200);
  assert.equal(await res.text(), raw.trim());
  assert.equal(h.requests.length, 1);
  const rpc = h.requests[0];
  assert.equal(rpc.method, "GET", "GET, so Supabase's load balancer may send it to a replica");
  assert.equal(rpc.headers.get("apikey"), "anon-key");
  assert.match(
    rpc.headers.get("authorization")!,
    /^Bearer ey/,
    "the caller's own token reaches PostgREST",
  );
  assert.deepEqual(Object.fromEntries(new URL(rpc.url).searchParams), {
    p_interview_result_id: RESULT_ID,
    p_view: "full",
  });
  assert.equal(rpc.body, null);
  assert.equal(rpc.headers.get("accept-encoding"), "identity", "nothing to inflate on our CPU");
  assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
  assert.equal(res.headers.get("cache-control"), "private, no-store");
  assert.equal("recording_url" in (JSON.parse(raw) as object), false);
});

/** An upstream body sent in two halves; the second waits for `release` (or fails). */
function halves(text: string, after: "release" | "error" = "release") {
  const bytes = new TextEncoder().encode(text);
  let release!: () => void;
  const released = new Promise<void>((r) => release = r);
  let finished = false;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(bytes.slice(0, bytes.length >> 1));
      if (after === "error") return controller.error(new TypeError("connection reset"));
      await released;
      controller.enqueue(bytes.slice(bytes.length >> 1));
      controller.close();
      finished = true;
    },
  });
  const response = (type = "application/json; charset=utf-8") =>
    new Response(body, {
      headers: { "content-type": type, "content-length": String(bytes.length) },
    });
  return { response, release, finished: () => finished };
}

Deno.test("an unsigned document is relayed as it arrives, byte for byte", async () => {
  const raw = JSON.stringify(transcriptDoc(20));
  const upstream = halves(raw);
  const h = harness({ rpc: () => upstream.response() });
  // The answer starts while half of the document is still upstream: nothing waits for all of it.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const res = await Promise.race([
    h.call(url()),
    new Promise<never>((_, reject) =>
      timer = setTimeout(() => reject(new Error("the answer waited for the whole document")), 1000)
    ),
  ]).finally(() => {
    clearTimeout(timer);
    upstream.release();
  });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), raw);
  assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
  assert.equal(h.requests.length, 1);
  assert.equal(h.logs.at(-1)?.bytes, new TextEncoder().encode(raw).length);
});

Deno.test("once relayed, the document is Deno's: the client's signal no longer reaches the upstream body", async () => {
  // Deno 2.1 aborts a request's signal when its answer ends or its client leaves; linked to a
  // relayed body behind gzip, that abort went uncaught mid-body and ended the process.
  const raw = JSON.stringify(transcriptDoc(20));
  const upstream = halves(raw);
  const h = harness({ rpc: () => upstream.response() });
  const client = new AbortController();
  const res = await h.call(url(), { signal: client.signal });
  assert.equal(res.status, 200);
  client.abort();
  upstream.release();
  assert.equal(await res.text(), raw);
});

Deno.test("a relayed document cut short upstream is an error for the client, never a whole 200", async () => {
  const upstream = halves(JSON.stringify(transcriptDoc(20)), "error");
  const h = harness({ rpc: () => upstream.response() });
  const res = await h.call(url());
  await assert.rejects(res.text());
});

Deno.test("answers that can't be relayed unread are read whole and checked", async () => {
  const doc = JSON.stringify(transcriptDoc(20));
  const sized = (body: string, type: string) =>
    new Response(body, {
      headers: { "content-type": type, "content-length": String(body.length) },
    });
  const cases: [string, () => Response, number][] = [
    // No announced length: it could have been `null`; it is passed on once read.
    ["no Content-Length", () => new Response(doc), 200],
    ["`null` with its length", () => sized("null", "application/json"), 404],
    // However long, a proxy's page is not the RPC's answer.
    ["an HTML page", () => sized(`<html>${"x".repeat(500)}</html>`, "text/html"), 500],
  ];
  for (const [name, rpc, status] of cases) {
    const res = await harness({ rpc }).call(url());
    assert.equal(res.status, status, name);
    if (status === 200) assert.equal(await res.text(), doc);
    else await res.body?.cancel();
  }
});

Deno.test("GET with signing makes exactly two upstream requests, whatever the transcript length", async () => {
  for (const n of [1, 10, 200]) {
    const doc = transcriptDoc(n);
    const h = harness({ rpc: () => Response.json(doc) });
    const res = await h.call(url("&get_signed_recordings=true"));
    assert.equal(res.status, 200);
    assert.equal(h.requests.length, 2, `${n} answers`);
    const sign = h.requests[1];
    assert.equal(
      sign.headers.get("authorization"),
      "Bearer service-key",
      "signing uses the service key",
    );
    assert.equal(sign.headers.get("accept-encoding"), "identity");
    const { paths, expiresIn } = await sign.json();
    assert.equal(expiresIn, 600);
    assert.equal(paths.length, new Set(paths).size, "paths are deduplicated");
    assert.equal(paths.length, n + 1, "session, introduction and every answer with a path");
  }
});

Deno.test("signing adds the URLs, null where Storage had no object, and their expiry", async () => {
  const exp = Math.floor(Date.now() / 1000) + 600;
  const h = harness({ sign: fakeStorage({ exp: () => exp }) });
  const body = await (await h.call(url("&get_signed_recordings=true"))).json();
  const link = (path: string) =>
    `https://public.example/storage/v1/object/sign/private-recordings/${path}?token=${
      storageToken(path, exp)
    }`;
  assert.equal(body.recording_url, link("m/r/session.ogg"));
  assert.equal(body.video_introduction_url, null);
  assert.deepEqual(body.transcript.map((i: { recording_url: unknown }) => i.recording_url), [
    link("m/r/answer-0.ogg"),
    link("m/r/answer-1.ogg"),
    null,
  ]);
  assert.equal(body.signed_urls_valid_until, new Date(exp * 1000).toISOString());
  assert.deepEqual(
    body.transcript[0].answer_assessment_raw_data,
    h.doc.transcript[0].answer_assessment_raw_data,
  );
});

Deno.test("signing is skipped when there is no recording at all", async () => {
  const h = harness({ rpc: () => Response.json({ transcript: [], recording_local_path: null }) });
  const body = await (await h.call(url("&get_signed_recordings=true"))).json();
  assert.equal(h.requests.length, 1);
  assert.equal(body.recording_url, null);
});

Deno.test("POST with a JSON body works like GET", async () => {
  const h = harness();
  const res = await h.call("/job-interview-details", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      interview_result_id: RESULT_ID,
      get_signed_recordings: true,
      view: "standard",
    }),
  });
  assert.equal(res.status, 200);
  assert.equal(new URL(h.requests[0].url).searchParams.get("p_view"), "standard");
  assert.equal(h.requests.length, 2);
});

Deno.test("routes answer with and without the function-name prefix", async () => {
  const h = harness();
  for (
    const path of [
      url(),
      `/?interview_result_id=${RESULT_ID}`,
      `/job-interview-details/?interview_result_id=${RESULT_ID}`,
    ]
  ) {
    assert.equal((await h.call(path)).status, 200, path);
  }
});

Deno.test("a missing or invalid token is 401 before anything else, with no upstream request", async () => {
  const h = harness();
  for (const auth of [null, "garbage", await token(undefined, { expiresIn: -5 })]) {
    const res = await h.call(`/job-interview-details?interview_result_id=bad`, { auth });
    assert.equal(res.status, 401);
    assert.deepEqual(Object.keys(await res.json()), ["error"]);
    assert.equal(res.headers.get("access-control-allow-origin"), "*", "CORS on errors too");
  }
  assert.equal(h.requests.length, 0);
});

Deno.test("bad input is 422 naming the field", async () => {
  const h = harness();
  const cases: [string, string][] = [
    ["/job-interview-details", "interview_result_id"],
    ["/job-interview-details?interview_result_id=nope", "interview_result_id"],
    [url("&get_signed_recordings=1"), "get_signed_recordings"],
    [url("&view=all"), "view"],
  ];
  for (const [path, name] of cases) {
    const res = await h.call(path);
    assert.equal(res.status, 422, path);
    const body = await res.json();
    assert.equal(body.name, name);
    assert.equal(typeof body.error, "string");
  }
  assert.equal(h.requests.length, 0);
});

Deno.test("null from the RPC is 404", async () => {
  const h = harness({
    rpc: () => new Response("null", { headers: { "content-type": "application/json" } }),
  });
  const res = await h.call(url("&get_signed_recordings=true"));
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), { error: "Interview result not found." });
  assert.equal(h.requests.length, 1, "nothing is signed for a result the caller can't see");
});

Deno.test("PostgREST refusing the token is 401", async () => {
  const h = harness({
    rpc: () => Response.json({ code: "PGRST303", message: "JWT expired" }, { status: 401 }),
  });
  assert.equal((await h.call(url())).status, 401);
});

const failures: [string, { rpc?: Handler; sign?: Handler }, string][] = [
  [
    "PostgREST answering 500",
    { rpc: () => Response.json({ code: "XX000" }, { status: 500 }) },
    "rpc",
  ],
  ["PostgREST answering 503", { rpc: () => new Response("", { status: 503 }) }, "rpc"],
  ["PostgREST answering malformed JSON", { rpc: () => new Response("{oops") }, "rpc"],
  ["PostgREST answering an array", { rpc: () => new Response("[1]") }, "rpc"],
  [
    "PostgREST unreachable",
    { rpc: () => Promise.reject(new TypeError("connection refused")) },
    "rpc",
  ],
  ["Storage answering 500", { sign: () => new Response("{}", { status: 500 }) }, "sign"],
  ["Storage answering malformed JSON", { sign: () => new Response("[{") }, "sign"],
  ["Storage answering an object", { sign: () => Response.json({ statusCode: "403" }) }, "sign"],
  ["Storage entries of the wrong shape", { sign: () => Response.json([{ path: 1 }]) }, "sign"],
  [
    "Storage unreachable",
    { sign: () => Promise.reject(new TypeError("connection refused")) },
    "sign",
  ],
];

for (const [name, handlers, step] of failures) {
  Deno.test(`${name} is a 500 naming the ${step} step and the request id, with no partial data`, async () => {
    const h = harness(handlers);
    const res = await h.call(url("&get_signed_recordings=true"), {
      headers: { "x-request-id": "req-42" },
    });
    assert.equal(res.status, 500);
    const body = await res.json();
    assert.deepEqual(Object.keys(body), ["error"]);
    assert.match(body.error, new RegExp(`${step} step`));
    assert.match(body.error, /req-42/);
    assert.equal(res.headers.get("x-request-id"), "req-42");
    assert.equal(h.logs.at(-1)?.code, "UPSTREAM_FAILED");
  });
}

Deno.test("an upstream slower than the timeout is a 500 within the timeout", async () => {
  const slow: Handler = (req) =>
    new Promise((_, reject) =>
      req.signal.addEventListener("abort", () => reject(req.signal.reason))
    );
  for (const handlers of [{ rpc: slow }, { sign: slow }]) {
    const h = harness(handlers);
    const started = performance.now();
    const res = await h.call(url("&get_signed_recordings=true"));
    const elapsed = performance.now() - started;
    assert.equal(res.status, 500);
    assert.match((await res.json()).error, /step failed/);
    assert.ok(elapsed < config.upstreamTimeoutMs + 300, `answered after ${elapsed} ms`);
  }
});

Deno.test("OPTIONS answers the preflight without a token", async () => {
  const h = harness();
  const res = await h.app.request("/job-interview-details", {
    method: "OPTIONS",
    headers: {
      origin: "https://app.example",
      "access-control-request-headers": "authorization, x-client-info",
    },
  });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  assert.equal(res.headers.get("access-control-allow-headers"), "authorization,x-client-info");
  assert.equal(res.headers.get("access-control-allow-methods"), "GET,POST,OPTIONS");
});

Deno.test("other methods are 405 with Allow", async () => {
  const h = harness();
  for (const method of ["PUT", "DELETE", "PATCH"]) {
    const res = await h.call("/job-interview-details", { method });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "GET, POST, OPTIONS");
    assert.equal(typeof (await res.json()).error, "string");
  }
});

Deno.test("only configured origins get CORS when a list is set", async () => {
  const h = harness({ cfg: { corsAllowedOrigins: ["https://app.example"] } });
  const ok = await h.call(url(), { headers: { origin: "https://app.example" } });
  assert.equal(ok.headers.get("access-control-allow-origin"), "https://app.example");
  const other = await h.call(url(), { headers: { origin: "https://evil.example" } });
  assert.equal(other.headers.get("access-control-allow-origin"), null);
});

Deno.test("X-Request-Id is kept or made, on answers and errors alike", async () => {
  const h = harness();
  const kept = await h.call(url("&get_signed_recordings=true"), {
    headers: { "x-request-id": "abc-1" },
  });
  assert.equal(kept.headers.get("x-request-id"), "abc-1");
  const made = await h.call(url());
  assert.match(made.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/);
  for (const bad of ["has space", "<script>", "x".repeat(129)]) {
    const res = await h.call(url(), { headers: { "x-request-id": bad } });
    assert.match(res.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/, bad);
  }
  const error = await h.call("/job-interview-details", { headers: { "x-request-id": "e-1" } });
  assert.equal(error.status, 422);
  assert.equal(error.headers.get("x-request-id"), "e-1");
});

Deno.test("Server-Timing names each step of an answer that found the result, and only those", async () => {
  const h = harness();
  const found = await h.call(url("&get_signed_recordings=true"));
  // The access record is written while the links are signed: either may end first.
  assert.match(
    found.headers.get("server-timing")!,
    /^rpc;dur=[\d.]+,(sign;dur=[\d.]+,record|record;dur=[\d.]+,sign);dur=[\d.]+,total;dur=[\d.]+;desc="Total Response Time"$/,
  );
  // A hidden result and a missing one must not differ by their timings, nor by anything else.
  const notFound = harness({ rpc: () => new Response("null") });
  const failing = harness({ sign: () => new Response("{}", { status: 500 }) });
  const answers = [
    await notFound.call(url()),
    await failing.call(url("&get_signed_recordings=true")),
    await h.call("/job-interview-details"),
    await h.call(url(), { auth: null }),
    await h.call("/job-interview-details/openapi.json"),
  ];
  for (const res of answers) {
    assert.equal(res.headers.get("server-timing"), null, String(res.status));
    await res.body?.cancel();
  }
});

Deno.test("HEAD is 405 with Allow, like any method the function doesn't take, and costs no RPC", async () => {
  const h = harness();
  for (
    const path of [
      url(),
      "/job-interview-details/openapi.json",
      `/?interview_result_id=${RESULT_ID}`,
    ]
  ) {
    const res = await h.call(path, { method: "HEAD" });
    assert.equal(res.status, 405, path);
    assert.equal(
      res.headers.get("allow"),
      path.includes("openapi") ? "GET, OPTIONS" : "GET, POST, OPTIONS",
    );
  }
  assert.equal(h.requests.length, 0);
  assert.equal(h.logs.at(-1)?.code, "METHOD_NOT_ALLOWED");
});

Deno.test("Vary: Accept-Encoding on every answer that could have been gzipped, gzipped or not", async () => {
  const h = harness({ rpc: () => Response.json(transcriptDoc(40)) });
  for (const encoding of ["gzip", "identity"]) {
    const res = await h.call(url(), { headers: { "accept-encoding": encoding } });
    assert.equal(res.headers.get("vary"), "Accept-Encoding", encoding);
    await res.body?.cancel();
  }
  const small = await h.call("/job-interview-details", { headers: { "accept-encoding": "gzip" } });
  assert.equal(small.headers.get("vary"), null, "a 422 of a few bytes could not have been");
});

Deno.test("large answers are gzipped when the client accepts it, small ones are not", async () => {
  const h = harness({ rpc: () => Response.json(transcriptDoc(40)) });
  const big = await h.call(url(), { headers: { "accept-encoding": "gzip" } });
  assert.equal(big.headers.get("content-encoding"), "gzip");
  const text = await new Response(big.body!.pipeThrough(new DecompressionStream("gzip"))).text();
  assert.equal(JSON.parse(text).transcript.length, 40);
  const plain = await h.call(url());
  assert.equal(plain.headers.get("content-encoding"), null);
  const small = harness({ rpc: () => Response.json({ score: 1 }) });
  assert.equal(
    (await small.call(url(), { headers: { "accept-encoding": "gzip" } })).headers.get(
      "content-encoding",
    ),
    null,
  );
});

Deno.test("one log line per request, with the caller and timings but no token or URL", async () => {
  const h = harness();
  const tok = await token(undefined);
  await h.call(url("&get_signed_recordings=true"), { auth: tok });
  assert.equal(h.logs.length, 1);
  const line = JSON.stringify(h.logs[0]);
  const log = h.logs[0];
  assert.equal(log.status, 200);
  assert.equal(log.sub, "00000000-0000-4000-8000-000000000012");
  assert.equal(log.signed, true);
  assert.equal(log.recordings, 4, "session, introduction and two answers");
  assert.ok(log.rpc_ms! >= 0 && log.sign_ms! >= 0 && log.total_ms >= 0);
  assert.ok(!line.includes(tok) && !line.includes(tok.split(".")[2]), "no token");
  assert.ok(!line.includes("token=") && !line.includes("service-key"), "no signed URL or key");
  assert.equal(log.path, "/job-interview-details", "the path, without the query string");
});

/** PostgREST as the one verifier: a token signed with the project's secret, or PGRST301. */
async function verifyingRpc(req: Request, answer: () => Response): Promise<Response> {
  const token = req.headers.get("authorization")!.replace(/^Bearer /, "");
  try {
    await jwtVerify(token, new TextEncoder().encode(JWT_SECRET));
  } catch {
    return pgrst(401, "PGRST301", "JWSInvalidSignature");
  }
  return answer();
}

Deno.test("the log names the caller only once PostgREST has verified the token: a forged one is never logged as its victim", async () => {
  const forged = await token(undefined, { secret: "forged-secret-forged-secret-forged-sec" });
  const genuine = await token(undefined);
  const victim = "00000000-0000-4000-8000-000000000012";
  const cases: [string, () => Response, string, string, number, boolean | undefined][] = [
    ["forged, refused", () => Response.json(transcriptDoc(1)), forged, url(), 401, false],
    ["forged, bad input first", () => Response.json(transcriptDoc(1)), forged, "/", 422, false],
    ["genuine, bad input", () => Response.json(transcriptDoc(1)), genuine, "/", 422, false],
    ["genuine, the RPC failing", () => pgrst(500, "XX000"), genuine, url(), 500, false],
    ["genuine, found", () => Response.json(transcriptDoc(1)), genuine, url(), 200, true],
    ["genuine, not found", () => new Response("null"), genuine, url(), 404, true],
    ["no credential", () => Response.json(transcriptDoc(1)), "", url(), 401, undefined],
  ];
  for (const [name, answer, auth, path, status, verified] of cases) {
    const h = harness({ rpc: (req) => verifyingRpc(req, answer) });
    const res = await h.call(path, { auth: auth || null });
    assert.equal(res.status, status, name);
    await res.body?.cancel();
    const line = RequestLogSchema.parse(h.logs[0]);
    assert.equal(line.verified, verified, name);
    if (verified) {
      assert.deepEqual([line.sub, line.role], [victim, "authenticated"], name);
    } else {
      assert.ok(!("sub" in line) && !("role" in line), `${name}: ${JSON.stringify(line)}`);
      assert.ok(!JSON.stringify(line).includes(victim), `${name}: the claimed id nowhere`);
    }
  }
  const h = harness({ rpc: (req) => verifyingRpc(req, () => Response.json(transcriptDoc(1))) });
  await (await h.call(url(), { auth: genuine })).body?.cancel();
  assert.deepEqual(Object.keys(h.logs[0]).sort(), [
    "bytes",
    "gzip",
    "method",
    "path",
    "request_id",
    "role",
    "rpc_ms",
    "signed",
    "status",
    "sub",
    "total_ms",
    "verified",
    "view",
  ]);
});

Deno.test("an unexpected error is a bare 500 with the request id, logged in full in its line", async () => {
  const { log, logs } = keepingLogger();
  const app = createApp({
    ...createDeps(config),
    fetchTranscript: () => Promise.reject(new Error("boom: secret detail")),
    log,
  });
  const res = await app.request(url(), {
    headers: { authorization: `Bearer ${await token(undefined)}`, "x-request-id": "r-1" },
  });
  assert.equal(res.status, 500);
  assert.deepEqual(await res.json(), { error: "Internal error (request id r-1)." });
  assert.equal(logs.length, 1, "one line");
  assert.deepEqual([logs[0].code, logs[0].error, logs[0].message], [
    "INTERNAL",
    "Error",
    "boom: secret detail",
  ]);
});

Deno.test("the OpenAPI document is served with and without the prefix", async () => {
  const h = harness();
  for (const path of ["/job-interview-details/openapi.json", "/openapi.json"]) {
    const res = await h.app.request(path);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).openapi, "3.1.0");
  }
});

Deno.test("a secret key caller is the service role: the RPC carries the key as apikey and bearer", async () => {
  const cases: [Record<string, string>, string][] = [
    [{ authorization: "Bearer sb_secret_test_key_two" }, "sb_secret_test_key_two"],
    [{ apikey: "sb_secret_test_key_one" }, "sb_secret_test_key_one"],
  ];
  for (const [headers, key] of cases) {
    const h = harness();
    const res = await h.call(url(), { auth: null, headers });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    assert.equal(h.requests[0].headers.get("apikey"), key);
    assert.equal(h.requests[0].headers.get("authorization"), `Bearer ${key}`);
    assert.equal(h.logs.at(-1)?.role, "service_role");
  }
});

Deno.test("a secret key from a browser is 401 with no upstream request, as the platform refuses it", async () => {
  const h = harness();
  const chrome =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
  const sent: Record<string, string>[] = [
    { apikey: "sb_secret_test_key_one" },
    { authorization: "Bearer sb_secret_test_key_two" },
  ];
  for (const headers of sent) {
    const res = await h.call(url(), { auth: null, headers: { ...headers, "user-agent": chrome } });
    assert.equal(res.status, 401);
    assert.match((await res.json()).error, /secret key can't be used from a browser/);
    assert.equal(res.headers.get("access-control-allow-origin"), "*", "readable by the page");
  }
  assert.equal(h.requests.length, 0);
  // A user's token from the same browser is a user's token.
  const user = await h.call(url(), { headers: { "user-agent": chrome } });
  assert.equal(user.status, 200);
  await user.body?.cancel();
});

Deno.test("a publishable key is 401 with no upstream request; a secret key is the gateway's to judge", async () => {
  const h = harness({
    rpc: (req) =>
      req.headers.get("apikey") === "sb_secret_test_key_one"
        ? Response.json(transcriptDoc(1))
        : Response.json({ message: "Invalid authentication credentials" }, { status: 401 }),
  });
  const sentPublishable: Record<string, string>[] = [
    { authorization: "Bearer sb_publishable_abc" },
    { apikey: "sb_publishable_abc" },
  ];
  for (const headers of sentPublishable) {
    const res = await h.call(url(), { auth: null, headers });
    assert.equal(res.status, 401);
    assert.match((await res.json()).error, /signed-in user|Missing access token/);
  }
  assert.equal(h.requests.length, 0, "no upstream request for a publishable key");
  const sentSecret: Record<string, string>[] = [
    { authorization: "Bearer sb_secret_not_ours" },
    { apikey: "sb_secret_not_ours" },
  ];
  for (const headers of sentSecret) {
    const res = await h.call(url(), { auth: null, headers });
    assert.equal(res.status, 401, "the gateway refused the caller's own key");
    assert.deepEqual(Object.keys(await res.json()), ["error"]);
  }
});

/** PostgREST's error body, as it answers. */
const pgrst = (status: number, code: string, message = "from the database") =>
  Response.json({ code, message, details: null, hint: null }, { status });

Deno.test("only a token refused as a token is a 401; the rest of PostgREST's errors are 500s", async () => {
  const cases: [string, () => Response, number, RegExp][] = [
    ["a bad signature (PGRST301)", () => pgrst(401, "PGRST301"), 401, /invalid or expired/i],
    ["an expired token (PGRST303)", () => pgrst(401, "PGRST303"), 401, /expired/],
    ["an ended session (PT401)", () => pgrst(401, "PT401"), 401, /session has ended/],
    ["the call run as anon (42501)", () => pgrst(401, "42501"), 401, /signed-in user/],
    [
      "the gateway refusing the function's own API key",
      () => Response.json({ message: "Invalid authentication credentials" }, { status: 401 }),
      500,
      /rpc step failed/,
    ],
    [
      "a uuid error from the database",
      () => pgrst(400, "22P02", "invalid input syntax for type uuid"),
      500,
      /rpc step failed/,
    ],
    ["a permission error on the RPC itself", () => pgrst(403, "42501"), 500, /rpc step failed/],
    ["Auth or PostgREST overloaded", () => pgrst(503, "PGRST000"), 500, /rpc step failed/],
    ["a rate limit", () => new Response("slow down", { status: 429 }), 500, /rpc step failed/],
  ];
  for (const [name, answer, status, message] of cases) {
    const h = harness({ rpc: answer });
    const res = await h.call(url());
    assert.equal(res.status, status, name);
    const body = await res.json();
    assert.match(body.error, message, name);
    assert.ok(!JSON.stringify(body).includes("database"), `${name}: no database message passed on`);
    if (status === 500) {
      assert.match(h.logs[0].upstream_failure!, /^rpc: PostgREST answered/, name);
      assert.equal(h.logs[0].status, 500, `${name}: logged as the error it is`);
    }
  }
});

Deno.test("a replica that hasn't seen the session yet (PT409): the primary is asked, once", async () => {
  const seen: string[] = [];
  const h = harness({
    cfg: { readUrl: "http://replicas.internal:8000" },
    rpc: (req) => {
      const host = new URL(req.url).host;
      seen.push(host);
      return host.startsWith("replicas") ? pgrst(409, "PT409") : Response.json(transcriptDoc(1));
    },
  });
  const res = await h.call(url());
  assert.equal(res.status, 200);
  await res.body?.cancel();
  assert.deepEqual(seen, ["replicas.internal:8000", "supabase.internal:8000"]);
  const primaryToo = harness({ rpc: () => pgrst(409, "PT409") });
  assert.equal((await primaryToo.call(url())).status, 500, "a 409 from the primary is a failure");
});

/** A request body that records how much of it was read and whether it was cancelled. */
function watchedBody(size: number, sized: boolean) {
  const state = { read: 0, cancelled: false };
  const chunk = new Uint8Array(Math.min(size, 1024)).fill(0x20);
  let left = size;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (left <= 0) return controller.close();
      const part = chunk.subarray(0, Math.min(left, chunk.length));
      left -= part.length;
      state.read += part.length;
      controller.enqueue(part);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (sized) headers["content-length"] = String(size);
  return { body, headers, state };
}

Deno.test("an early answer reads and drops a small unread body, so the connection stays usable", async () => {
  const h = harness();
  for (const method of ["POST", "PUT"]) {
    const { body, headers, state } = watchedBody(10_000, true);
    const res = await h.call("/job-interview-details", { method, body, headers, auth: null });
    assert.ok([401, 405].includes(res.status));
    assert.equal(state.read, 10_000, `${method}: the whole body was read`);
    assert.equal(res.headers.get("connection"), null);
  }
});

Deno.test("an early answer cancels a large or unsized unread body and says Connection: close", async () => {
  const h = harness();
  for (const [size, sized] of [[1_000_000, true], [100, false]] as const) {
    const { body, headers, state } = watchedBody(size, sized);
    const res = await h.call("/job-interview-details", {
      method: "PUT",
      body,
      headers,
      auth: null,
    });
    assert.equal(res.status, 405);
    assert.ok(state.read < size || !sized, "not read to its end");
    assert.equal(res.headers.get("connection"), "close");
  }
});

/** A document whose answers have these recording paths (no session or introduction). */
const withPaths = (paths: string[]) =>
  transcriptDoc(paths.length, {
    recording_local_path: null,
    video_introduction_local_path: null,
    transcript: paths.map((p, i) => ({ id: `i-${i}`, recording_local_path: p })),
  });

Deno.test("links are built from the path asked for, each segment encoded, and the token alone", async () => {
  // Keys real Storage accepts; its signedURL carries them raw, which no browser can open.
  const keys = [
    "m/special dir/a b&c+d (1).ogg",
    "m/q?x=1;y@z:$,!*'=.ogg",
    "m/100+100=200 & more.ogg",
  ];
  const h = harness({ rpc: () => Response.json(withPaths(keys)), sign: fakeStorage() });
  const body = await (await h.call(url("&get_signed_recordings=true"))).json();
  for (const [i, key] of keys.entries()) {
    const link = new URL(body.transcript[i].recording_url);
    const prefix = "/storage/v1/object/sign/private-recordings/";
    assert.ok(link.pathname.startsWith(prefix), link.href);
    assert.equal(
      link.pathname.slice(prefix.length).split("/").map(decodeURIComponent).join("/"),
      key,
      "the path decodes to the key",
    );
    assert.deepEqual([...link.searchParams.keys()], ["token"], "nothing of the key in the query");
    assert.match(link.searchParams.get("token")!, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  }
});

Deno.test("more than 1,000 recordings are signed in batches Storage accepts, and come back whole", async () => {
  const keys = Array.from({ length: 2500 }, (_, i) => `m/r/answer-${i}.ogg`);
  const h = harness({ rpc: () => Response.json(withPaths(keys)), sign: fakeStorage() });
  const res = await h.call(url("&get_signed_recordings=true"));
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.transcript.length, 2500);
  assert.ok(
    body.transcript.every((i: { recording_url: unknown }, n: number) =>
      typeof i.recording_url === "string" && i.recording_url.includes(`/answer-${n}.ogg?token=`)
    ),
    "every answer has its own link",
  );
  const batches = await Promise.all(h.requests.slice(1).map(async (r) => (await r.json()).paths));
  assert.deepEqual(batches.map((b) => b.length).sort(), [1000, 1000, 500]);
  assert.deepEqual(batches.flat().sort(), [...keys].sort(), "every path once");
});

Deno.test("one failed batch fails the whole signing step: no partial data", async () => {
  const keys = Array.from({ length: 2100 }, (_, i) => `m/r/answer-${i}.ogg`);
  const real = fakeStorage();
  let calls = 0;
  const h = harness({
    rpc: () => Response.json(withPaths(keys)),
    sign: (req) => ++calls === 2 ? new Response("{}", { status: 503 }) : real(req),
  });
  const res = await h.call(url("&get_signed_recordings=true"));
  assert.equal(res.status, 500);
  const body = await res.json();
  assert.match(body.error, /the sign step failed/);
  assert.ok(!JSON.stringify(body).includes("token="));
});

Deno.test("signed_urls_valid_until is the earliest expiry of the tokens, never later", async () => {
  const now = Math.floor(Date.now() / 1000);
  const h = harness({
    sign: fakeStorage({ exp: (p) => p.includes("answer-1") ? now + 590 : now + 600 }),
  });
  const body = await (await h.call(url("&get_signed_recordings=true"))).json();
  assert.equal(body.signed_urls_valid_until, new Date((now + 590) * 1000).toISOString());
});

Deno.test("Storage answers that can't be its answer are a 500: a lost entry, another path, no token", async () => {
  const cases: Handler[] = [
    async (req) => Response.json((await (await fakeStorage()(req)).json()).slice(1)),
    async (req) =>
      Response.json((await (await fakeStorage()(req)).json()).map((e: { path: string }) => ({
        ...e,
        path: e.path + "x",
      }))),
    async (req) =>
      Response.json((await req.json()).paths.map((path: string) => ({
        error: null,
        path,
        signedURL: `/object/sign/private-recordings/${path}`,
      }))),
  ];
  for (const sign of cases) {
    const res = await harness({ sign }).call(url("&get_signed_recordings=true"));
    assert.equal(res.status, 500);
    assert.match((await res.json()).error, /the sign step failed/);
  }
});

Deno.test("with SUPABASE_READ_URL the RPC is read there, and signing stays on SUPABASE_URL", async () => {
  const h = harness({ cfg: { readUrl: "http://read-replicas.internal:8000" } });
  const res = await h.call(url("&get_signed_recordings=true"));
  assert.equal(res.status, 200);
  await res.body?.cancel();
  assert.deepEqual(h.requests.map((r) => `${r.method} ${new URL(r.url).origin}`), [
    "GET http://read-replicas.internal:8000",
    "POST http://supabase.internal:8000",
  ]);
});

Deno.test("a POST body over 64 KB is refused without reading it all, and the connection closes", async () => {
  const h = harness();
  for (const [size, sized] of [[200_000, true], [200_000, false]] as const) {
    const { body, headers, state } = watchedBody(size, sized);
    const res = await h.call("/job-interview-details", { method: "POST", body, headers });
    assert.equal(res.status, 422);
    assert.deepEqual(await res.json(), { error: "Request body is too large." });
    assert.ok(state.read < size, `read ${state.read} of ${size}`);
    assert.equal(res.headers.get("connection"), "close");
  }
});

Deno.test("a relayed body waits for a slow client past the deadline, and a body the upstream cuts short fails the read", async () => {
  // The deadline (200 ms here) bounds the upstream, not the client: reading the answer slowly,
  // one chunk every 100 ms for well past it, still gets all of it.
  const chunks = Array.from({ length: 6 }, (_, i) => `"k${i}": "${"x".repeat(100)}", `);
  chunks[0] = "{" + chunks[0];
  chunks.push('"end": true}');
  const whole = chunks.join("");
  const h = harness({
    rpc: () => {
      let next = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (next === chunks.length) return c.close();
          c.enqueue(new TextEncoder().encode(chunks[next++]));
        },
      }, { highWaterMark: 0 });
      return new Response(body, {
        headers: { "content-type": "application/json", "content-length": String(whole.length) },
      });
    },
  });
  const res = await h.call(url());
  const reader = res.body!.getReader();
  let text = "";
  const decoder = new TextDecoder();
  const started = performance.now();
  while (true) {
    await new Promise((r) => setTimeout(r, 100));
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  assert.ok(performance.now() - started > 2 * config.upstreamTimeoutMs, "read past the deadline");
  assert.equal(text, whole);

  // An upstream that sends half and then fails: the client's read fails, never a whole 200.
  const halfway = harness({
    rpc: () => {
      const half = new TextEncoder().encode(whole.slice(0, 300));
      return new Response(
        new ReadableStream({
          start: (c) => {
            c.enqueue(half);
            setTimeout(() => c.error(new Error("connection reset")), 10);
          },
        }),
        {
          headers: {
            "content-type": "application/json",
            "content-length": String(whole.length),
          },
        },
      );
    },
  });
  const cut = await halfway.call(url());
  assert.equal(cut.status, 200);
  await assert.rejects(cut.text());
});

Deno.test("a client that goes away cancels the RPC", async () => {
  let upstreamAborted: () => void;
  const aborted = new Promise<void>((resolve) => upstreamAborted = resolve);
  const h = harness({
    rpc: (req) =>
      new Promise<Response>((_, reject) => {
        req.signal.addEventListener("abort", () => {
          upstreamAborted();
          reject(req.signal.reason);
        });
      }),
    cfg: { upstreamTimeoutMs: 60_000 },
  });
  const client = new AbortController();
  const tok = await token(undefined);
  const answer = h.app.request(
    new Request(`http://x${url()}`, {
      headers: { authorization: `Bearer ${tok}` },
      signal: client.signal,
    }),
  );
  setTimeout(() => client.abort(), 50);
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    aborted,
    new Promise((_, reject) => timer = setTimeout(() => reject(new Error("not cancelled")), 5000)),
  ]).finally(() => clearTimeout(timer));
  const res = await answer;
  assert.equal(res.status, 500, "answered, to no one, as cancelled");
  assert.match(h.logs.at(-1)!.upstream_failure!, /cancelled/);
});

Deno.test("POST and PUT on /openapi.json are 405 with Allow: GET, OPTIONS", async () => {
  const h = harness();
  for (const path of ["/job-interview-details/openapi.json", "/openapi.json"]) {
    for (const method of ["POST", "PUT", "DELETE"]) {
      const res = await h.app.request(path, { method });
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.headers.get("allow"), "GET, OPTIONS");
      assert.deepEqual(Object.keys(await res.json()), ["error"]);
    }
  }
});

Deno.test("a request that announces a body and never sends it is answered at once", async () => {
  const h = harness();
  const never = () =>
    new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new TextEncoder().encode("{")) });
  const started = performance.now();
  // Unauthenticated: the 401 doesn't wait for the body, and the connection is closed.
  const denied = await h.app.request(url(), {
    method: "POST",
    body: never(),
    headers: { "content-type": "application/json", "content-length": "100" },
  });
  assert.equal(denied.status, 401);
  assert.equal(denied.headers.get("connection"), "close");
  // Signed in: reading it has a deadline, and the answer is the client's fault, not a 5xx.
  const late = await h.call(url(), {
    method: "POST",
    body: never(),
    headers: { "content-type": "application/json" },
  });
  assert.equal(late.status, 422);
  assert.deepEqual(await late.json(), { error: "Request body did not arrive in time." });
  assert.equal(late.headers.get("connection"), "close");
  assert.ok(performance.now() - started < 3000);
  assert.equal(h.requests.length, 0);
  assert.ok(h.logs.every((l) => l.error === undefined), "logged as the client's, not as errors");
});

Deno.test("a body cut off on the wire is a 422 in the contract's shape, not an error line", async () => {
  const h = harness();
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode('{"interview_result_id": "'));
      c.error(new TypeError("connection reset"));
    },
  });
  const res = await h.call(url(), { method: "POST", body });
  assert.equal(res.status, 422);
  assert.match((await res.json()).error, /could not be read/);
  assert.equal(h.logs.at(-1)?.error, undefined);
  assert.equal(h.logs.at(-1)?.code, "VALIDATION_FAILED");
});

Deno.test("no log line carries a key or token, wherever the client put it", async () => {
  const h = harness();
  const tok = await token(undefined);
  const key = "sb_secret_abcdefghijklmnopqrstuvwxyz012345";
  await h.app.request(`/job-interview-details/${key}/${tok}`, {
    headers: { "x-request-id": key },
  });
  await h.call(url(), { headers: { "x-request-id": "sb_publishable_0123456789abcdef" } });
  const lines = JSON.stringify(h.logs);
  assert.equal(h.logs.length, 2);
  assert.ok(!lines.includes(key) && !lines.includes(tok.split(".")[1]), lines);
  assert.ok(!lines.includes("sb_publishable_0123"), lines);
  assert.equal(h.logs[0].path, "(other)");
});

Deno.test("a document nested deeper than 512 levels is answered signed as unsigned", async () => {
  const deep = "[".repeat(3000) + "1" + "]".repeat(3000);
  const raw = JSON.stringify(transcriptDoc(2)).replace(
    '"answer_assessment_raw_data":{"voice":[{"Display":"' + "x".repeat(50) + '"}]}',
    `"answer_assessment_raw_data":${deep}`,
  );
  assert.ok(raw.includes(deep));
  const h = harness({
    rpc: () => new Response(raw, { headers: { "content-type": "application/json" } }),
  });
  const res = await h.call(url("&get_signed_recordings=true"));
  assert.equal(res.status, 200);
  assert.ok((await res.text()).includes(deep));
});

Deno.test("a request id shaped like a key is replaced, not echoed", async () => {
  const h = harness();
  const res = await h.call(url(), {
    headers: { "x-request-id": "sb_secret_abcdefghij0123456789" },
  });
  await res.body?.cancel();
  assert.doesNotMatch(res.headers.get("x-request-id")!, /^sb_/);
  const ok = await h.call(url(), { headers: { "x-request-id": "trace-42" } });
  await ok.body?.cancel();
  assert.equal(ok.headers.get("x-request-id"), "trace-42");
});
