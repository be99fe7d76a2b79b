import assert from "node:assert/strict";
import { resolveConfig } from "../../supabase/functions/job-interview-details/config.ts";

const base = {
  SUPABASE_URL: "http://kong:8000/",
  SUPABASE_ANON_KEY: "anon",
  SUPABASE_SERVICE_ROLE_KEY: "service",
};

Deno.test("resolveConfig() applies the documented defaults", () => {
  const { data } = resolveConfig(base);
  assert.ok(data);
  assert.equal(data.supabaseUrl, "http://kong:8000");
  assert.equal(data.readUrl, "http://kong:8000", "the RPC is read where everything else goes");
  assert.equal(data.signedUrlBaseUrl, "http://kong:8000");
  assert.equal(data.signedUrlTtlSeconds, 3600);
  assert.equal(data.upstreamTimeoutMs, 10_000);
  assert.deepEqual(data.corsAllowedOrigins, ["*"]);
  assert.equal(data.apiKey, "anon");
  assert.equal(data.serviceKey, "service");
});

Deno.test("resolveConfig() prefers the new API keys over the legacy JWT keys", () => {
  const { data } = resolveConfig({
    ...base,
    SUPABASE_PUBLISHABLE_KEYS: '{"default":"sb_publishable_x"}',
    SUPABASE_SECRET_KEYS: '{"default":"sb_secret_x"}',
  });
  assert.equal(data?.apiKey, "sb_publishable_x");
  assert.equal(data?.serviceKey, "sb_secret_x");
});

Deno.test("resolveConfig() reads SUPABASE_READ_URL for the Data API only", () => {
  const { data } = resolveConfig({ ...base, SUPABASE_READ_URL: "https://ref-all.supabase.co/" });
  assert.equal(data?.readUrl, "https://ref-all.supabase.co");
  assert.equal(data?.supabaseUrl, "http://kong:8000");
  assert.match(
    resolveConfig({ ...base, SUPABASE_READ_URL: "replica" }).error!,
    /SUPABASE_READ_URL/,
  );
});

Deno.test("resolveConfig() takes API_READ_URL, the name a secret can have; SUPABASE_READ_URL first", () => {
  const lb = "https://ref-all.supabase.co";
  assert.equal(resolveConfig({ ...base, API_READ_URL: `${lb}/` }).data?.readUrl, lb);
  assert.equal(
    resolveConfig({ ...base, API_READ_URL: lb, SUPABASE_READ_URL: "https://other.test" }).data
      ?.readUrl,
    "https://other.test",
  );
  assert.equal(resolveConfig(base).data?.readUrl, "http://kong:8000");
  assert.match(resolveConfig({ ...base, API_READ_URL: "replica" }).error!, /API_READ_URL/);
});

Deno.test("resolveConfig() signs with the default secret key, else the legacy service-role key", () => {
  const { data } = resolveConfig({
    ...base,
    SUPABASE_SECRET_KEYS: '{"default":"sb_secret_x","mcp":"sb_secret_y"}',
  });
  assert.equal(data?.serviceKey, "sb_secret_x");
  assert.equal(resolveConfig(base).data?.serviceKey, base.SUPABASE_SERVICE_ROLE_KEY);
});

Deno.test("resolveConfig() needs no key material to verify tokens: JWT_SECRET and SUPABASE_JWKS are ignored", () => {
  const { data, error } = resolveConfig({
    ...base,
    JWT_SECRET: "short",
    SUPABASE_JWKS: "{not json",
  });
  assert.equal(error, undefined);
  assert.ok(data && !("jwtSecret" in data) && !("jwks" in data));
});

Deno.test("resolveConfig() reads the log budget, within the platform's by default", () => {
  assert.deepEqual(resolveConfig(base).data?.logBudget, {
    maxLines: 80,
    windowMs: 10_000,
    sampleEvery: 100,
  });
  const { data } = resolveConfig({ ...base, LOG_EVENTS_PER_10S: "40", LOG_SAMPLE_EVERY: "1" });
  assert.deepEqual(data?.logBudget, { maxLines: 40, windowMs: 10_000, sampleEvery: 1 });
  for (const bad of [{ LOG_EVENTS_PER_10S: "1" }, { LOG_SAMPLE_EVERY: "0" }]) {
    assert.match(resolveConfig({ ...base, ...bad }).error!, /LOG_/);
  }
});

Deno.test("resolveConfig() reads every optional setting", () => {
  const { data } = resolveConfig({
    ...base,
    SIGNED_URL_TTL_SECONDS: "60",
    SIGNED_URL_BASE_URL: "http://127.0.0.1:54321",
    UPSTREAM_TIMEOUT_MS: "2500",
    BODY_TIMEOUT_MS: "1500",
    CORS_ALLOWED_ORIGINS: "https://app.jobmojito.com, https://admin.jobmojito.com",
  });
  assert.equal(data?.signedUrlTtlSeconds, 60);
  assert.equal(data?.signedUrlBaseUrl, "http://127.0.0.1:54321");
  assert.equal(data?.upstreamTimeoutMs, 2500);
  assert.deepEqual(data?.corsAllowedOrigins, [
    "https://app.jobmojito.com",
    "https://admin.jobmojito.com",
  ]);
  assert.equal(data?.bodyTimeoutMs, 1500);
});

Deno.test("resolveConfig() bounds signed links to an hour: longer is a configuration error at start-up", () => {
  assert.equal(
    resolveConfig({ ...base, SIGNED_URL_TTL_SECONDS: "3600" }).data?.signedUrlTtlSeconds,
    3600,
  );
  for (const ttl of ["3601", "86400", "604800"]) {
    const { data, error } = resolveConfig({ ...base, SIGNED_URL_TTL_SECONDS: ttl });
    assert.equal(data, undefined, ttl);
    assert.match(error!, /^Invalid configuration: SIGNED_URL_TTL_SECONDS: At most 3600 s/, ttl);
  }
});

for (
  const [name, env, fragment] of [
    ["a missing SUPABASE_URL", { ...base, SUPABASE_URL: undefined }, "SUPABASE_URL"],
    ["a non-URL SUPABASE_URL", { ...base, SUPABASE_URL: "kong" }, "SUPABASE_URL"],
    ["no anon or publishable key", { ...base, SUPABASE_ANON_KEY: "" }, "SUPABASE_ANON_KEY"],
    [
      "no service key",
      { ...base, SUPABASE_SERVICE_ROLE_KEY: undefined },
      "SUPABASE_SERVICE_ROLE_KEY",
    ],
    ["a TTL of zero", { ...base, SIGNED_URL_TTL_SECONDS: "0" }, "SIGNED_URL_TTL_SECONDS"],
    ["a non-numeric timeout", { ...base, UPSTREAM_TIMEOUT_MS: "soon" }, "UPSTREAM_TIMEOUT_MS"],
    ["a body timeout of zero", { ...base, BODY_TIMEOUT_MS: "0" }, "BODY_TIMEOUT_MS"],
  ] as const
) {
  Deno.test(`resolveConfig() rejects ${name}`, () => {
    const { data, error } = resolveConfig(env as Record<string, string | undefined>);
    assert.equal(data, undefined);
    assert.match(error!, new RegExp(fragment));
  });
}

Deno.test("resolveConfig() bounds background access records by ACCESS_RECORDS_IN_FLIGHT, 256 by default", () => {
  assert.deepEqual(resolveConfig(base).data?.accessRecords, { inFlight: 256, logBatchMs: 1000 });
  assert.equal(
    resolveConfig({ ...base, ACCESS_RECORDS_IN_FLIGHT: "32" }).data?.accessRecords.inFlight,
    32,
  );
  for (const bad of ["0", "-1", "1.5", "many"]) {
    assert.match(
      resolveConfig({ ...base, ACCESS_RECORDS_IN_FLIGHT: bad }).error!,
      /ACCESS_RECORDS_IN_FLIGHT/,
      bad,
    );
  }
});
