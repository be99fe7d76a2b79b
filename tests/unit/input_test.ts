import assert from "node:assert/strict";
import { parseBody, parseQuery } from "../../supabase/functions/job-interview-details/input.ts";
import { RESULT_ID } from "../support/fixtures.ts";

const q = (s: string) => new URLSearchParams(s);

Deno.test("parseQuery() applies defaults and ignores unknown parameters", () => {
  assert.deepEqual(parseQuery(q(`interview_result_id=${RESULT_ID}&utm=1`)).data, {
    interview_result_id: RESULT_ID,
    get_signed_recordings: "false",
    view: "full",
  });
});

Deno.test("parseQuery() takes the first of repeated parameters", () => {
  assert.equal(
    parseQuery(q(`interview_result_id=${RESULT_ID}&interview_result_id=x`)).data
      ?.interview_result_id,
    RESULT_ID,
  );
});

for (
  const [query, name, message] of [
    ["", "interview_result_id", "Field is required."],
    ["interview_result_id=", "interview_result_id", "Must be a UUID."],
    ["interview_result_id=123", "interview_result_id", "Must be a UUID."],
    [
      `interview_result_id=${RESULT_ID}&get_signed_recordings=yes`,
      "get_signed_recordings",
      'Must be "true" or "false".',
    ],
    [
      `interview_result_id=${RESULT_ID}&get_signed_recordings=TRUE`,
      "get_signed_recordings",
      'Must be "true" or "false".',
    ],
    [
      `interview_result_id=${RESULT_ID}&view=everything`,
      "view",
      'Must be "full", "condensed", "standard" or "summary".',
    ],
  ]
) {
  Deno.test(`parseQuery() refuses "${query}" naming ${name}`, () => {
    assert.deepEqual(parseQuery(q(query)).error, { message, name });
  });
}

const post = (body: string) => new Request("http://x/", { method: "POST", body });

Deno.test("parseBody() accepts get_signed_recordings as a JSON boolean, as the cookbook sends it", async () => {
  const { data } = await parseBody(
    post(JSON.stringify({ interview_result_id: RESULT_ID, get_signed_recordings: true })),
    q(""),
    1000,
  );
  assert.equal(data?.get_signed_recordings, "true");
});

Deno.test("parseBody() names what get_signed_recordings takes when it gets anything else", async () => {
  for (const value of [1, 0, null, "yes", [], {}]) {
    const { error } = await parseBody(
      post(JSON.stringify({ interview_result_id: RESULT_ID, get_signed_recordings: value })),
      q(""),
      1000,
    );
    assert.deepEqual(error, {
      message: 'Must be true or false (a JSON boolean; "true" and "false" are taken too).',
      name: "get_signed_recordings",
    }, JSON.stringify(value));
  }
  for (const value of [false, "false", "true"]) {
    const { data } = await parseBody(
      post(JSON.stringify({ interview_result_id: RESULT_ID, get_signed_recordings: value })),
      q(""),
      1000,
    );
    assert.equal(data?.get_signed_recordings, String(value));
  }
});

Deno.test("parseBody() lets body fields win over query parameters", async () => {
  const { data } = await parseBody(
    post(JSON.stringify({ view: "summary" })),
    q(`interview_result_id=${RESULT_ID}&view=full`),
    1000,
  );
  assert.equal(data?.view, "summary");
  assert.equal(data?.interview_result_id, RESULT_ID);
});

for (
  const [body, expected] of [
    ["{not json", { message: "Request body must be valid JSON." }],
    ["[1,2]", { message: "Request body must be a JSON object." }],
    ["null", { message: "Request body must be a JSON object." }],
    ['"text"', { message: "Request body must be a JSON object." }],
    ['{"interview_result_id": 42}', { message: "Must be a UUID.", name: "interview_result_id" }],
    ["x".repeat(70_000), { message: "Request body is too large." }],
  ] as const
) {
  Deno.test(`parseBody() refuses ${body.slice(0, 30)}`, async () => {
    assert.deepEqual((await parseBody(post(body), q(""), 1000)).error, expected);
  });
}

/** A body that sends `first`, then fails as a cut connection does, or never ends. */
function streamed(first: string, end: "error" | "never") {
  return new Request("http://x/", {
    method: "POST",
    body: new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(first));
        if (end === "error") c.error(new TypeError("connection reset"));
      },
    }),
  });
}

Deno.test("parseBody() refuses a body cut off on the wire as the client's doing, unread", async () => {
  const result = await parseBody(streamed('{"interview_result_id": "', "error"), q(""), 1000);
  assert.deepEqual(result.error, {
    message: "Request body could not be read: it ended early or was malformed.",
  });
  assert.equal(result.unread, true);
});

Deno.test("parseBody() gives a body that never ends its deadline", async () => {
  const started = performance.now();
  const result = await parseBody(streamed("{", "never"), q(""), 50);
  assert.deepEqual(result.error, { message: "Request body did not arrive in time." });
  assert.equal(result.unread, true);
  assert.ok(performance.now() - started < 5000, "it does not wait for the body");
});
