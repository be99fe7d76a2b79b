// Access records, the function's side: one record per answer that discloses a result, written by
// Postgres as the caller (the record RPC on the primary); a signed read's links only with their
// record; an unsigned read never waits for its record, and a record that can't be written goes
// to the log whole, replayable. Over fake upstreams (harness.ts); expected values written here.
import assert from "node:assert/strict";
import { originOf } from "../../supabase/functions/job-interview-details/access.ts";
import { recordAccess } from "../../supabase/functions/job-interview-details/access_rpc.ts";
import { IN_FLIGHT_FULL } from "../../supabase/functions/job-interview-details/background.ts";
import { runtimeWaitUntil } from "../../supabase/functions/job-interview-details/deps.ts";
import { config, fakeStorage, RESULT_ID, token, USER_ID } from "../support/fixtures.ts";
import { type Handler, harness, type HarnessOptions, RECORD_ID, url } from "./harness.ts";

const SESSION_ID = "7d1f3c1e-2b8a-4c55-9e0e-5a6b7c8d9e0f";
const PRIMARY_RECORD_URL = "http://supabase.internal:8000/rest/v1/rpc/record_interview_access";
/** The clock the app is given: the record's `at`. */
const AT = new Date(Math.floor(Date.now() / 1000) * 1000);
const signed = "&get_signed_recordings=true";

const pgrst = (status: number, code: string) =>
  Response.json({ code, message: "from the database", details: null, hint: null }, { status });

/** Waits until `done()`, failing after `ms`. */
async function until(done: () => boolean, what: string, ms = 2000) {
  const give = Date.now() + ms;
  while (!done()) {
    if (Date.now() > give) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** A promise and the function that settles it. */
function gate<T = void>() {
  let open!: (value: T) => void;
  const opened = new Promise<T>((resolve) => open = resolve);
  return { open, opened };
}

Deno.test("an unsigned read writes one record on the primary, as the caller, with what was read", async () => {
  const h = harness({ cfg: { readUrl: "http://replicas.internal:8000" } });
  const tok = await token(undefined);
  const res = await h.call(url("&view=condensed"), {
    auth: tok,
    headers: { "x-request-id": "req-1", origin: "https://app.example" },
  });
  assert.equal(res.status, 200);
  await res.body?.cancel();
  assert.equal(h.records.length, 1);
  const record = h.records[0];
  assert.equal(record.method, "POST");
  assert.equal(record.url, PRIMARY_RECORD_URL, "written on the primary, never a replica");
  assert.equal(record.headers.get("apikey"), "anon-key");
  assert.equal(record.headers.get("authorization"), `Bearer ${tok}`);
  assert.equal(record.headers.get("content-type"), "application/json");
  assert.deepEqual(await record.json(), {
    p_interview_result_id: RESULT_ID,
    p_view: "condensed",
    p_recordings_signed: 0,
    p_links_expire_in: null,
    p_request_id: "req-1",
    p_origin: "https://app.example",
  });
});

Deno.test("a secret key's record carries the key in both headers, as the read does", async () => {
  const h = harness();
  const res = await h.call(url(), { auth: null, headers: { apikey: "sb_secret_test_key_one" } });
  assert.equal(res.status, 200);
  await res.body?.cancel();
  assert.equal(h.records[0].headers.get("apikey"), "sb_secret_test_key_one");
  assert.equal(h.records[0].headers.get("authorization"), "Bearer sb_secret_test_key_one");
});

Deno.test("a signed read's record says how many links went out and how long they live", async () => {
  const h = harness();
  const res = await h.call("/job-interview-details", {
    method: "POST",
    headers: { "content-type": "application/json", "x-request-id": "req-2" },
    body: JSON.stringify({
      interview_result_id: RESULT_ID,
      view: "standard",
      get_signed_recordings: true,
    }),
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.match(body.recording_url, /token=/);
  assert.equal(h.records.length, 1);
  // transcriptDoc(3): the session, the introduction and two answers have paths; the third none.
  assert.deepEqual(await h.records[0].json(), {
    p_interview_result_id: RESULT_ID,
    p_view: "standard",
    p_recordings_signed: 4,
    p_links_expire_in: 600,
    p_request_id: "req-2",
    p_origin: null,
  });
  assert.equal(h.logs[0].record_id, RECORD_ID, "the line names the record its links went with");
  assert.equal(h.logs[0].links_withheld, undefined);
});

Deno.test("a signed read writes its record while the links are signed, not after", async () => {
  // Each upstream answers only once the other has been asked: in sequence, neither would.
  const signAsked = gate();
  const recordAsked = gate();
  const storage = fakeStorage();
  const h = harness({
    sign: async (req) => {
      signAsked.open();
      await recordAsked.opened;
      return storage(req);
    },
    record: async () => {
      recordAsked.open();
      await signAsked.opened;
      return Response.json(RECORD_ID);
    },
  });
  const res = await h.call(url(signed));
  assert.equal(res.status, 200);
  assert.match((await res.json()).recording_url, /token=/);
});

const recordFailures: [string, Handler, RegExp][] = [
  ["PostgREST answering 500", () => pgrst(500, "XX000"), /^record: PostgREST answered 500 XX000/],
  [
    "the primary refusing writes",
    () => pgrst(405, "25006"),
    /^record: PostgREST answered 405 25006/,
  ],
  ["the record RPC unreachable", () => Promise.reject(new TypeError("refused")), /unreachable/],
  ["the record RPC answering null", () => Response.json(null), /may no longer see the result/],
  ["the record RPC answering no id", () => Response.json({ id: 1 }), /no record id/],
  [
    "the record RPC slower than the deadline",
    (req) => new Promise((_, reject) => req.signal.addEventListener("abort", reject)),
    /^record: timed out/,
  ],
];

for (const [name, record, reason] of recordFailures) {
  Deno.test(`signed, ${name}: a 500 naming the record step, and no links`, async () => {
    const h = harness({ record });
    const res = await h.call(url(signed), { headers: { "x-request-id": "req-9" } });
    assert.equal(res.status, 500);
    const text = await res.text();
    assert.deepEqual(JSON.parse(text), {
      error: "Could not load the interview result: the record step failed (request id req-9).",
    });
    assert.ok(!text.includes("token="), "no link");
    const line = h.logs[0];
    assert.equal(line.code, "UPSTREAM_FAILED");
    assert.match(line.upstream_failure!, reason);
    assert.equal(line.record_id, undefined);
    assert.equal(h.unwritten.length, 0, "nothing was disclosed: nothing to replay");
  });
}

Deno.test("signing that fails after the record was written: a 500, and the line names the record and the withheld links", async () => {
  const h = harness({ sign: () => new Response("{}", { status: 503 }) });
  const res = await h.call(url(signed), { headers: { "x-request-id": "req-3" } });
  assert.equal(res.status, 500);
  assert.deepEqual(await res.json(), {
    error: "Could not load the interview result: the sign step failed (request id req-3).",
  });
  const line = h.logs[0];
  assert.equal(line.record_id, RECORD_ID);
  assert.equal(line.links_withheld, true);
  assert.match(line.upstream_failure!, /^sign: /);
  assert.equal(h.records.length, 1);
});

Deno.test("signing and the record both failing: the record step is named, both reasons logged", async () => {
  const h = harness({
    sign: () => new Response("{}", { status: 503 }),
    record: () => pgrst(500, "XX000"),
  });
  const res = await h.call(url(signed), { headers: { "x-request-id": "req-4" } });
  assert.match((await res.json()).error, /the record step failed \(request id req-4\)/);
  assert.match(h.logs[0].upstream_failure!, /^record: PostgREST answered 500 XX000; sign: /);
  assert.equal(h.logs[0].links_withheld, undefined);
});

Deno.test("an unsigned answer doesn't wait for its record, which starts once the answer is out", async () => {
  const release = gate();
  const h = harness({
    record: async () => (await release.opened, Response.json(RECORD_ID)),
    settle: false,
    cfg: { upstreamTimeoutMs: 60_000 },
  });
  const res = await h.call(url());
  assert.equal(res.status, 200);
  assert.equal(h.records.length, 0, "the record's request comes after the answer");
  assert.equal(h.background.length, 1, "handed to waitUntil");
  await res.body?.cancel();
  await until(() => h.records.length === 1, "the record's request");
  release.open();
  await h.settled();
  assert.equal(h.unwritten.length, 0);
});

Deno.test("both unsigned paths record once: the relayed document and the one read whole", async () => {
  const doc = JSON.stringify({ score: 1, transcript: [], pad: "x".repeat(100) });
  const cases: [string, () => Response][] = [
    ["relayed (its length announced)", () =>
      new Response(doc, {
        headers: { "content-type": "application/json", "content-length": String(doc.length) },
      })],
    ["read whole (no length)", () => new Response(doc)],
  ];
  for (const [name, rpc] of cases) {
    const h = harness({ rpc });
    const res = await h.call(url());
    assert.equal(await res.text(), doc, name);
    assert.equal(h.records.length, 1, name);
  }
});

Deno.test("only answers that disclose leave a record: 200s, GET or POST, any view, the replica path", async () => {
  const post = (body: unknown): RequestInit => ({
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const h = harness({
    cfg: { readUrl: "http://replicas.internal:8000" },
    rpc: (req) =>
      new URL(req.url).host.startsWith("replicas") && req.url.includes("view=summary")
        ? pgrst(409, "PT409")
        : Response.json({ score: 1, transcript: [] }),
  });
  const disclosing: [string, RequestInit?][] = [
    [url()],
    [url(signed)],
    ...["full", "condensed", "standard", "summary"].map((v): [string] => [url(`&view=${v}`)]),
    ["/job-interview-details", post({ interview_result_id: RESULT_ID })],
    [
      "/job-interview-details",
      post({ interview_result_id: RESULT_ID, get_signed_recordings: true }),
    ],
  ];
  for (const [path, init] of disclosing) {
    const before = h.records.length;
    const res = await h.call(path, init);
    assert.equal(res.status, 200, path);
    await res.body?.cancel();
    assert.equal(h.records.length, before + 1, `${init?.method ?? "GET"} ${path}: one record`);
  }
  const views = await Promise.all(h.records.map(async (r) => (await r.json()).p_view));
  assert.deepEqual(views, [
    "full",
    "full",
    "full",
    "condensed",
    "standard",
    "summary",
    "full",
    "full",
  ]);
});

Deno.test("answers that disclose nothing leave no record: 401, 404, 405, 422, 5xx, OPTIONS, HEAD, the OpenAPI document", async () => {
  type Case = [string, number, HarnessOptions, string, RequestInit & { auth?: null }];
  const cases: Case[] = [
    ["401 (no token)", 401, {}, url(), { auth: null }],
    ["401 (refused by PostgREST)", 401, { rpc: () => pgrst(401, "PGRST301") }, url(), {}],
    ["404", 404, { rpc: () => Response.json(null) }, url(signed), {}],
    ["405", 405, {}, url(), { method: "PUT" }],
    ["405 (HEAD)", 405, {}, url(), { method: "HEAD" }],
    ["422", 422, {}, "/job-interview-details?interview_result_id=nope", {}],
    ["500 (the read)", 500, { rpc: () => pgrst(500, "XX000") }, url(), {}],
    ["500 (a malformed document)", 500, { rpc: () => new Response("[1]") }, url(signed), {}],
    ["OPTIONS", 204, {}, url(), { method: "OPTIONS", headers: { origin: "https://app.example" } }],
    ["the OpenAPI document", 200, {}, "/job-interview-details/openapi.json", {}],
  ];
  for (const [name, status, options, path, init] of cases) {
    const h = harness(options);
    const res = await h.call(path, init);
    assert.equal(res.status, status, name);
    await res.body?.cancel();
    assert.equal(h.records.length, 0, `${name}: no record`);
    assert.equal(h.background.length, 0, `${name}: nothing left to run`);
  }
});

/** The log line of one record that could not be written, as the docs show it. */
const expectedLine = (reason: string, requestId: string, origin: string | null = null) => ({
  level: "error",
  event: "access_record_unwritten",
  request_id: requestId,
  reason,
  record: {
    interview_result_id: RESULT_ID,
    view: "full",
    recordings_signed: 0,
    links_expire_in: null,
    request_id: requestId,
    origin,
    reader: { sub: USER_ID, session_id: SESSION_ID, role: "authenticated" },
    at: AT.toISOString(),
  },
});

Deno.test("an unsigned read whose record can't be written still answers, and the record goes to the log whole", async () => {
  const cases: [string, Handler, string][] = [
    ["the primary refusing writes", () => pgrst(405, "25006"), "PostgREST answered 405 25006"],
    [
      "the gateway refusing",
      () => new Response("bad gateway", { status: 502 }),
      "PostgREST answered 502 (the gateway, no code)",
    ],
    ["unreachable", () => Promise.reject(new TypeError("refused")), "unreachable (TypeError)"],
    [
      "null",
      () => Response.json(null),
      "the caller may no longer see the result (the record RPC answered null)",
    ],
  ];
  const auth = await token(undefined, { claims: { session_id: SESSION_ID } });
  for (const [name, record, reason] of cases) {
    const h = harness({ record, deps: { now: () => AT } });
    const res = await h.call(url(), {
      auth,
      headers: { "x-request-id": "req-5", origin: "https://app.example" },
    });
    assert.equal(res.status, 200, name);
    await res.body?.cancel();
    assert.equal(h.unwritten.length, 1, name);
    assert.deepEqual(
      JSON.parse(h.unwritten[0]),
      expectedLine(reason, "req-5", "https://app.example"),
      name,
    );
  }
});

Deno.test("a service role's logged record names no user, and says it was a server key", async () => {
  const h = harness({ record: () => pgrst(503, "PGRST000"), deps: { now: () => AT } });
  await (await h.call(url(), { auth: null, headers: { apikey: "sb_secret_test_key_one" } })).body
    ?.cancel();
  const { record } = JSON.parse(h.unwritten[0]);
  assert.deepEqual(record.reader, { sub: null, session_id: null, role: "service_role" });
  assert.ok(!h.unwritten[0].includes("sb_secret"), "no key in the line");
});

Deno.test("background writes are bounded: past the bound a record goes straight to the log", async () => {
  const release = gate();
  const h = harness({
    cfg: { accessRecords: { inFlight: 2, logBatchMs: 5 }, upstreamTimeoutMs: 60_000 },
    record: async () => (await release.opened, Response.json(RECORD_ID)),
    settle: false,
    deps: { now: () => AT },
  });
  const auth = await token(undefined, { claims: { session_id: SESSION_ID } });
  for (const id of ["a", "b", "c"]) {
    const res = await h.call(url(), { auth, headers: { "x-request-id": id } });
    assert.equal(res.status, 200);
    await res.body?.cancel();
  }
  await until(() => h.unwritten.length === 1, "the record past the bound in the log");
  assert.equal(h.records.length, 2, "two in flight");
  assert.deepEqual(JSON.parse(h.unwritten[0]), expectedLine(IN_FLIGHT_FULL, "c"));
  release.open();
  await h.settled();
  // The slots are free again.
  await (await h.call(url(), { auth, headers: { "x-request-id": "d" } })).body?.cancel();
  await h.settled();
  assert.equal(h.records.length, 3);
  assert.equal(h.unwritten.length, 1);
});

Deno.test("many records failing at once share lines, each within the platform's 10,000 characters", async () => {
  // The writes are held until all 100 are in flight, then all refused together.
  const release = gate();
  const h = harness({
    record: async () => (await release.opened, pgrst(405, "25006")),
    settle: false,
    // Past their deadline the held writes would fail as timed out instead, a reason of its own.
    cfg: { accessRecords: { inFlight: 256, logBatchMs: 200 }, upstreamTimeoutMs: 60_000 },
  });
  const ids = Array.from({ length: 100 }, (_, i) => `req-${i}`);
  for (const id of ids) {
    await (await h.call(url(), { headers: { "x-request-id": id } })).body?.cancel();
  }
  await until(() => h.records.length === 100, "100 writes in flight");
  release.open();
  await h.settled();
  assert.ok(h.unwritten.length >= 3 && h.unwritten.length <= 6, `${h.unwritten.length} lines`);
  const logged: string[] = [];
  for (const line of h.unwritten) {
    assert.ok(line.length <= 10_000, `${line.length} characters`);
    const parsed = JSON.parse(line);
    assert.deepEqual(Object.keys(parsed), ["level", "event", "reason", "records"]);
    assert.equal(parsed.reason, "PostgREST answered 405 25006");
    logged.push(...parsed.records.map((r: { request_id: string }) => r.request_id));
  }
  assert.deepEqual(logged.sort(), [...ids].sort(), "every record once");
});

Deno.test("a worker about to end logs the records it holds at once, not after the batch's wait", async () => {
  const h = harness({
    record: () => pgrst(503, "PGRST000"),
    cfg: { accessRecords: { inFlight: 256, logBatchMs: 60_000 } },
    settle: false,
  });
  for (const id of ["u-1", "u-2"]) {
    await (await h.call(url(), { headers: { "x-request-id": id } })).body?.cancel();
  }
  await until(() => h.records.length === 2, "two writes");
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(h.unwritten.length, 0, "held for others to share the line");
  assert.equal(h.unloads.length, 1);
  const logged = () =>
    h.unwritten.flatMap((line) => {
      const parsed = JSON.parse(line);
      return (parsed.records ?? [parsed.record]).map((r: { request_id: string }) => r.request_id);
    });
  // Unloading until both are logged: each write reaches its batch a moment after its answer.
  await until(() => (h.unloads[0](), logged().length === 2), "both records logged");
  await h.settled();
  assert.deepEqual(logged().sort(), ["u-1", "u-2"]);
});

Deno.test("originOf() keeps an origin and nothing else", () => {
  const cases: [string | undefined, string | null][] = [
    ["https://app.example", "https://app.example"],
    ["http://localhost:5173", "http://localhost:5173"],
    ["http://[::1]:8080", "http://[::1]:8080"],
    ["null", null],
    ["https://app.example/path", null],
    ["https://app.example?x=1", null],
    ['https://a.example","x":"', null],
    [`https://${"a".repeat(250)}.example`, null],
    [undefined, null],
  ];
  for (const [header, expected] of cases) assert.equal(originOf(header), expected, header);
});

Deno.test("recordAccess() reads PostgREST's answer: an id, null, or a failure", async () => {
  const caller = {
    sub: USER_ID,
    session_id: null,
    role: "authenticated" as const,
    token: "t",
    credential: "jwt" as const,
  };
  const record = {
    interview_result_id: RESULT_ID,
    view: "full" as const,
    recordings_signed: 0,
    links_expire_in: null,
    request_id: "r",
    origin: null,
  };
  const cases: [string, () => Response, unknown][] = [
    ["an id", () => new Response(`"${RECORD_ID}"`), { kind: "recorded", id: RECORD_ID }],
    ["null", () => new Response("null"), { kind: "not_recorded" }],
    ["an expired token", () => pgrst(401, "PGRST303"), {
      kind: "failed",
      failure: { step: "record", reason: "PostgREST answered 401 PGRST303" },
    }],
    ["an object", () => Response.json({ id: RECORD_ID }), {
      kind: "failed",
      failure: { step: "record", reason: "PostgREST answered no record id" },
    }],
  ];
  for (const [name, answer, expected] of cases) {
    const ctx = {
      primaryUrl: config.supabaseUrl,
      apiKey: "anon-key",
      fetch: () => Promise.resolve(answer()),
    };
    const signal = AbortSignal.timeout(1000);
    assert.deepEqual(await recordAccess(ctx, { caller, record, signal }), expected, name);
  }
});

Deno.test("a benchmark can build the app without records: the record dependency swapped", async () => {
  const h = harness({
    deps: { recordAccess: () => Promise.resolve({ kind: "recorded", id: RECORD_ID }) },
  });
  for (const q of ["", signed]) {
    const res = await h.call(url(q));
    assert.equal(res.status, 200);
    await res.body?.cancel();
  }
  assert.equal(h.records.length, 0);
});

Deno.test("runtimeWaitUntil() hands the promise to EdgeRuntime.waitUntil where the runtime has one", async () => {
  const global = globalThis as { EdgeRuntime?: unknown };
  const handed: Promise<unknown>[] = [];
  const work = Promise.resolve("done");
  runtimeWaitUntil(work); // plain Deno: no EdgeRuntime, nothing to hand it to
  global.EdgeRuntime = { waitUntil: (p: Promise<unknown>) => handed.push(p) };
  try {
    runtimeWaitUntil(work);
  } finally {
    delete global.EdgeRuntime;
  }
  assert.deepEqual(handed, [work]);
  assert.equal(await handed[0], "done");
});
