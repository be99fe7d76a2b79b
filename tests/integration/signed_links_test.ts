// Signed links through the function, end to end against Storage: every key Storage accepts
// opens and downloads its own bytes, more than 1,000 recordings come back whole, and
// signed_urls_valid_until is never later than a link's expiry.
import assert from "node:assert/strict";
import { type FunctionProcess, startFunction } from "../../tools/local-stack/function_process.ts";
import { hasDatabase, resultFolder, withResult } from "../support/db.ts";
import { getDetails, SEED, serviceHeaders, signIn, stack } from "../support/stack.ts";
import { startProxy } from "../support/upstream_proxy.ts";

const proxy = startProxy();
const fn: FunctionProcess = await startFunction(stack, { SUPABASE_URL: proxy.url });

/**
 * Keys with every character Storage accepts beyond letters and digits: `_/!.*'() &$=@;:+,?-`,
 * in the folder of the result they belong to (the RPC returns no other path).
 */
const NAMES = [
  "special dir/a b&c+d (1).ogg",
  "q?x=1;y@z:$,!*'=.ogg",
  "100+100=200 & more_-.ogg",
];

async function upload(key: string, bytes: Uint8Array<ArrayBuffer>) {
  const res = await fetch(
    `${stack.SUPABASE_URL}/storage/v1/object/private-recordings/${
      key.split("/").map(encodeURIComponent).join("/")
    }`,
    {
      method: "POST",
      headers: {
        ...serviceHeaders,
        "content-type": "audio/ogg",
        "x-upsert": "true",
      },
      body: bytes,
    },
  );
  assert.equal(res.status, 200, await res.text());
}

const signed = (id: string, token: string, base = fn.url) =>
  getDetails({ interview_result_id: id, get_signed_recordings: "true" }, { token, base });

Deno.test({
  name: "a link opens for every key Storage accepts, and downloads that object's bytes",
  ignore: !hasDatabase,
  fn: async () => {
    const result = crypto.randomUUID();
    const KEYS = NAMES.map((name) => `${resultFolder(result)}${name}`);
    const bytes = KEYS.map((k) => new TextEncoder().encode(`OggS ${k}`));
    for (const [i, key] of KEYS.entries()) await upload(key, bytes[i]);
    await withResult(KEYS.map((recording) => ({ recording })), async (id) => {
      const res = await signed(id, await signIn(SEED.users.acmeRecruiter));
      assert.equal(res.status, 200);
      const doc = await res.json();
      for (const [i, key] of KEYS.entries()) {
        const url = doc.transcript[i].recording_url;
        assert.equal(doc.transcript[i].recording_local_path, key);
        const media = await fetch(url);
        assert.equal(media.status, 200, `${key}: ${url}`);
        assert.deepEqual(await media.bytes(), bytes[i], key);
      }
    }, { id: result });
  },
});

Deno.test({
  name: "a result with 2,500 recordings comes back whole, signed in batches of at most 1,000",
  ignore: !hasDatabase,
  fn: async () => {
    const result = crypto.randomUUID();
    const answers = Array.from({ length: 2500 }, (_, i) => ({
      recording: `${resultFolder(result)}many/answer-${i}.ogg`,
    }));
    await withResult(answers, async (id) => {
      proxy.requests.length = 0;
      const res = await signed(id, await signIn(SEED.users.admin));
      assert.equal(res.status, 200);
      const doc = await res.json();
      assert.equal(doc.transcript.length, 2500);
      for (const [i, item] of doc.transcript.entries()) {
        assert.match(item.recording_url ?? "", new RegExp(`/many/answer-${i}\\.ogg\\?token=`));
      }
      const signing = proxy.requests.filter((r) => r.startsWith("POST /storage/"));
      assert.equal(signing.length, 3, "2,500 paths in 3 batches");
    }, { objects: true, id: result });
  },
});

Deno.test("signed_urls_valid_until is never later than a link's expiry, and every link opens until then", async () => {
  const short = await startFunction(stack, { SIGNED_URL_TTL_SECONDS: "2" });
  try {
    const res = await signed(SEED.submitted, await signIn(SEED.users.emeaOwner), short.url);
    const doc = await res.json();
    const urls: string[] = [
      doc.recording_url,
      doc.video_introduction_url,
      ...doc.transcript.map((i: { recording_url?: string }) => i.recording_url),
    ].filter((u) => typeof u === "string");
    const expiries = urls.map((u) => {
      const part = new URL(u).searchParams.get("token")!.split(".")[1];
      return JSON.parse(atob(part.replaceAll("-", "+").replaceAll("_", "/"))).exp * 1000;
    });
    const validUntil = Date.parse(doc.signed_urls_valid_until);
    assert.ok(validUntil <= Math.min(...expiries), "not later than the earliest token");
    await new Promise((r) => setTimeout(r, Math.max(0, validUntil - Date.now() - 150)));
    for (const url of urls) {
      const media = await fetch(url);
      assert.equal(media.status, 200, "still open just before signed_urls_valid_until");
      await media.body?.cancel();
    }
  } finally {
    await short.stop();
  }
});

Deno.test({
  name: "teardown: stop the signed links' function and proxy",
  fn: async () => {
    await Promise.all([fn.stop(), proxy.stop()]);
  },
  sanitizeOps: false,
  sanitizeResources: false,
});
