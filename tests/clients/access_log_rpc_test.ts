// The access log through supabase-js rpc(), as a frontend or an integration calls it (issue 26):
// a record written with the reader's own token names the reader Postgres verified, never one the
// caller passes; the history reads the same by GET ({ get: true }) and by POST, whole for an
// owner of the result's merchant (here: of the merchant above it), with others' user ids and
// request ids hidden for the candidate, and empty for a member who is no owner. Expected readers
// are the seed's ids (supabase/seed.sql), written out.
import assert from "node:assert/strict";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { apiKey, SEED, stack } from "../support/stack.ts";

const USER = {
  acmeOwner: "00000000-0000-4000-8000-000000000011",
  acmeRecruiter: "00000000-0000-4000-8000-000000000012",
  alice: "00000000-0000-4000-8000-000000000101",
};
const ACME = "10000000-0000-4000-8000-000000000001";
const ACME_EMEA = "10000000-0000-4000-8000-000000000002";

function client(): SupabaseClient {
  return createClient(stack.SUPABASE_URL, apiKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
}

async function signedIn(email: string): Promise<SupabaseClient> {
  const c = client();
  const { error } = await c.auth.signInWithPassword({ email, password: "password" });
  if (error) throw error;
  return c;
}

type Row = Record<string, unknown>;

/** rpc('record_interview_access') on the submitted result: an unsigned full read unless told. */
function record(c: SupabaseClient, requestId: string, args: Record<string, unknown> = {}) {
  return c.rpc("record_interview_access", {
    p_interview_result_id: SEED.submitted,
    p_view: "full",
    p_recordings_signed: 0,
    p_links_expire_in: null,
    p_request_id: requestId,
    p_origin: null,
    ...args,
  });
}

/**
 * The result's history as `c` reads it, by GET or by POST, only the records of `ids`: request
 * ids, or the times of records whose request id the caller is not shown.
 */
async function history(c: SupabaseClient, get: boolean, ids: string[]): Promise<Row[]> {
  const { data, error } = await c.rpc(
    "interview_access_log",
    { p_interview_result_id: SEED.submitted },
    { get },
  );
  assert.equal(error, null);
  return (data as Row[]).filter((r) =>
    ids.includes(r.request_id as string) ||
    (r.request_id === null && ids.includes(r.accessed_at as string))
  );
}

const run = crypto.randomUUID().slice(0, 8);
const recruiterRead = `clients-${run}-recruiter`;
const aliceRead = `clients-${run}-alice`;
// The candidate doesn't see others' request ids nor origins: the recruiter's record is found by
// its time, to the microsecond, as its writer's owner reads it.
let recruiterAt = "";
const recruiterOrigin = `https://${run}.ats.example`;

Deno.test("supabase-js: rpc('record_interview_access') writes the record of the reader whose token it carries", async () => {
  const recruiter = await signedIn(SEED.users.acmeRecruiter);
  const { data, error } = await record(recruiter, recruiterRead, {
    p_view: "summary",
    p_recordings_signed: 2,
    p_links_expire_in: 300,
    p_origin: recruiterOrigin,
  });
  assert.equal(error, null);
  assert.match(data as string, /^[0-9a-f-]{36}$/, "the record's id");

  const alice = await signedIn(SEED.users.alice);
  const own = await record(alice, aliceRead);
  assert.equal(own.error, null);

  // Not anyone's to write for a result they may not see: null, nothing written.
  const outsider = await signedIn(SEED.users.outsider);
  const none = await record(outsider, `clients-${run}-outsider`);
  assert.deepEqual([none.data, none.error], [null, null]);

  const owner = await signedIn(SEED.users.acmeOwner);
  recruiterAt = (await history(owner, true, [recruiterRead]))[0].accessed_at as string;
});

Deno.test("supabase-js: an owner of the merchant above reads the whole history, by GET and by POST alike", async () => {
  const owner = await signedIn(SEED.users.acmeOwner);
  const ids = [recruiterRead, aliceRead, `clients-${run}-outsider`];
  const byGet = await history(owner, true, ids);
  const byPost = await history(owner, false, ids);
  assert.deepEqual(byGet, byPost, "GET and POST answer the same");
  const strip = (r: Row): Row => {
    const { accessed_at, recordings_valid_until, ...rest } = r;
    assert.ok(!Number.isNaN(Date.parse(accessed_at as string)));
    return { ...rest, links: recordings_valid_until !== null };
  };
  assert.deepEqual(
    byGet.map(strip).sort((a, b) => String(a.request_id) < String(b.request_id) ? -1 : 1),
    [
      {
        reader_kind: "candidate",
        reader_role: null,
        reader_user_id: USER.alice,
        reader_merchant_id: null,
        merchant_id: ACME_EMEA,
        view: "full",
        recordings_signed: 0,
        links: false,
        request_id: aliceRead,
        origin: null,
        replayed: false,
      },
      {
        reader_kind: "merchant_member",
        reader_role: "merchant",
        reader_user_id: USER.acmeRecruiter,
        reader_merchant_id: ACME,
        merchant_id: ACME_EMEA,
        view: "summary",
        recordings_signed: 2,
        links: true,
        request_id: recruiterRead,
        origin: recruiterOrigin,
        replayed: false,
      },
    ],
  );
  const links = byGet.find((r) => r.request_id === recruiterRead)!;
  const lifetime = (Date.parse(links.recordings_valid_until as string) -
    Date.parse(links.accessed_at as string)) / 1000;
  assert.ok(lifetime >= 300 && lifetime < 301, `the links live 300 s from the read (${lifetime})`);
});

Deno.test("supabase-js: the candidate reads their result's history, others' user ids, request ids and origins hidden", async () => {
  const alice = await signedIn(SEED.users.alice);
  const rows = await history(alice, true, [aliceRead, recruiterAt]);
  assert.deepEqual(
    rows.map((r) => [
      r.reader_kind,
      r.reader_role,
      r.reader_user_id,
      r.reader_merchant_id,
      r.view,
      r.recordings_signed,
      r.request_id,
      r.origin,
    ]).sort(),
    [
      ["candidate", null, USER.alice, null, "full", 0, aliceRead, null],
      ["merchant_member", "merchant", null, ACME, "summary", 2, null, null],
    ],
  );
});

Deno.test("supabase-js: a member who is no owner, and a caller without a session, read nothing", async () => {
  const recruiter = await signedIn(SEED.users.emeaRecruiter);
  const { data, error } = await recruiter.rpc("interview_access_log", {
    p_interview_result_id: SEED.submitted,
  }, { get: true });
  assert.deepEqual([data, error], [[], null]);

  const anon = await client().rpc("interview_access_log", {
    p_interview_result_id: SEED.submitted,
  }, { get: true });
  assert.equal(anon.data, null);
  assert.equal(anon.status, 401);
  assert.equal(anon.error?.code, "42501");
});

Deno.test("supabase-js: a record out of its form is a 400 (22023), nothing written", async () => {
  const recruiter = await signedIn(SEED.users.acmeRecruiter);
  const bad = await record(recruiter, `clients-${run}-bad`, { p_view: "everything" });
  assert.equal(bad.status, 400);
  assert.equal(bad.error?.code, "22023");
  const owner = await signedIn(SEED.users.acmeOwner);
  assert.deepEqual(await history(owner, true, [`clients-${run}-bad`]), []);
});
