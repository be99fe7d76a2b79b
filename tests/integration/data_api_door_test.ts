// The Data API is no second door: a candidate reading the tables as PostgREST serves them
// (GET /rest/v1/<table>?select=..., the way supabase-js `from(table).select()` asks) is refused
// every table, and so is a reviewer, an admin and anon: only the RPC answers them. The service role
// (writers) reads them. PostgREST's answers and errors as PostgREST gives them, version by version
// (STACK_POSTGREST_VERSION: 16, the CLI's, unless the stack says 14).
import assert from "node:assert/strict";
import { apiKey, SEED, serviceHeaders, signIn, stack } from "../support/stack.ts";

/** Each table, with one of its columns. */
const TABLES: [string, string][] = [
  ["merchants", "id"],
  ["merchant_members", "merchant_id"],
  ["platform_admins", "user_id"],
  ["interview_defs", "id"],
  ["interview_def_questions", "id"],
  ["interview_results", "id"],
  ["interview_result_questions", "id"],
];

/** PostgREST 16 adds Vary to its successful answers; 14 sends none (App.hs). */
const VARY = (stack.STACK_POSTGREST_VERSION || "16") === "14" ? null : "Accept, Prefer, Range";

async function select(table: string, headers: Record<string, string>, query = "select=*") {
  const res = await fetch(`${stack.SUPABASE_URL}/rest/v1/${table}?${query}`, { headers });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

Deno.test("a candidate reading interview_results?select=* with her own token → 403 42501, not her recruiter data", async () => {
  const alice = { apikey: apiKey, authorization: `Bearer ${await signIn(SEED.users.alice)}` };
  const res = await select("interview_results", alice, `select=*&id=eq.${SEED.submitted}`);
  assert.equal(res.status, 403);
  assert.equal(res.body.code, "42501");
  assert.deepEqual(Object.keys(res.body).sort(), ["code", "details", "hint", "message"]);
  assert.ok(!JSON.stringify(res.body).includes("Invite to the technical round"));
});

Deno.test("every caller kind is refused every table; anon with 401, a signed-in user with 403", async () => {
  const callers: [string, Record<string, string>, number][] = [
    ["anon (the publishable or anon key alone)", { apikey: apiKey }, 401],
  ];
  for (
    const email of [
      SEED.users.alice,
      SEED.users.bob,
      SEED.users.emeaRecruiter,
      SEED.users.admin,
      SEED.users.outsider,
    ]
  ) {
    callers.push([email, { apikey: apiKey, authorization: `Bearer ${await signIn(email)}` }, 403]);
  }
  for (const [name, headers, status] of callers) {
    for (const [table, column] of TABLES) {
      for (const query of ["select=*", `select=${column}`, `select=*&limit=1`]) {
        const res = await select(table, headers, query);
        assert.equal(
          res.status,
          status,
          `${name} on ${table}?${query}: ${JSON.stringify(res.body)}`,
        );
        assert.equal(res.body.code, "42501", `${name} on ${table}`);
      }
    }
  }
});

Deno.test("the service role reads the tables (the writers' door), with PostgREST's framing", async () => {
  const res = await select(
    "interview_results",
    serviceHeaders,
    `select=id,coach_status&id=eq.${SEED.submitted}`,
  );
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, [{ id: SEED.submitted, coach_status: "completed" }]);
  assert.equal(res.headers.get("content-range"), "0-0/*");
  assert.equal(res.headers.get("vary"), VARY, "PostgREST 16's Vary, none from 14");
});

Deno.test("PostgREST's errors: an unknown table 404 PGRST205, an unknown column 400 42703, a filter Postgres refuses 404 42883, one that doesn't parse 400 PGRST100", async () => {
  const missing = await select("no_such_table", serviceHeaders);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, "PGRST205");
  assert.match(
    missing.body.message,
    /Could not find the table 'public.no_such_table' in the schema cache/,
  );
  const column = await select("interview_results", serviceHeaders, "select=nope");
  assert.deepEqual([column.status, column.body.code], [400, "42703"]);
  // `like` is an operator PostgREST knows; it sends the value untyped and Postgres has no
  // uuid ~~ unknown: its 42883 is PostgREST's 404.
  const like = await select("interview_results", serviceHeaders, "select=id&id=like.x");
  assert.deepEqual([like.status, like.body.code], [404, "42883"]);
  const filter = await select("interview_results", serviceHeaders, "select=id&id=nosuchop.x");
  assert.deepEqual([filter.status, filter.body.code], [400, "PGRST100"]);
});

Deno.test("PostgREST 16 answers the RPC with Vary: Accept, Prefer, Range too (14: no Vary)", async () => {
  const res = await fetch(
    `${stack.SUPABASE_URL}/rest/v1/rpc/interview_transcript?p_interview_result_id=${SEED.submitted}&p_view=summary`,
    { headers: { apikey: apiKey, authorization: `Bearer ${await signIn(SEED.users.admin)}` } },
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("vary"), VARY);
  await res.body?.cancel();
});
