-- Shape: every contract key present, transcript ordered, views drop exactly their fields and
-- never read what they drop, bad views are refused.
begin;
select tests.create_world();
select plan(13);

select set_eq(
  $$ select json_object_keys(tests.rpc_as('admin', tests.uid('submitted'))) $$,
  array['score', 'score_simulation', 'score_text', 'score_sentiment', 'score_words_per_minute',
    'score_pronunciation', 'score_answer', 'status', 'start', 'end', 'duration',
    'ai_interview_coverage_percentage', 'ai_completion_reason', 'ai_analysis',
    'ai_analysis_recruiter', 'ai_analysis_other', 'ai_analysis_recruiter_why_hire',
    'ai_analysis_recruiter_why_not_hire', 'recruiter_risks', 'user_feedback_recruiter',
    'recording_local_path', 'recording_is_video', 'video_introduction_local_path', 'transcript'],
  'the document has every contract field');

select set_eq(
  $$ select json_object_keys(tests.rpc_as('admin', tests.uid('submitted')) -> 'transcript' -> 0) $$,
  array['id', 'is_answer', 'view', 'question_original_id', 'question_original', 'question_asked',
    'answer', 'ai_analysis', 'ai_analysis_recruiter', 'score', 'score_simulation',
    'score_answer_ai', 'score_answer_ai_simulation', 'duration', 'mojito_language_code',
    'answer_assessment_raw_data', 'recording_local_path', 'recording_is_video', 'external_data',
    'external_id'],
  'full items have every contract field');

select set_eq(
  $$ select json_object_keys(tests.rpc_as('admin', tests.uid('submitted'), 'standard') -> 'transcript' -> 0) $$,
  array['id', 'is_answer', 'view', 'question_original_id', 'question_original', 'question_asked',
    'answer', 'ai_analysis', 'ai_analysis_recruiter', 'score', 'score_simulation',
    'score_answer_ai', 'score_answer_ai_simulation', 'duration', 'mojito_language_code',
    'recording_local_path', 'recording_is_video', 'external_id'],
  'standard items drop answer_assessment_raw_data and external_data');

select set_eq(
  $$ select json_object_keys(tests.rpc_as('admin', tests.uid('submitted'), 'summary') -> 'transcript' -> 0) $$,
  array['id', 'is_answer', 'view', 'question_original_id', 'question_asked', 'answer', 'score',
    'score_simulation', 'score_answer_ai', 'score_answer_ai_simulation', 'duration',
    'mojito_language_code'],
  'summary items also drop the analyses, external_id, question_original and the recording');

select is(
  array(select (i ->> 'id')::uuid from json_array_elements(tests.rpc_as('admin', tests.uid('submitted')) -> 'transcript') i),
  array[tests.uid('submitted:1'), tests.uid('submitted:2'), tests.uid('submitted:3'), tests.uid('submitted:4')],
  'the transcript is ordered by position');

select is(tests.rpc_as('admin', tests.uid('submitted')) -> 'transcript' -> 0 ->> 'question_original',
  'Original question?', 'question_original comes from the definition');
select is(tests.rpc_as('admin', tests.uid('submitted')) -> 'transcript' -> 2 ->> 'question_original_id', null,
  'follow-up questions have no question_original_id');
select is(tests.rpc_as('candidate', tests.uid('submitted')) -> 'transcript' -> 0 ->> 'question_original',
  'Original question?', 'the candidate reads question_original too');

delete from public.interview_result_questions where interview_result_id = tests.uid('others');
select is((tests.rpc_as('admin', tests.uid('others')) -> 'transcript')::text, '[]',
  'an empty transcript is an empty array');

select throws_ok(format('select public.interview_transcript(%L, %L)', tests.uid('submitted'), 'everything'),
  '22023', 'Invalid view ''everything''', 'an unknown view is refused with a clear error');
select throws_ok(format('select public.interview_transcript(%L, null)', tests.uid('submitted')),
  '22023', null, 'a null view is refused');

-- The raw data is TOASTed out of line; the standard view must not fetch a single TOAST block.
create temp table toast_reads (view text, blocks bigint) on commit drop;
create function pg_temp.toast_blocks() returns bigint language sql as $$
  select pg_stat_get_xact_blocks_fetched(c.reltoastrelid)
  from pg_class c where c.oid = 'public.interview_result_questions'::regclass
$$;
insert into toast_reads select 'before', pg_temp.toast_blocks();
select tests.rpc_as('admin', tests.uid('submitted'), 'standard') is not null;
insert into toast_reads select 'standard', pg_temp.toast_blocks();
select tests.rpc_as('admin', tests.uid('submitted'), 'full') is not null;
insert into toast_reads select 'full', pg_temp.toast_blocks();

select is((select blocks from toast_reads where view = 'standard') - (select blocks from toast_reads where view = 'before'),
  0::bigint, 'the standard view reads no raw data from disk');
select cmp_ok((select blocks from toast_reads where view = 'full') - (select blocks from toast_reads where view = 'standard'),
  '>', 0::bigint, 'the full view does read it (the check above can fail)');

select * from finish();
rollback;
