/**
 * What the database tier's tests share: the RPC as PostgREST calls it, and the documents
 * JobMojito's data must give (fixtures/expected/, written by hand).
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { ROOT } from "../../tools/local-stack/database.ts";
import { run } from "../../tools/local-stack/processes.ts";

export const FIXTURES = `${ROOT}tests/database/fixtures`;

/** A file applied with psql, as an operator (or production's history) would. */
export async function psqlFile(url: string, path: string): Promise<void> {
  await run("psql", [url, "-v", "ON_ERROR_STOP=1", "-q", "-f", path]);
}

/** Connections whose timestamps print in UTC, as the expected documents are written. */
export function connect(url: string, max = 2): postgres.Sql {
  return postgres(url, { max, onnotice: () => {}, connection: { TimeZone: "UTC" } });
}

export const USERS = {
  candidate: "b0000000-0000-4000-8000-000000000101",
  reviewer: "b0000000-0000-4000-8000-000000000021",
  admin: "b0000000-0000-4000-8000-000000000001",
  outsider: "b0000000-0000-4000-8000-000000000041",
} as const;
export const RESULT = "e1000000-0000-4000-8000-000000000001";
export const UNSUBMITTED = "e1000000-0000-4000-8000-000000000002";
export const VIEWS = ["full", "condensed", "standard", "summary"] as const;
export type View = typeof VIEWS[number];

/** The item fields each view leaves out (the contract's views, written here, not read). */
const LEFT_OUT: Record<View, string[]> = {
  full: [],
  condensed: [],
  standard: ["answer_assessment_raw_data", "external_data"],
  summary: [
    "question_original",
    "ai_analysis",
    "ai_analysis_recruiter",
    "answer_assessment_raw_data",
    "recording_local_path",
    "recording_is_video",
    "external_data",
    "external_id",
  ],
};

type Doc = Record<string, unknown> & { transcript: Record<string, unknown>[] };

async function fixture<T>(name: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(`${FIXTURES}/expected/${name}`));
}

/**
 * The document a reader must get: the full one written for them, with the condensed raw data
 * written for them in view=condensed, less the fields the view leaves out.
 */
export async function expectedDocument(reader: "reviewer" | "candidate", view: View) {
  const doc = await fixture<Doc>(`${reader}.json`);
  const condensed = await fixture<Record<string, unknown>>(
    reader === "reviewer" ? "condensed.json" : "candidate-condensed.json",
  );
  for (const item of doc.transcript) {
    if (view === "condensed") item.answer_assessment_raw_data = condensed[item.id as string];
    for (const field of LEFT_OUT[view]) delete item[field];
  }
  return doc;
}

/** The RPC as PostgREST runs it: the caller's role and claims, in a read-only transaction. */
export async function rpcAs(
  sql: postgres.Sql,
  caller: string | "service_role",
  id: string,
  view: View,
): Promise<Doc | null> {
  return await sql.begin("read only", async (tx) => {
    const claims = caller === "service_role"
      ? { role: "service_role" }
      : { sub: caller, role: "authenticated" };
    await tx`select set_config('role', ${claims.role}, true),
      set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    const [row] = await tx`select public.interview_transcript(${id}, ${view})::text as doc`;
    return row.doc === null ? null : JSON.parse(row.doc);
  }) as Doc | null;
}

/** Each answer's stored condensed copy, by item id. */
export async function condensedCopies(sql: postgres.Sql): Promise<Record<string, unknown>> {
  const rows = await sql<{ id: string; copy: string | null }[]>`
    select id::text, answer_assessment_condensed::text as copy
    from public.interview_result_questions where interview_result_id = ${RESULT}`;
  return Object.fromEntries(rows.map((r) => [r.id, r.copy === null ? null : JSON.parse(r.copy)]));
}

/**
 * Every reader and view of JobMojito's data against the documents written for them: the
 * reviewer (a member of the merchant above), an admin and the service role see the reviewer's;
 * the candidate sees theirs; an outsider, and a reviewer on an unsubmitted result, see nothing.
 */
export async function assertDocuments(sql: postgres.Sql, when: string): Promise<void> {
  for (const view of VIEWS) {
    const reviewer = await expectedDocument("reviewer", view);
    for (const caller of [USERS.reviewer, USERS.admin, "service_role"]) {
      assert.deepEqual(
        await rpcAs(sql, caller, RESULT, view),
        reviewer,
        `${when}: ${caller}, ${view}`,
      );
    }
    assert.deepEqual(
      await rpcAs(sql, USERS.candidate, RESULT, view),
      await expectedDocument("candidate", view),
      `${when}: the candidate, ${view}`,
    );
    assert.equal(await rpcAs(sql, USERS.outsider, RESULT, view), null, `${when}: an outsider`);
    assert.equal(
      await rpcAs(sql, USERS.reviewer, UNSUBMITTED, view),
      null,
      `${when}: a reviewer, before submission`,
    );
  }
}
