-- answer_assessment_condensed (view=condensed) is a plain nullable column that this trigger keeps
-- on every write of the raw data, and on any write of the copy itself, which is how the backfill
-- asks for it: the copy is never written by hand. Not a stored generated column: adding one
-- rewrites the table under an ACCESS EXCLUSIVE lock (about 11 minutes per million answers with
-- every transcript read and write blocked); a plain column is added in the catalog alone, and
-- rows written before it are filled afterwards in small batches
-- (0420_backfill_answer_assessment_condensed.sql). Until then the RPC condenses such a row when
-- it reads it. Security definer, so a writer needs no privilege on `private`.
create function private.keep_answer_assessment_condensed() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  new.answer_assessment_condensed :=
    private.condense_answer_assessment(new.answer_assessment_raw_data);
  return new;
end;
$$;

create trigger keep_answer_assessment_condensed
  before insert or update of answer_assessment_raw_data, answer_assessment_condensed
  on public.interview_result_questions
  for each row execute function private.keep_answer_assessment_condensed();

comment on column public.interview_result_questions.answer_assessment_condensed is
  'answer_assessment_raw_data condensed for readers (view=condensed): kept on every write by the trigger keep_answer_assessment_condensed (private.condense_answer_assessment()); null only for rows not yet backfilled (npm run backfill:condensed), which the RPC condenses when read.';
