-- One batch of the backfill of rows whose condensed copy is missing (rows written before the
-- column existed): the next p_limit rows by id after p_after (an index range scan, so a run never
-- rescans what it has passed), those missing a copy filled by the trigger (writing the column is
-- how it asks). A row a writer holds is skipped: its writer fills it if it writes the raw data,
-- and a later run otherwise. Returns how many it filled and the last id it looked at (null when
-- done). Run it in a loop, each call its own transaction, never inside a migration:
-- `npm run backfill:condensed` (tools/backfill/condensed.ts), which ends by counting the rows
-- still missing their copy, or docs/database.md for the same loop with the CLI alone.
create function private.backfill_answer_assessment_condensed(
  p_after uuid default null,
  p_limit integer default 500,
  out filled integer,
  out last_id uuid
)
language plpgsql volatile security definer
set search_path = ''
as $$
begin
  select max(q.id::text)::uuid into last_id
  from (
    select i.id from public.interview_result_questions i
    where p_after is null or i.id > p_after
    order by i.id
    limit p_limit
  ) q;
  with batch as (
    select i.id from public.interview_result_questions i
    where (p_after is null or i.id > p_after) and i.id <= last_id
      and i.answer_assessment_condensed is null and i.answer_assessment_raw_data is not null
    for update skip locked
  )
  update public.interview_result_questions i set answer_assessment_condensed = null
  from batch where i.id = batch.id;
  get diagnostics filled = row_count;
end;
$$;
