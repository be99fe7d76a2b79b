// Fuzzing over HTTP: at least 10,000 generated requests (random and boundary query strings, bad
// percent-encoding, repeated parameters, huge values, unicode, JSON bodies of every type). Never
// a 5xx, always the contract's error shape. Seeded: FUZZ_SEED=<n> replays a run; FUZZ_COUNT
// changes its size. Bounded in count and time.
import assert from "node:assert/strict";
import { SEED, signIn, stack } from "../support/stack.ts";
import { prng } from "../support/prng.ts";

const seed = Number(Deno.env.get("FUZZ_SEED") ?? Date.now() % 2 ** 31);
const count = Number(Deno.env.get("FUZZ_COUNT") ?? 10_000);
console.log(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed}), ${count} requests`);

const rand = prng(seed);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const int = (n: number) => Math.floor(rand() * n);

const names = [
  "interview_result_id",
  "get_signed_recordings",
  "view",
  "select",
  "p_view",
  "",
  "__proto__",
  "constructor",
  "interview_result_id[]",
];
const values = () =>
  pick([
    SEED.submitted,
    SEED.missing,
    SEED.submitted.toUpperCase(),
    `{${SEED.submitted}}`,
    SEED.submitted.replaceAll("-", ""),
    "00000000-0000-0000-0000-000000000000",
    "true",
    "false",
    "TRUE",
    "1",
    "",
    " ",
    "null",
    "full",
    "standard",
    "summary",
    "FULL",
    "%",
    "%zz",
    "%E0%A4%A",
    "%00",
    "%ff%fe",
    "a%20b",
    "'; drop table interview_results; --",
    "\u{1F600}",
    "\u202e",
    "é",
    "\u0000",
    "x".repeat(int(3) === 0 ? 70_000 : 300),
    String(rand()),
    String(-int(1e9)),
    "[]",
    "{}",
    "../../etc/passwd",
  ]);

function queryString(): string {
  const parts: string[] = [];
  for (let i = int(6); i >= 0; i--) {
    const raw = rand() < 0.2;
    const name = pick(names);
    const value = values();
    parts.push(
      raw ? `${name}=${value}` : `${encodeURIComponent(name)}=${encodeURIComponent(value)}`,
    );
  }
  return pick(["", "?", "?&&", "?="]) + (parts.length ? (parts.join(pick(["&", ";", "&&"]))) : "");
}

function jsonBody(): string {
  const shapes = [
    () =>
      JSON.stringify({
        interview_result_id: values(),
        get_signed_recordings: pick([true, false, "true", 1, null, [], {}]),
        view: pick([values(), 3, null]),
      }),
    () =>
      JSON.stringify(pick([null, true, 1, -0.5, "text", [], [1, 2], {}, { a: { b: { c: [] } } }])),
    () => JSON.stringify({ interview_result_id: [SEED.submitted] }),
    () => JSON.stringify({ interview_result_id: SEED.submitted, extra: "x".repeat(int(100_000)) }),
    () => "{" + '"a":'.repeat(int(50)),
    () => "[".repeat(5000),
    () => pick(["", " ", "nul", "{'single': 1}", "\u{FEFF}{}"]),
  ];
  return pick(shapes)();
}

const admin = await signIn(SEED.users.admin);
const base = stack.FUNCTION_DIRECT_URL ?? stack.FUNCTION_URL;

Deno.test(`fuzz: ${count} generated requests never get a 5xx and always the contract's shape`, async () => {
  const deadline = Date.now() + 240_000;
  const statuses = new Map<number, number>();
  let sent = 0;
  const worker = async () => {
    while (sent < count && Date.now() < deadline) {
      const n = sent++;
      const method = pick(["GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "HEAD"] as const);
      const url = base + (rand() < 0.1 ? pick(["/", "/openapi.json/x", "//", "/%2e%2e/"]) : "") +
        queryString();
      const headers: Record<string, string> = {};
      if (rand() < 0.9) headers.authorization = `Bearer ${admin}`;
      if (method === "POST") {
        headers["content-type"] = pick([
          "application/json",
          "text/plain",
          "application/x-www-form-urlencoded",
        ]);
      }
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers,
          body: method === "POST" ? jsonBody() : undefined,
        });
      } catch (e) {
        // A URL fetch itself refuses to send (invalid characters) is not a request; count it as such.
        if (e instanceof TypeError && /invalid|URL/i.test(e.message)) continue;
        throw new Error(
          `request ${n} (${method} ${url.slice(0, 200)}) failed: ${(e as Error).message}`,
        );
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const text = await res.text();
      assert.ok(
        res.status < 500,
        `request ${n} (${method} ${url.slice(0, 200)}) got ${res.status}: ${text.slice(0, 200)}`,
      );
      if (res.status !== 200 && res.status !== 204 && method !== "HEAD") {
        const body = JSON.parse(text);
        assert.equal(typeof body.error, "string", `request ${n}: error shape`);
        assert.ok(
          Object.keys(body).every((k) => k === "error" || k === "name"),
          `request ${n}: only error/name`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  console.log(`fuzz statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
  assert.ok(sent >= count, `sent ${sent} of ${count} within the time bound`);
});

// The shapes fetch() won't send, over bare sockets, through the gateway and directly: odd and
// lower-case methods, paths carrying keys and `..`, request ids that look like keys, bodies cut
// off, malformed chunks, announced bodies never sent. Never a 5xx; the function's answers in the
// contract's shape; no key or token of a request in the function's log.
const rawCount = Math.max(50, Math.floor(count / 20));
const secretLike = "sb_secret_fuzz_0123456789abcdefghij";
Deno.test(`fuzz: ${rawCount} raw requests of the shapes fetch won't send never get a 5xx`, async () => {
  const { rawRequest } = await import("../support/raw_http.ts");
  const targets = [stack.FUNCTION_URL, stack.FUNCTION_DIRECT_URL].filter(Boolean) as string[];
  const statuses = new Map<number, number>();
  for (let n = 0; n < rawCount; n++) {
    const target = new URL(pick(targets));
    const method = pick([
      "GET",
      "POST",
      "POST",
      "get",
      "post",
      "TRACE",
      "PATCH",
      "HEAD",
      "OPTIONS",
    ]);
    const path = target.pathname + pick([
      "",
      `/${secretLike}`,
      `/${admin}`,
      "/../../x",
      "/%2e%2e/%2e%2e/x",
      "/openapi.json",
      "//",
    ]) + `?interview_result_id=${pick([SEED.submitted, SEED.missing, "x"])}`;
    const shape = pick(["none", "whole", "cut", "chunked-bad", "unsent"] as const);
    const body = `{"interview_result_id": "${SEED.submitted}"}`;
    const authorized = shape !== "unsent" && rand() < 0.8;
    const head = [
      `${method} ${path} HTTP/1.1`,
      `Host: ${target.host}`,
      ...(authorized ? [`Authorization: Bearer ${admin}`] : []),
      ...(rand() < 0.3 ? [`X-Request-Id: ${pick([secretLike, "ok-id", "x".repeat(200)])}`] : []),
      ...(shape === "whole" ? [`Content-Length: ${body.length}`] : []),
      ...(shape === "cut" || shape === "unsent" ? ["Content-Length: 500"] : []),
      ...(shape === "chunked-bad" ? ["Transfer-Encoding: chunked"] : []),
    ].join("\r\n");
    const answer = await rawRequest(target.href, head, {
      body: shape === "whole"
        ? body
        : shape === "cut"
        ? body.slice(0, 10)
        : shape === "chunked-bad"
        ? "zz\r\n{}\r\n0\r\n\r\n"
        : "",
      halfClose: shape === "cut" || shape === "chunked-bad",
      timeoutMs: 8000,
    });
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    const label = `raw request ${n} (${method} ${path.slice(0, 80)}, ${shape}): ${answer.status} ${
      answer.body.slice(0, 120)
    }`;
    // 0: no answer (Deno's HTTP server refused the framing and closed); never a 5xx.
    assert.ok(answer.status < 500, label);
    const fromFunction = answer.headers["x-request-id"] !== undefined;
    if (fromFunction && answer.status >= 400 && method !== "HEAD" && answer.body) {
      const parsed = JSON.parse(answer.body);
      assert.equal(typeof parsed.error, "string", label);
      assert.ok(Object.keys(parsed).every((k) => k === "error" || k === "name"), label);
      assert.ok(
        !answer.headers["x-request-id"].startsWith("sb_"),
        `${label}: a key-like request id is not echoed`,
      );
    }
  }
  console.log(`raw fuzz statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
});
