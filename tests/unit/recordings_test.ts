import assert from "node:assert/strict";
import {
  mapDocument,
  recordingPaths,
  spliceSignedUrls,
} from "../../supabase/functions/job-interview-details/recordings.ts";
import { transcriptDoc } from "../support/fixtures.ts";
import { prng } from "../support/prng.ts";

const enc = (v: unknown, space?: string) =>
  new TextEncoder().encode(JSON.stringify(v, null, space));
const VALID_UNTIL = new Date("2030-01-01T00:00:00Z");

/** The parts of spliceSignedUrls() as the one body a client receives. */
function insertSignedUrls(...args: Parameters<typeof spliceSignedUrls>): Uint8Array<ArrayBuffer> {
  const parts = spliceSignedUrls(...args);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The reference: what splicing must equal once parsed. */
// deno-lint-ignore no-explicit-any
function expected(doc: any, urls: Map<string, string | null>) {
  const urlOf = (p: unknown) => (typeof p === "string" && p ? urls.get(p) ?? null : null);
  const out = structuredClone(doc);
  for (const item of out.transcript ?? []) {
    if ("recording_local_path" in item) item.recording_url = urlOf(item.recording_local_path);
  }
  out.recording_url = urlOf(doc.recording_local_path);
  out.video_introduction_url = urlOf(doc.video_introduction_local_path);
  out.signed_urls_valid_until = VALID_UNTIL.toISOString();
  return out;
}

Deno.test("mapDocument() finds session, introduction and answer paths; recordingPaths() dedupes them", () => {
  const doc = transcriptDoc(3);
  doc.transcript.push({ ...doc.transcript[0], id: "dup" });
  const map = mapDocument(enc(doc))!;
  assert.deepEqual(recordingPaths(map), [
    "m/r/session.ogg",
    "m/r/intro.ogg",
    "m/r/answer-0.ogg",
    "m/r/answer-1.ogg",
  ]);
});

Deno.test("recordingPaths() skips null, empty and non-string paths", () => {
  const map = mapDocument(
    enc({
      recording_local_path: "",
      video_introduction_local_path: null,
      transcript: [{ recording_local_path: 5 }],
    }),
  )!;
  assert.deepEqual(recordingPaths(map), []);
});

Deno.test("spliceSignedUrls() adds each URL beside its path, null where none was signed", () => {
  const doc = transcriptDoc(3);
  const urls = new Map([["m/r/session.ogg", "https://s/1"], [
    "m/r/answer-0.ogg",
    'https://s/2?token=a"b',
  ], ["m/r/intro.ogg", null]]);
  const bytes = enc(doc);
  const out = JSON.parse(
    new TextDecoder().decode(insertSignedUrls(bytes, mapDocument(bytes)!, urls, VALID_UNTIL)),
  );
  assert.deepEqual(out, expected(doc, urls));
  assert.equal(out.transcript[0].recording_url, 'https://s/2?token=a"b');
});

Deno.test("spliceSignedUrls() leaves every other byte as it was, Postgres spacing included", () => {
  const pg =
    '{"score" : 82, "transcript" : [{"id" : "a", "answer_assessment_raw_data" : {"x" : [1, 2, {"}" : "{"}]}, "recording_local_path" : "p"}], "recording_local_path" : null}';
  const bytes = new TextEncoder().encode(pg);
  const out = new TextDecoder().decode(
    insertSignedUrls(bytes, mapDocument(bytes)!, new Map([["p", "u"]]), VALID_UNTIL),
  );
  assert.equal(
    out,
    '{"score" : 82, "transcript" : [{"id" : "a", "answer_assessment_raw_data" : {"x" : [1, 2, {"}" : "{"}]}, "recording_local_path" : "p","recording_url":"u"}], "recording_local_path" : null,"recording_url":null,"video_introduction_url":null,"signed_urls_valid_until":"2030-01-01T00:00:00.000Z"}',
  );
});

Deno.test("spliceSignedUrls() adds no item URL to summary items, and handles empty objects", () => {
  const doc = { transcript: [{ id: "a", answer: "x" }, {}] };
  const bytes = enc(doc);
  const out = JSON.parse(
    new TextDecoder().decode(insertSignedUrls(bytes, mapDocument(bytes)!, new Map(), VALID_UNTIL)),
  );
  assert.deepEqual(out, expected(doc, new Map()));
  const empty = enc({});
  assert.deepEqual(
    JSON.parse(
      new TextDecoder().decode(
        insertSignedUrls(empty, mapDocument(empty)!, new Map(), VALID_UNTIL),
      ),
    ),
    expected({}, new Map()),
  );
});

// Generated documents: random nesting, strings with quotes, backslashes, braces and unicode.
Deno.test("spliceSignedUrls() equals the reference on 300 generated documents", () => {
  const rand = prng(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const str = () =>
    pick([
      "plain",
      'quote " inside',
      "back\\slash",
      "{brace}",
      "[bracket]",
      "ünïcødé ✓ 😀",
      "\n\t",
      "",
      "recording_local_path",
    ]);
  const value = (depth: number): unknown => {
    const r = rand();
    if (depth > 3 || r < 0.3) return pick([str(), 1, -2.5e3, true, false, null]);
    if (r < 0.6) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
    return Object.fromEntries(
      Array.from({ length: Math.floor(rand() * 4) }, () => [str(), value(depth + 1)]),
    );
  };
  const paths = ["a/1.ogg", "a/2.ogg", 'we"ird\\path.ogg', "ü/3.ogg"];
  for (let n = 0; n < 300; n++) {
    // deno-lint-ignore no-explicit-any
    const doc: any = { [str()]: value(0) };
    if (rand() < 0.8) doc.recording_local_path = pick([...paths, null, ""]);
    if (rand() < 0.5) doc.video_introduction_local_path = pick([...paths, null]);
    doc.transcript = Array.from({ length: Math.floor(rand() * 5) }, () => {
      const item: Record<string, unknown> = { id: str(), answer_assessment_raw_data: value(0) };
      if (rand() < 0.8) item.recording_local_path = pick([...paths, null]);
      return item;
    });
    const urls = new Map(
      paths.map((p) => [p, rand() < 0.7 ? `https://s/${encodeURIComponent(p)}?token=t` : null]),
    );
    const bytes = enc(doc, rand() < 0.5 ? " " : undefined);
    const map = mapDocument(bytes);
    assert.ok(map, `document ${n} maps`);
    const out = JSON.parse(
      new TextDecoder().decode(insertSignedUrls(bytes, map, urls, VALID_UNTIL)),
    );
    assert.deepEqual(out, expected(doc, urls), `document ${n}`);
  }
});

Deno.test("mapDocument() refuses every truncation of a document and malformed JSON", () => {
  const bytes = enc(transcriptDoc(2));
  for (let cut = 1; cut < bytes.length; cut += 7) {
    assert.equal(mapDocument(bytes.subarray(0, cut)), undefined, `cut at ${cut}`);
  }
  for (
    const bad of [
      '{"a":}',
      '{"a" 1}',
      '{"a":1,}',
      "{} x",
      '{"a":tru}',
      '{"a":"\u0001"}',
      '{"transcript":[1]}',
      '{"a":[}',
      "[]",
      "null",
      '{"a":{"b":1]}',
      // Inside nested values (the raw data): brackets, string ends and the bytes between them.
      '{"a":[1,2}',
      '{"a":{"b":"x}}',
      '{"a":{"b":@}}',
      '{"a":{"b":[1]]}}',
      '{"transcript":[{"x":{"y":[}}]}',
    ]
  ) {
    assert.equal(mapDocument(new TextEncoder().encode(bad)), undefined, bad);
  }
});

Deno.test("spliceSignedUrls() sends the document's own bytes as views, never a copy of them", () => {
  const bytes = enc(transcriptDoc(5));
  const parts = spliceSignedUrls(bytes, mapDocument(bytes)!, new Map(), VALID_UNTIL);
  const views = parts.filter((p) => p.buffer === bytes.buffer);
  assert.equal(views.reduce((n, p) => n + p.length, 0), bytes.length, "every byte, by reference");
  assert.ok(parts.filter((p) => p.buffer !== bytes.buffer).every((p) => p.length < 200));
});
