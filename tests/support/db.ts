/**
 * Results made for one test, straight in the stack's database (SUPABASE_DB_URL), removed after:
 * a submitted interview of Acme EMEA's Sales Engineer definition, with the answers' recording
 * paths given. Tests that need it are skipped where the database is not reachable.
 */
import postgres from "postgres";
import { stack } from "./stack.ts";

const DEF = "20000000-0000-4000-8000-000000000001";
const MERCHANT = "10000000-0000-4000-8000-000000000002";
const CANDIDATE = "00000000-0000-4000-8000-000000000102";

export const hasDatabase = Boolean(stack.SUPABASE_DB_URL);

/** Where a result's recordings live: the RPC returns no path outside it (JobMojito's layout). */
export const resultFolder = (id: string) => `${MERCHANT}/${id}/`;

export async function withResult<T>(
  answers: { recording: string | null; raw?: unknown }[],
  fn: (id: string, db: postgres.Sql) => Promise<T>,
  options: { objects?: boolean; id?: string } = {},
): Promise<T> {
  const db = postgres(stack.SUPABASE_DB_URL, { max: 1, onnotice: () => {} });
  const id = options.id ?? crypto.randomUUID();
  const rows = JSON.stringify(answers.map((a, i) => ({ ...a, position: i + 1 })));
  try {
    await db`insert into public.interview_results (id, interview_def_id, merchant_id, candidate_id,
      coach_status, submitted_at, score)
      values (${id}, ${DEF}, ${MERCHANT}, ${CANDIDATE}, 'completed', now(), 70)`;
    await db`insert into public.interview_result_questions (interview_result_id, position,
      is_answer, answer, answer_assessment_raw_data, recording_local_path, recording_is_video)
      select ${id}, a.position, true, 'answer ' || a.position, a.raw, a.recording, false
      from json_to_recordset(${rows}::text::json)
        as a (position int, recording text, raw json)`;
    if (options.objects) {
      // Rows only: signing looks at storage.objects, not at the bytes.
      await db`insert into storage.objects (bucket_id, name, metadata)
        select 'private-recordings', p, '{"mimetype": "audio/ogg", "size": 1}'::jsonb
        from unnest(${answers.flatMap((a) => a.recording ? [a.recording] : [])}::text[]) p
        on conflict do nothing`;
    }
    return await fn(id, db);
  } finally {
    await db`delete from public.interview_results where id = ${id}`;
    if (options.objects) {
      await db`delete from storage.objects where bucket_id = 'private-recordings'
        and name = any(${answers.flatMap((a) => a.recording ? [a.recording] : [])}::text[])`;
    }
    await db.end();
  }
}
