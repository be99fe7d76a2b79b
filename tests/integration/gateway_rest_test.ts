// The stand-in's PostgREST on the points the function relies on: JWT acceptance and rejection,
// role and claims reaching Postgres, SQLSTATE to HTTP mapping, and the JSON passed through.
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { apiKey, legacyKeys, SEED, serviceKey, signIn, stack } from "../support/stack.ts";

async function rpc(
  body: unknown,
  token?: string,
  init: { apikey?: string | null; method?: string } = {},
) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  // A new API key as the bearer travels as apikey too, as supabase-js sends it.
  const apikey = init.apikey !== undefined
    ? init.apikey
    : token?.startsWith("sb_")
    ? token
    : apiKey;
  if (apikey) headers.apikey = apikey;
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${stack.SUPABASE_URL}/rest/v1/rpc/interview_transcript`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

const hs256 = (claims: Record<string, unknown>, secret = stack.SUPABASE_JWT_SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuedAt()
    .setExpirationTime(claims.exp as number ?? "1h").sign(new TextEncoder().encode(secret));

Deno.test("POST /rest/v1/rpc without an apikey → 401", async () => {
  const { status } = await rpc(
    { p_interview_result_id: SEED.submitted },
    await signIn(SEED.users.admin),
    { apikey: null },
  );
  assert.equal(status, 401);
});

Deno.test("POST /rest/v1/rpc with an ES256 user token → the user's own view", async () => {
  const { status, body } = await rpc(
    { p_interview_result_id: SEED.unsubmitted },
    await signIn(SEED.users.alice),
  );
  assert.equal(status, 200);
  assert.equal(body.status, "completed");
  assert.equal(
    body.ai_analysis_recruiter,
    null,
    "claims.sub reached auth.uid(): redacted for the candidate",
  );
});

Deno.test("POST /rest/v1/rpc with an HS256 user token signed by the secret → accepted", async () => {
  const token = await hs256({
    sub: "00000000-0000-4000-8000-000000000012",
    role: "authenticated",
    aud: "authenticated",
  });
  const { status, body } = await rpc({ p_interview_result_id: SEED.submitted }, token);
  assert.equal(status, 200);
  assert.equal(typeof body.ai_analysis_recruiter, "string", "the recruiter's claims reached RLS");
});

Deno.test("role reaches Postgres: a recruiter gets null for an unsubmitted result, the service role gets it", async () => {
  assert.equal(
    (await rpc({ p_interview_result_id: SEED.unsubmitted }, await signIn(SEED.users.acmeOwner)))
      .body,
    null,
  );
  const service = await rpc(
    { p_interview_result_id: SEED.unsubmitted },
    serviceKey,
  );
  assert.equal(service.body.ai_analysis_recruiter.length > 0, true);
});

Deno.test("POST /rest/v1/rpc as anon → 401 with 42501", async () => {
  const { status, body } = await rpc({ p_interview_result_id: SEED.submitted });
  assert.equal(status, 401);
  assert.equal(body.code, "42501");
  assert.deepEqual(Object.keys(body).sort(), ["code", "details", "hint", "message"]);
});

Deno.test("POST /rest/v1/rpc with a token signed by another secret → 401 PGRST301", async () => {
  const token = await hs256(
    { sub: "x", role: "authenticated" },
    "another-secret-another-secret-another-secret",
  );
  const { status, body } = await rpc({ p_interview_result_id: SEED.submitted }, token);
  assert.equal(status, 401);
  assert.match(body.code, /^PGRST30[13]$/);
});

Deno.test("POST /rest/v1/rpc with an expired token → 401 PGRST303", async () => {
  const token = await hs256({
    sub: "x",
    role: "authenticated",
    exp: Math.floor(Date.now() / 1000) - 60,
  });
  const { status, body } = await rpc({ p_interview_result_id: SEED.submitted }, token);
  assert.equal(status, 401);
  assert.equal(body.code, "PGRST303");
});

Deno.test("SQLSTATE mapping: bad uuid 22P02 → 400, bad view 22023 → 400 with the hint, no such function → 404", async () => {
  const admin = await signIn(SEED.users.admin);
  const badUuid = await rpc({ p_interview_result_id: "nope" }, admin);
  assert.deepEqual([badUuid.status, badUuid.body.code], [400, "22P02"]);
  const badView = await rpc({ p_interview_result_id: SEED.submitted, p_view: "all" }, admin);
  assert.deepEqual([badView.status, badView.body.code], [400, "22023"]);
  assert.match(badView.body.hint, /full, condensed, standard, summary/);
  const res = await fetch(`${stack.SUPABASE_URL}/rest/v1/rpc/no_such_function`, {
    method: "POST",
    headers: {
      apikey: apiKey,
      authorization: `Bearer ${admin}`,
      "content-type": "application/json",
    },
    body: "{}",
  });
  assert.equal(res.status, 404);
  assert.equal((await res.json()).code, "PGRST202");
});

Deno.test("GET /rest/v1/rpc maps errors as POST does: bad uuid 22P02, bad view 22023, anon 42501", async () => {
  const get = async (query: string, token?: string) => {
    const res = await fetch(`${stack.SUPABASE_URL}/rest/v1/rpc/interview_transcript?${query}`, {
      headers: {
        apikey: apiKey,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
    return [res.status, (await res.json()).code];
  };
  const admin = await signIn(SEED.users.admin);
  assert.deepEqual(await get("p_interview_result_id=nope", admin), [400, "22P02"]);
  assert.deepEqual(
    await get(`p_interview_result_id=${SEED.submitted}&p_view=all`, admin),
    [400, "22023"],
  );
  assert.deepEqual(await get(`p_interview_result_id=${SEED.submitted}`), [401, "42501"]);
});

Deno.test("GET /rest/v1/rpc works for the stable RPC, with query parameters", async () => {
  const url =
    `${stack.SUPABASE_URL}/rest/v1/rpc/interview_transcript?p_interview_result_id=${SEED.submitted}&p_view=summary`;
  const res = await fetch(url, {
    headers: {
      apikey: apiKey,
      authorization: `Bearer ${await signIn(SEED.users.admin)}`,
    },
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal("answer_assessment_raw_data" in body.transcript[1], false);
});

Deno.test("the new API keys reach PostgREST as their role: secret → service_role, publishable → anon", async () => {
  const secret = stack.SUPABASE_SECRET_KEY;
  const publishable = stack.SUPABASE_PUBLISHABLE_KEY;
  if (!secret || !publishable) return;
  const asService = await rpc({ p_interview_result_id: SEED.inProgress }, secret, {
    apikey: secret,
  });
  assert.equal(asService.status, 200);
  assert.equal(asService.body.status, "in_progress", "the service role sees an unsubmitted result");
  const asAnon = await rpc({ p_interview_result_id: SEED.submitted }, undefined, {
    apikey: publishable,
  });
  assert.deepEqual([asAnon.status, asAnon.body.code], [401, "42501"]);
  const asUser = await rpc(
    { p_interview_result_id: SEED.unsubmitted },
    await signIn(SEED.users.alice),
    {
      apikey: publishable,
    },
  );
  assert.equal(asUser.status, 200, "a user token with the publishable key is the user");
});

Deno.test({
  name:
    "a project with its legacy API keys turned off refuses the anon and service_role JWTs as API keys",
  ignore: legacyKeys || !stack.SUPABASE_ANON_KEY,
  fn: async () => {
    for (const legacy of [stack.SUPABASE_ANON_KEY, stack.SUPABASE_SERVICE_ROLE_KEY]) {
      const { status, body } = await rpc({ p_interview_result_id: SEED.submitted }, undefined, {
        apikey: legacy,
      });
      assert.equal(status, 401);
      assert.equal(body.message, "Legacy API keys are disabled");
    }
    const { status } = await rpc({ p_interview_result_id: SEED.submitted }, serviceKey);
    assert.equal(status, 200, "the secret key still works");
  },
});

Deno.test({
  name: "with the legacy API keys on, the anon key is an API key as the publishable one is",
  ignore: !legacyKeys,
  fn: async () => {
    const { status, body } = await rpc({ p_interview_result_id: SEED.submitted }, undefined, {
      apikey: stack.SUPABASE_ANON_KEY,
    });
    assert.deepEqual([status, body.code], [401, "42501"], "as anon, not refused as a key");
  },
});
