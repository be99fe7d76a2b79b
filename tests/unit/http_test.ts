import assert from "node:assert/strict";
import {
  acceptsGzip,
  corsHeaders,
  preflightHeaders,
  requestIdFrom,
  serverTiming,
} from "../../supabase/functions/job-interview-details/http.ts";

Deno.test("requestIdFrom() keeps a sane id and replaces anything else", () => {
  assert.equal(requestIdFrom("abc-123.x:y"), "abc-123.x:y");
  for (const bad of [null, "", "has space", "x".repeat(129), "<script>"]) {
    assert.match(requestIdFrom(bad), /^[0-9a-f-]{36}$/);
  }
});

Deno.test("corsHeaders() allows any origin by default and only listed ones otherwise", () => {
  assert.equal(corsHeaders("https://a.example", ["*"])["access-control-allow-origin"], "*");
  const allowed = ["https://app.example"];
  assert.equal(
    corsHeaders("https://app.example", allowed)["access-control-allow-origin"],
    "https://app.example",
  );
  assert.equal(
    corsHeaders("https://evil.example", allowed)["access-control-allow-origin"],
    undefined,
  );
  assert.equal(corsHeaders("https://evil.example", allowed).vary, "Origin");
});

Deno.test("preflightHeaders() echoes requested headers, falling back to supabase-js's list", () => {
  assert.equal(
    preflightHeaders("authorization, x-custom")["access-control-allow-headers"],
    "authorization, x-custom",
  );
  assert.match(
    preflightHeaders(null)["access-control-allow-headers"],
    /authorization, x-client-info, apikey/,
  );
  assert.match(preflightHeaders("bad\nheader")["access-control-allow-headers"], /^authorization/);
});

Deno.test("serverTiming() formats one entry per step", () => {
  assert.equal(serverTiming({ rpc: 1.23, total: 4 }), "rpc;dur=1.2, total;dur=4.0");
});

Deno.test("acceptsGzip() honours q=0", () => {
  assert.equal(acceptsGzip("gzip, deflate, br"), true);
  assert.equal(acceptsGzip("br;q=1, gzip;q=0.5"), true);
  assert.equal(acceptsGzip("gzip;q=0"), false);
  assert.equal(acceptsGzip("identity"), false);
  assert.equal(acceptsGzip(null), false);
});
