import assert from "node:assert/strict";
import {
  attachSignedUrls,
  recordingPaths,
} from "../../supabase/functions/job-interview-details/recordings.ts";
import { transcriptDoc } from "../support/fixtures.ts";

Deno.test("recordingPaths() lists session, introduction and answers once each", () => {
  const doc = transcriptDoc(3);
  doc.transcript.push({ ...doc.transcript[0], id: "dup" });
  assert.deepEqual(recordingPaths(doc), [
    "m/r/session.ogg",
    "m/r/intro.ogg",
    "m/r/answer-0.ogg",
    "m/r/answer-1.ogg",
  ]);
});

Deno.test("recordingPaths() skips null and empty paths", () => {
  const doc = transcriptDoc(1, { recording_local_path: "", video_introduction_local_path: null });
  assert.deepEqual(recordingPaths(doc), []);
});

Deno.test("attachSignedUrls() puts each URL beside its path, null where none was signed", () => {
  const doc = transcriptDoc(3);
  const urls = new Map([["m/r/session.ogg", "https://s/1"], ["m/r/answer-0.ogg", "https://s/2"], [
    "m/r/intro.ogg",
    null,
  ]]);
  const out = attachSignedUrls(doc, urls, new Date("2030-01-01T00:00:00Z"));
  assert.equal(out.recording_url, "https://s/1");
  assert.equal(out.video_introduction_url, null);
  assert.deepEqual(out.transcript!.map((i) => i.recording_url), ["https://s/2", null, null]);
  assert.equal(out.signed_urls_valid_until, "2030-01-01T00:00:00.000Z");
});

Deno.test("attachSignedUrls() adds no item URL to views without recording paths", () => {
  const doc = { transcript: [{ id: "a", answer: "x" }] };
  const out = attachSignedUrls(doc, new Map(), new Date());
  assert.equal("recording_url" in out.transcript![0], false);
  assert.equal(out.recording_url, null);
});
