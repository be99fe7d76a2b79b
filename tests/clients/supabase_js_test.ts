// supabase-js in Deno, as JobMojito's frontends call the function: signInWithPassword, then
// functions.invoke with a JSON body (POST) and with method GET and the query in the name. Every
// error status must come back as FunctionsHttpError whose context is the readable answer, never
// as FunctionsFetchError (the page would think the network is down) or FunctionsRelayError.
import assert from "node:assert/strict";
import {
  createClient,
  FunctionsFetchError,
  FunctionsHttpError,
  FunctionsRelayError,
  type SupabaseClient,
} from "@supabase/supabase-js";
import { DetailsResponseSchema } from "../../supabase/functions/job-interview-details/schemas.ts";
import { expiredSessionToken, SEED, stack } from "../support/stack.ts";

const NAME = "job-interview-details";
const apiKey = stack.SUPABASE_PUBLISHABLE_KEY ?? stack.SUPABASE_ANON_KEY;

async function signedIn(email: string): Promise<SupabaseClient> {
  const client = createClient(stack.SUPABASE_URL, apiKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const { error } = await client.auth.signInWithPassword({ email, password: "password" });
  if (error) throw error;
  return client;
}

/** The error of an invoke that must fail: a FunctionsHttpError with its status and body. */
async function httpError(
  result: { data: unknown; error: unknown },
  status: number,
): Promise<{ error: string; name?: string }> {
  const { error } = result;
  assert.ok(!(error instanceof FunctionsFetchError), "not a FunctionsFetchError");
  assert.ok(!(error instanceof FunctionsRelayError), "not a FunctionsRelayError");
  assert.ok(error instanceof FunctionsHttpError, `a FunctionsHttpError, got ${error}`);
  const context = error.context as Response;
  assert.equal(context.status, status);
  const body = await context.json();
  assert.equal(typeof body.error, "string");
  assert.ok(Object.keys(body).every((k) => k === "error" || k === "name"));
  return body;
}

Deno.test("supabase-js: invoke with a JSON body (POST) returns the document", async () => {
  const client = await signedIn(SEED.users.acmeRecruiter);
  const { data, error } = await client.functions.invoke(NAME, {
    body: { interview_result_id: SEED.submitted, get_signed_recordings: true },
  });
  assert.equal(error, null);
  DetailsResponseSchema.parse(data);
  assert.equal(data.transcript.length, 10);
  assert.match(data.recording_url, /\/storage\/v1\/object\/sign\/private-recordings\//);
});

Deno.test("supabase-js: invoke with method GET and the query in the name returns the same document", async () => {
  const client = await signedIn(SEED.users.acmeRecruiter);
  const viaGet = await client.functions.invoke(
    `${NAME}?interview_result_id=${SEED.submitted}&view=standard`,
    { method: "GET" },
  );
  const viaPost = await client.functions.invoke(NAME, {
    body: { interview_result_id: SEED.submitted, view: "standard" },
  });
  assert.equal(viaGet.error, null);
  assert.deepEqual(viaGet.data, viaPost.data);
});

Deno.test("supabase-js: 404 and 422 are FunctionsHttpError with the contract's body", async () => {
  const outsider = await signedIn(SEED.users.outsider);
  const hidden = await httpError(
    await outsider.functions.invoke(NAME, { body: { interview_result_id: SEED.submitted } }),
    404,
  );
  assert.equal(hidden.error, "Interview result not found.");
  const bad = await httpError(
    await outsider.functions.invoke(`${NAME}?interview_result_id=not-a-uuid`, { method: "GET" }),
    422,
  );
  assert.equal(bad.name, "interview_result_id");
});

Deno.test("supabase-js: an expired session is a readable 401, not a network error", async () => {
  const client = await signedIn(SEED.users.acmeRecruiter);
  client.functions.setAuth(await expiredSessionToken());
  for (const method of ["GET", "POST"] as const) {
    const body = await httpError(
      await client.functions.invoke(
        method === "GET" ? `${NAME}?interview_result_id=${SEED.submitted}` : NAME,
        { method, ...(method === "POST" ? { body: { interview_result_id: SEED.submitted } } : {}) },
      ),
      401,
    );
    assert.match(body.error, /expired|invalid/i);
  }
});

Deno.test("supabase-js: before sign-in (publishable key only) the 401 is readable", async () => {
  const client = createClient(stack.SUPABASE_URL, apiKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  await httpError(
    await client.functions.invoke(NAME, { body: { interview_result_id: SEED.submitted } }),
    401,
  );
});

Deno.test("supabase-js: a method the function does not take is a readable 405", async () => {
  const client = await signedIn(SEED.users.acmeRecruiter);
  await httpError(
    await client.functions.invoke(NAME, {
      method: "PUT",
      body: { interview_result_id: SEED.submitted },
    }),
    405,
  );
});

Deno.test("supabase-js: after auth.signOut(), the session's token is a readable 401 at once", async () => {
  const client = await signedIn(SEED.users.acmeRecruiter);
  const { data } = await client.auth.getSession();
  const before = await client.functions.invoke(NAME, {
    body: { interview_result_id: SEED.submitted },
  });
  assert.equal(before.error, null);
  const { error } = await client.auth.signOut();
  assert.equal(error, null);
  // Another tab, or a server the page handed the token to, still holds it.
  const other = createClient(stack.SUPABASE_URL, apiKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  other.functions.setAuth(data.session!.access_token);
  const body = await httpError(
    await other.functions.invoke(NAME, { body: { interview_result_id: SEED.submitted } }),
    401,
  );
  assert.match(body.error, /session has ended/);
});
