// Access records end to end: the function over the real stack, the records read back from
// Postgres. Exactly one per 200 (GET and POST, each view, signed and unsigned), naming the reader
// as Postgres verified them (user id, session id, capacity); none for a 401, 404, 422 or 5xx;
// through the replica path, the record on the primary; with the primary refusing the records'
// writes, unsigned reads still answer and every record reaches the function's log whole, signed
// reads answer a 500 without links, and the logged records, replayed, land in the table.
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import postgres from "postgres";
import { type FunctionProcess, startFunction } from "../../tools/local-stack/function_process.ts";
import { startReplica } from "../../tools/local-stack/replica.ts";
import { SEED, serviceKey, signIn, stack } from "../support/stack.ts";
import { startProxy } from "../support/upstream_proxy.ts";

const db = postgres(stack.SUPABASE_DB_URL, { max: 2, onnotice: () => {} });
const TTL = 3600;

/** The seed's user ids and merchants (supabase/seed.sql). */
const USERS = {
  admin: "00000000-0000-4000-8000-000000000001",
  acmeOwner: "00000000-0000-4000-8000-000000000011",
  acmeRecruiter: "00000000-0000-4000-8000-000000000012",
  emeaRecruiter: "00000000-0000-4000-8000-000000000021",
  alice: "00000000-0000-4000-8000-000000000101",
  bob: "00000000-0000-4000-8000-000000000102",
};
const ACME = "10000000-0000-4000-8000-000000000001";
const ACME_EMEA = "10000000-0000-4000-8000-000000000002";
/** The submitted result's recordings: the session, the introduction, answers 2, 4, 6, 8, 10. */
const SUBMITTED_RECORDINGS = 7;

type Row = {
  id: string;
  interview_result_id: string;
  reader_kind: string;
  reader_role: string | null;
  reader_user_id: string | null;
  reader_session_id: string | null;
  reader_merchant_id: string | null;
  merchant_id: string | null;
  view: string;
  recordings_signed: number;
  links_expire_in: number | null;
  request_id: string;
  origin: string | null;
  replayed: boolean;
};

/** The records written for a request id, read as the database owner. */
async function recordsOf(requestId: string): Promise<Row[]> {
  return [
    ...await db<Row[]>`
    select id, interview_result_id, reader_kind, reader_role, reader_user_id,
      reader_session_id, reader_merchant_id, merchant_id, view, recordings_signed,
      -- The links' end is the read's time rounded up to the second, plus their lifetime.
      floor(extract(epoch from recordings_valid_until - accessed_at))::int as links_expire_in,
      request_id, origin, replayed
    from private.interview_access_log where request_id = ${requestId}`,
  ];
}

/** The records of `requestId` once one has come (an unsigned read's is written after it). */
async function awaitRecords(requestId: string, ms = 5000): Promise<Row[]> {
  const give = Date.now() + ms;
  let rows = await recordsOf(requestId);
  while (rows.length === 0 && Date.now() < give) {
    await new Promise((r) => setTimeout(r, 20));
    rows = await recordsOf(requestId);
  }
  // A second record would come as fast as the first: give it as long before counting.
  await new Promise((r) => setTimeout(r, 200));
  return await recordsOf(requestId);
}

/** No record for `requestId`, a moment after its answer (a record comes within milliseconds). */
async function assertNone(requestId: string, label: string) {
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(await recordsOf(requestId), [], `${label}: no record`);
}

/** A token's claims (the token is Auth's own: this reads what it says, it doesn't verify). */
function claimsOf(token: string): Record<string, unknown> {
  const part = token.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
  return JSON.parse(atob(part));
}

const requestId = (tag: string) => `acc-${tag}-${crypto.randomUUID().slice(0, 8)}`;

/** One read of the details endpoint: GET with a query, or POST with a JSON body. */
async function read(
  base: string,
  credential: { token?: string; apikey?: string },
  input: { id: string; view?: string; signed?: boolean; method?: "GET" | "POST" },
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const h: Record<string, string> = { ...headers };
  if (credential.token) h.authorization = `Bearer ${credential.token}`;
  if (credential.apikey) h.apikey = credential.apikey;
  const fields = {
    interview_result_id: input.id,
    view: input.view ?? "full",
    get_signed_recordings: String(input.signed ?? false),
  };
  let res: Response;
  if (input.method === "POST") {
    h["content-type"] = "application/json";
    const body = { ...fields, get_signed_recordings: input.signed ?? false };
    res = await fetch(base, { method: "POST", headers: h, body: JSON.stringify(body) });
  } else {
    res = await fetch(`${base}?${new URLSearchParams(fields)}`, { headers: h });
  }
  return { status: res.status, text: await res.text() };
}

type Reader = {
  name: string;
  credential: () => Promise<{ token?: string; apikey?: string }>;
  /** Who the record must name, as Postgres verified them. */
  expect: (
    token?: string,
  ) => Pick<Row, "reader_kind" | "reader_role" | "reader_user_id" | "reader_session_id">;
  merchant: string | null;
};

const user = (email: string) => async () => ({ token: await signIn(email) });
const session = (token?: string) => (token ? String(claimsOf(token).session_id) : null);

const readers: Reader[] = [
  {
    name: "the candidate",
    credential: user(SEED.users.alice),
    expect: (t) => ({
      reader_kind: "candidate",
      reader_role: null,
      reader_user_id: USERS.alice,
      reader_session_id: session(t),
    }),
    merchant: null,
  },
  {
    name: "a recruiter of the parent merchant",
    credential: user(SEED.users.acmeRecruiter),
    expect: (t) => ({
      reader_kind: "merchant_member",
      reader_role: "merchant",
      reader_user_id: USERS.acmeRecruiter,
      reader_session_id: session(t),
    }),
    merchant: ACME,
  },
  {
    name: "the merchant's own recruiter",
    credential: user(SEED.users.emeaRecruiter),
    expect: (t) => ({
      reader_kind: "merchant_member",
      reader_role: "merchant",
      reader_user_id: USERS.emeaRecruiter,
      reader_session_id: session(t),
    }),
    merchant: ACME_EMEA,
  },
  {
    name: "a platform admin",
    credential: user(SEED.users.admin),
    expect: (t) => ({
      reader_kind: "platform_admin",
      reader_role: null,
      reader_user_id: USERS.admin,
      reader_session_id: session(t),
    }),
    merchant: null,
  },
  {
    name: "a server key",
    credential: () => Promise.resolve({ apikey: serviceKey }),
    expect: () => ({
      reader_kind: "server",
      reader_role: null,
      reader_user_id: null,
      reader_session_id: null,
    }),
    merchant: null,
  },
];

const VIEWS = ["full", "condensed", "standard", "summary"];

for (const reader of readers) {
  Deno.test(`${reader.name}: exactly one record per 200, GET and POST, each view, signed and unsigned`, async () => {
    const credential = await reader.credential();
    for (const method of ["GET", "POST"] as const) {
      for (const view of VIEWS) {
        for (const signed of [false, true]) {
          const label = `${method} ${view} ${signed ? "signed" : "unsigned"}`;
          const id = requestId("one");
          const origin = "https://app.jobmojito.test";
          const res = await read(stack.FUNCTION_URL, credential, {
            id: SEED.submitted,
            view,
            signed,
            method,
          }, { "x-request-id": id, origin });
          assert.equal(res.status, 200, `${label}: ${res.text}`);
          const rows = await awaitRecords(id);
          assert.equal(rows.length, 1, `${label}: one record`);
          const [row] = rows;
          assert.deepEqual(
            {
              reader_kind: row.reader_kind,
              reader_role: row.reader_role,
              reader_user_id: row.reader_user_id,
              reader_session_id: row.reader_session_id,
            },
            reader.expect(credential.token),
            label,
          );
          assert.equal(row.reader_merchant_id, reader.merchant, label);
          assert.equal(row.interview_result_id, SEED.submitted, label);
          assert.equal(row.merchant_id, ACME_EMEA, label);
          assert.equal(row.view, view, label);
          assert.equal(row.origin, origin, label);
          assert.equal(row.replayed, false, label);
          if (!signed) {
            assert.deepEqual([row.recordings_signed, row.links_expire_in], [0, null], label);
          } else {
            const doc = JSON.parse(res.text);
            const links = [doc.recording_url, doc.video_introduction_url]
              .concat(
                (doc.transcript ?? []).map((i: { recording_url?: string }) => i.recording_url),
              )
              .filter((u) => typeof u === "string");
            // Every link handed out is counted; a path without an object is counted, unlinked.
            assert.ok(row.recordings_signed >= links.length, `${label}: ${row.recordings_signed}`);
            if (view === "full" && reader.expect().reader_kind !== "candidate") {
              assert.equal(row.recordings_signed, SUBMITTED_RECORDINGS, label);
            }
            if (row.recordings_signed > 0) assert.equal(row.links_expire_in, TTL, label);
          }
        }
      }
    }
  });
}

Deno.test("answers that disclose nothing leave no record, nor ask for one: 401, 404, 422, 5xx", async () => {
  const recruiter = await signIn(SEED.users.acmeRecruiter);
  const outsider = await signIn(SEED.users.outsider);
  const forged = await forgedToken(USERS.bob);
  // The function behind a proxy that counts its upstream requests, and can fail the read.
  const proxy = startProxy();
  const fn = await startFunction(stack, { SUPABASE_URL: proxy.url });
  const cases: [string, number, { token?: string }, { id: string; view?: string }][] = [
    ["no credential", 401, {}, { id: SEED.submitted }],
    ["a forged token", 401, { token: forged }, { id: SEED.submitted }],
    ["a missing result", 404, { token: recruiter }, { id: SEED.missing }],
    ["a result the caller may not see", 404, { token: outsider }, { id: SEED.submitted }],
    ["an invalid view", 422, { token: recruiter }, { id: SEED.submitted, view: "everything" }],
    ["the read failing (PostgREST 500)", 500, { token: recruiter }, { id: SEED.submitted }],
  ];
  try {
    for (const [label, status, credential, input] of cases) {
      proxy.faults.rest = status === 500 ? { kind: "status", status: 500 } : { kind: "none" };
      for (const signed of [false, true]) {
        const id = requestId("none");
        const res = await read(fn.url, credential, { ...input, signed }, { "x-request-id": id });
        assert.equal(res.status, status, label);
        await assertNone(id, label);
      }
    }
    assert.deepEqual(
      proxy.requests.filter((r) => r.includes("record_interview_access")),
      [],
      "no record asked for",
    );
  } finally {
    await fn.stop();
    await proxy.stop();
  }
});

/** A token shaped as Auth's for `sub`, signed with a key the project doesn't have. */
function forgedToken(sub: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    sub,
    role: "authenticated",
    aud: "authenticated",
    session_id: crypto.randomUUID(),
    iat: now,
    exp: now + 3600,
  }).setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode("not-the-project-secret-not-the-project-secret"));
}

Deno.test("signing that fails after the record: a 500 without links, the record, and the log line naming it", async () => {
  const proxy = startProxy();
  const fn = await startFunction(stack, { SUPABASE_URL: proxy.url });
  try {
    proxy.faults.storage = { kind: "status", status: 503 };
    const id = requestId("edge");
    const res = await read(fn.url, { token: await signIn(SEED.users.admin) }, {
      id: SEED.submitted,
      signed: true,
    }, { "x-request-id": id });
    assert.equal(res.status, 500);
    assert.ok(!res.text.includes("token="));
    const rows = await awaitRecords(id);
    assert.equal(rows.length, 1, "the record was written before the signing failed");
    assert.equal(rows[0].recordings_signed, SUBMITTED_RECORDINGS);
    await new Promise((r) => setTimeout(r, 100));
    const line = fn.lines().map((l) => JSON.parse(l.line)).find((l) => l.request_id === id);
    assert.equal(line?.record_id, rows[0].id, "the 500's line names the record");
    assert.equal(line?.links_withheld, true);
  } finally {
    await fn.stop();
    await proxy.stop();
  }
});

Deno.test({
  name: "through the replica path: read on the replica, the record on the primary",
  ignore: stack.STACK_PG_MAJOR === "17" || !stack.STACK_DB_DIR,
  fn: async () => {
    const token = await signIn(SEED.users.emeaRecruiter);
    const replica = await startReplica(stack);
    const fn = await startFunction(stack, { API_READ_URL: replica.url });
    try {
      for (const signed of [false, true]) {
        const id = requestId("replica");
        const before = replica.rpcReads();
        const res = await read(fn.url, { token }, { id: SEED.submitted, signed }, {
          "x-request-id": id,
        });
        assert.equal(res.status, 200);
        assert.equal(replica.rpcReads(), before + 1, "read on the replica");
        const rows = await awaitRecords(id);
        assert.equal(rows.length, 1, `signed ${signed}: one record, on the primary`);
        assert.equal(rows[0].reader_user_id, USERS.emeaRecruiter);
      }
    } finally {
      await fn.stop();
      await replica.stop();
    }
  },
});

/** Every record the function logged as unwritten, in the order logged. */
function loggedRecords(fn: FunctionProcess): Record<string, unknown>[] {
  return fn.lines().flatMap(({ line }) => {
    if (!line.startsWith("{")) return [];
    const parsed = JSON.parse(line);
    if (parsed.event !== "access_record_unwritten") return [];
    return parsed.records ?? [parsed.record];
  });
}

Deno.test("with the primary refusing the records' writes: documents still answer and every record reaches the log whole; signed reads get no links; the log replays into the table", async () => {
  // The fault: inserts into the access log refused as a read-only primary refuses them.
  await db.unsafe(`
    create or replace function private.test_refuse_access_record() returns trigger
    language plpgsql as $$ begin
      raise exception 'cannot execute INSERT in a read-only transaction' using errcode = '25006';
    end $$;
    create trigger test_refuse_access_record before insert on private.interview_access_log
      for each row execute function private.test_refuse_access_record();`);
  const fn = await startFunction(stack);
  const refused = async () => {
    await db.unsafe(`drop trigger if exists test_refuse_access_record
      on private.interview_access_log; drop function if exists private.test_refuse_access_record()`);
  };
  try {
    const alice = await signIn(SEED.users.alice);
    const recruiter = await signIn(SEED.users.acmeRecruiter);
    const forged = await forgedToken(USERS.bob);
    const sent: { id: string; sub: string; token: string; view: string }[] = [];
    for (let i = 0; i < 30; i++) {
      const [sub, token] = i % 2 ? [USERS.alice, alice] : [USERS.acmeRecruiter, recruiter];
      const view = VIEWS[i % 4];
      const id = requestId(`ro${i}`);
      const res = await read(fn.url, { token }, { id: SEED.submitted, view }, {
        "x-request-id": id,
      });
      assert.equal(res.status, 200, "the document still answers");
      sent.push({ id, sub, token, view });
      // A forged token's claims never reach the log as its victim, written or not.
      const denied = await read(fn.url, { token: forged }, { id: SEED.submitted });
      assert.equal(denied.status, 401);
    }
    const signedId = requestId("ro-signed");
    const signed = await read(fn.url, { token: recruiter }, { id: SEED.submitted, signed: true }, {
      "x-request-id": signedId,
    });
    assert.equal(signed.status, 500);
    assert.match(signed.text, /the record step failed/);
    assert.ok(!signed.text.includes("token="), "no links");

    // Every record, whole, in the log (lines are batched: up to a second).
    const give = Date.now() + 10_000;
    while (loggedRecords(fn).length < sent.length && Date.now() < give) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const logged = loggedRecords(fn);
    assert.equal(logged.length, sent.length, "every record in the log, once");
    for (const s of sent) {
      const record = logged.find((r) => r.request_id === s.id) as Record<string, unknown>;
      assert.ok(record, s.id);
      const { at, ...rest } = record;
      assert.ok(!Number.isNaN(Date.parse(String(at))));
      assert.deepEqual(rest, {
        interview_result_id: SEED.submitted,
        view: s.view,
        recordings_signed: 0,
        links_expire_in: null,
        request_id: s.id,
        origin: null,
        reader: { sub: s.sub, session_id: session(s.token), role: "authenticated" },
      });
    }
    assert.ok(!fn.logs().includes(USERS.bob), "the forged token's victim is named nowhere");
    for (const s of sent) assert.deepEqual(await recordsOf(s.id), [], "none was written");

    // The primary takes writes again: the logged records, replayed, land.
    await refused();
    // As an operator would: the records from the log, as JSON, into the replay function.
    const outcomes = await db<{ request_id: string; outcome: string }[]>`
      select * from private.replay_interview_access(${db.json(logged as postgres.JSONValue)})`;
    assert.deepEqual(
      outcomes.map((o) => [o.request_id, o.outcome]).sort(),
      sent.map((s) => [s.id, "written"]).sort(),
    );
    for (const s of sent) {
      const rows = await recordsOf(s.id);
      assert.equal(rows.length, 1, `${s.id}: replayed once`);
      assert.equal(rows[0].replayed, true);
      assert.equal(rows[0].reader_user_id, s.sub);
      assert.equal(rows[0].reader_session_id, session(s.token));
      assert.equal(rows[0].view, s.view);
    }
    assert.deepEqual(await recordsOf(signedId), [], "the refused signed read left none");
  } finally {
    await refused();
    await fn.stop();
  }
});

Deno.test({
  name: "teardown: close the database connection",
  fn: () => db.end(),
  sanitizeOps: false,
  sanitizeResources: false,
});
