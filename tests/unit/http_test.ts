import assert from "node:assert/strict";
import {
  acceptsGzip,
  bodyOf,
  gzipped,
} from "../../supabase/functions/job-interview-details/http.ts";

Deno.test("acceptsGzip() honours q=0", () => {
  assert.equal(acceptsGzip("gzip, deflate, br"), true);
  assert.equal(acceptsGzip("br;q=1, gzip;q=0.5"), true);
  assert.equal(acceptsGzip("gzip;q=0"), false);
  assert.equal(acceptsGzip("identity"), false);
  assert.equal(acceptsGzip(null), false);
});

const answer = (bytes: number) =>
  new Response(new Uint8Array(bytes).fill(0x20), {
    headers: { "content-type": "application/json", "content-length": String(bytes) },
  });

Deno.test("gzipped() compresses a large answer for a client that takes gzip, and says so", async () => {
  const { res, gzip } = gzipped(answer(5000), 5000, "gzip, deflate");
  assert.equal(gzip, true);
  assert.equal(res.headers.get("content-encoding"), "gzip");
  assert.equal(res.headers.get("content-length"), null);
  assert.equal(res.headers.get("vary"), "Accept-Encoding");
  const plain = await new Response(res.body!.pipeThrough(new DecompressionStream("gzip"))).bytes();
  assert.equal(plain.length, 5000);
});

Deno.test("gzipped() says Vary: Accept-Encoding on every answer that could have been compressed", () => {
  for (const accept of [undefined, "identity", "br"]) {
    const { res, gzip } = gzipped(answer(5000), 5000, accept);
    assert.equal(gzip, false);
    assert.equal(res.headers.get("vary"), "Accept-Encoding", String(accept));
    assert.equal(res.headers.get("content-encoding"), null);
  }
});

Deno.test("gzipped() leaves small and empty answers alone, without Vary", () => {
  for (const res of [answer(100), new Response(null, { status: 204 })]) {
    const out = gzipped(res, 100, "gzip");
    assert.equal(out.gzip, false);
    assert.equal(out.res.headers.get("vary"), null);
  }
});

Deno.test("bodyOf() sends the parts in order and releases the buffer they were views of", async () => {
  const whole = new TextEncoder().encode('{"a":1,"b":2}');
  const parts = [whole.subarray(0, 6), new TextEncoder().encode(',"x":0'), whole.subarray(6)];
  const body = bodyOf(parts, whole.buffer);
  assert.equal(whole.buffer.byteLength, 0, "released at once, not left for the collector");
  assert.equal(await new Response(body).text(), '{"a":1,"x":0,"b":2}');
});
