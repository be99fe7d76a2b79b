// The function against a counting, fault-injecting proxy in front of the stack: one read without
// signing (and a 200's access record after it), the read, the signing and the record with it;
// every upstream fault gets the defined answer within the timeout plus a small margin, and nothing
// partial leaks.
import assert from "node:assert/strict";
import { type FunctionProcess, startFunction } from "../../tools/local-stack/function_process.ts";
import { getDetails, hs256Session, legacyKeys, SEED, signIn, stack } from "../support/stack.ts";
import { startProxy } from "../support/upstream_proxy.ts";

const TIMEOUT_MS = 1000;
const proxy = startProxy();
const fn: FunctionProcess = await startFunction(stack, {
  SUPABASE_URL: proxy.url,
  UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
});
const dead = await startFunction(stack, {
  SUPABASE_URL: "http://127.0.0.1:9",
  UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
});

const READ = "GET /rest/v1/rpc/interview_transcript";
const RECORD = "POST /rest/v1/rpc/record_interview_access";
const SIGN = "POST /storage/v1/object/sign/private-recordings";
/** The upstream requests but an unsigned answer's access record, written after it. */
const withoutRecord = (requests: string[]) => requests.filter((r) => r !== RECORD);

async function call(query: Record<string, string>, who: string = SEED.users.admin) {
  proxy.requests.length = 0;
  const started = performance.now();
  const res = await getDetails(query, { token: await signIn(who), base: fn.url });
  const body = await res.text();
  return { res, body, ms: performance.now() - started, upstream: [...proxy.requests] };
}

/** The proxy's requests once `n` have come, or after 2 s. */
async function settled(n: number): Promise<string[]> {
  const give = Date.now() + 2000;
  while (proxy.requests.length < n && Date.now() < give) await new Promise((r) => setTimeout(r, 5));
  return [...proxy.requests];
}

Deno.test("without signing the function reads once, and records a 200 after answering", async () => {
  for (const [id, status] of [[SEED.submitted, 200], [SEED.globex, 200], [SEED.missing, 404]]) {
    const { res } = await call({ interview_result_id: id as string });
    assert.equal(res.status, status);
    const upstream = await settled(status === 200 ? 2 : 99);
    assert.deepEqual(upstream, status === 200 ? [READ, RECORD] : [READ], String(id));
  }
});

Deno.test("with signing the function reads, signs and records: three upstream requests, whatever the answers", async () => {
  for (const id of [SEED.submitted, SEED.globex]) {
    const { res, upstream } = await call({
      interview_result_id: id,
      get_signed_recordings: "true",
    });
    assert.equal(res.status, 200);
    assert.equal(upstream[0], READ);
    // The record is written while the links are signed: either may arrive first.
    assert.deepEqual(upstream.slice(1).sort(), [RECORD, SIGN]);
  }
});

Deno.test("no signing request is made for a result the caller may not see", async () => {
  const { res, upstream } = await call({
    interview_result_id: SEED.submitted,
    get_signed_recordings: "true",
  }, SEED.users.globexRecruiter);
  assert.equal(res.status, 404);
  assert.deepEqual(upstream, ["GET /rest/v1/rpc/interview_transcript"]);
});

const faults = [
  ["PostgREST down", { rest: { kind: "down" } }, "rpc"],
  ["PostgREST answering 500", { rest: { kind: "status", status: 500 } }, "rpc"],
  ["PostgREST answering malformed JSON", { rest: { kind: "malformed" } }, "rpc"],
  ["PostgREST slower than the timeout", { rest: { kind: "slow", ms: TIMEOUT_MS + 1500 } }, "rpc"],
  ["Storage down", { storage: { kind: "down" } }, "sign"],
  ["Storage answering 500", { storage: { kind: "status", status: 500 } }, "sign"],
  ["Storage answering malformed JSON", { storage: { kind: "malformed" } }, "sign"],
  ["Storage slower than the timeout", { storage: { kind: "slow", ms: TIMEOUT_MS + 1500 } }, "sign"],
] as const;

for (const [name, fault, step] of faults) {
  Deno.test(`${name} → 500 naming the ${step} step and the request id, in time, nothing partial`, async () => {
    proxy.faults = { rest: { kind: "none" }, storage: { kind: "none" }, ...fault };
    try {
      const { res, body, ms } = await call({
        interview_result_id: SEED.submitted,
        get_signed_recordings: "true",
      });
      assert.equal(res.status, 500);
      const parsed = JSON.parse(body);
      assert.deepEqual(Object.keys(parsed), ["error"]);
      assert.match(
        parsed.error,
        new RegExp(`the ${step} step failed \\(request id ${res.headers.get("x-request-id")}\\)`),
      );
      assert.ok(!body.includes("transcript") && !body.includes("token="), "no partial data");
      assert.ok(ms < TIMEOUT_MS + 500, `answered in ${Math.round(ms)} ms`);
      assert.equal(res.headers.get("access-control-allow-origin"), "*");
    } finally {
      proxy.faults = { rest: { kind: "none" }, storage: { kind: "none" } };
    }
  });
}

// A relayed body that stalls mid-way is the platform's to end (its idle timeout): the function
// hands the body to Deno untouched (see upstream.ts); a stall before the head is the deadline's.
Deno.test(`a relayed answer cut short upstream fails the client's read in time, never a whole 200`, async () => {
  proxy.faults.rest = { kind: "cut" };
  try {
    const started = performance.now();
    const res = await getDetails({ interview_result_id: SEED.submitted }, {
      token: await signIn(SEED.users.admin),
      base: fn.url,
    });
    // The head went out when the document started to arrive; its end never does.
    assert.equal(res.status, 200);
    await assert.rejects(res.text());
    const ms = performance.now() - started;
    assert.ok(ms < TIMEOUT_MS + 500, `failed after ${Math.round(ms)} ms`);
  } finally {
    proxy.faults.rest = { kind: "none" };
  }
});

Deno.test("Storage signing some paths but not others → 200 with null for the unsigned ones", async () => {
  proxy.faults.storage = { kind: "partial-sign" };
  try {
    const { res, body } = await call({
      interview_result_id: SEED.submitted,
      get_signed_recordings: "true",
    });
    assert.equal(res.status, 200);
    const doc = JSON.parse(body);
    const urls = [
      doc.recording_url,
      doc.video_introduction_url,
      ...doc.transcript.map((i: { recording_url: string }) => i.recording_url),
    ];
    assert.equal(
      urls.filter((u) => typeof u === "string").length,
      1,
      "only the signed path has a URL",
    );
  } finally {
    proxy.faults.storage = { kind: "none" };
  }
});

// An outage is not the user's fault: only a credential refused as one is a 401. The function
// calls neither Auth's /user nor the key set (PostgREST verifies the token), so Auth failing in
// every way leaves reads working; a gateway refusing the function's own key is a 500.
for (
  const [name, fault] of [
    ["Auth answering 503", { kind: "status", status: 503 }],
    ["Auth rate-limiting (429)", { kind: "status", status: 429 }],
    ["Auth and its key set unreachable", { kind: "down" }],
  ] as const
) {
  Deno.test(`${name}: users still read, HS256 and ES256 alike, and nothing asks Auth`, async () => {
    proxy.faults = { rest: { kind: "none" }, storage: { kind: "none" }, auth: fault };
    try {
      const es256 = await signIn(SEED.users.emeaRecruiter);
      const hs256 = await hs256Session(SEED.users.emeaRecruiter);
      for (const token of [es256, hs256]) {
        proxy.requests.length = 0;
        const res = await getDetails({ interview_result_id: SEED.submitted }, {
          token,
          base: fn.url,
        });
        assert.equal(res.status, 200, await res.clone().text());
        await res.body?.cancel();
        assert.deepEqual(withoutRecord(proxy.requests), [READ]);
      }
    } finally {
      proxy.faults = { rest: { kind: "none" }, storage: { kind: "none" } };
    }
  });
}

Deno.test("the service role's legacy JWT, without JWT_SECRET (as hosted): read, not refused", {
  ignore: !legacyKeys,
}, async () => {
  const res = await getDetails({ interview_result_id: SEED.inProgress }, {
    token: stack.SUPABASE_SERVICE_ROLE_KEY,
    base: fn.url,
  });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).status, "in_progress");
});

Deno.test("the gateway refusing the function's own API key (deleted): 500 logged in full, not the user's 401", async () => {
  const stale = await startFunction(stack, {
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: "sb_publishable_deleted_key_000000" }),
    LOG_SAMPLE_EVERY: "1000000",
  });
  try {
    const res = await getDetails({ interview_result_id: SEED.submitted }, {
      token: await signIn(SEED.users.emeaRecruiter),
      base: stale.url,
    });
    assert.equal(res.status, 500);
    assert.match((await res.json()).error, /rpc step failed \(request id [\w-]+\)/);
    await waitForLine(stale, /"status":500/);
    const line = JSON.parse(
      stale.lines().map((l) => l.line).find((l) => l.includes('"status":500'))!,
    );
    assert.equal(line.level, "error", "written as an error, whatever the sampling");
    assert.match(line.upstream_failure, /gateway/);
  } finally {
    await stale.stop();
  }
});

Deno.test(
  "the project's legacy keys turned off while the function still has only the anon key: 500, not 401",
  {
    ignore: legacyKeys,
  },
  async () => {
    const legacyOnly = await startFunction(stack, {
      SUPABASE_PUBLISHABLE_KEYS: "",
      SUPABASE_ANON_KEY: stack.SUPABASE_ANON_KEY,
      SUPABASE_SERVICE_ROLE_KEY: stack.SUPABASE_SERVICE_ROLE_KEY,
    });
    try {
      const res = await getDetails({ interview_result_id: SEED.submitted }, {
        token: await signIn(SEED.users.emeaRecruiter),
        base: legacyOnly.url,
      });
      assert.equal(res.status, 500);
      await res.body?.cancel();
    } finally {
      await legacyOnly.stop();
    }
  },
);

Deno.test("with SUPABASE_READ_URL the RPC is read from it with GET; signing stays on the primary", async () => {
  const reads = startProxy();
  const split = await startFunction(stack, {
    SUPABASE_URL: proxy.url,
    SUPABASE_READ_URL: reads.url,
  });
  try {
    proxy.requests.length = 0;
    const res = await getDetails({
      interview_result_id: SEED.submitted,
      get_signed_recordings: "true",
    }, { token: await signIn(SEED.users.admin), base: split.url });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).transcript.length, 10);
    assert.deepEqual(reads.requests, [READ]);
    // The access record is a write: on the primary too.
    assert.deepEqual([...proxy.requests].sort(), [RECORD, SIGN]);
  } finally {
    await split.stop();
    await reads.stop();
  }
});

Deno.test("a stopped stack → 500 naming the rpc step", async () => {
  const res = await getDetails({ interview_result_id: SEED.submitted }, {
    token: await signIn(SEED.users.admin),
    base: dead.url,
  });
  assert.equal(res.status, 500);
  assert.match((await res.json()).error, /the rpc step failed \(request id [\w-]+\)/);
});

Deno.test("the function's logs carry no token, key or signed-URL token", async () => {
  const logs = fn.logs() + dead.logs();
  assert.ok(logs.includes('"msg":"request"'), "requests were logged");
  const secrets = [
    await signIn(SEED.users.admin),
    (await signIn(SEED.users.globexRecruiter)).split(".")[2],
  ];
  for (const s of secrets) assert.ok(!logs.includes(s));
  assert.ok(!/token=ey/.test(logs) && !/eyJ[\w-]{10,}\.eyJ/.test(logs), "no JWT of any kind");
});

globalThis.addEventListener("unload", () => {});
Deno.test({
  name: "teardown: stop the extra function processes and the proxy",
  fn: async () => {
    await Promise.all([fn.stop(), dead.stop(), proxy.stop()]);
  },
  sanitizeOps: false,
  sanitizeResources: false,
});

async function waitForLine(fn: FunctionProcess, pattern: RegExp) {
  for (let i = 0; i < 100 && !fn.lines().some((l) => pattern.test(l.line)); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
}
