-- json keeps what Postgres can't take apart: \u0000 and lone surrogates (json_each() refuses them
-- in keys, ->> and #>> anywhere) and values nested past the stack. Wherever they sit, in a place
-- the candidate is shown or not, the read answers: never an error. What can be read is shown with
-- U+FFFD in place of the escape; a value that can't be taken apart at all isn't shown.
begin;
select tests.create_world();
select plan(7);

update public.interview_results set ai_analysis_other = (
  '{"takeaways": {"what_went_well": ["nul \u0000 here", "lone \ud800"], "k\u0000": "hidden key", '
  || '"fixed": ["Posture"]}, "score_rationale": {"bracket": "60-74"}}')::json
where id = tests.uid('submitted');
update public.interview_result_questions
set answer_assessment_raw_data = '{"model": "m", "_omitted": ["assemblyai", "nul \u0000"], "proctor\u0000": 1}'
where id = tests.uid('submitted:2');

select is((tests.rpc_as('candidate', tests.uid('submitted')) -> 'ai_analysis_other')::jsonb,
  jsonb_build_object('takeaways', jsonb_build_object(
      'what_went_well', jsonb_build_array('nul ' || chr(65533) || ' here', 'lone ' || chr(65533)),
      'fixed', jsonb_build_array('Posture')),
    'score_rationale', '{"bracket": "60-74"}'::jsonb),
  'escapes in a shown list and in an unnamed key: read with U+FFFD, the unnamed key hidden');
select is((tests.rpc_as('candidate', tests.uid('submitted'), 'full') -> 'transcript' -> 1 -> 'answer_assessment_raw_data')::jsonb,
  '{"model": "m", "_omitted": ["assemblyai"]}'::jsonb,
  'a name in _omitted that can''t be read names nothing the candidate may see');
select ok(strpos(tests.rpc_as('mid_recruiter', tests.uid('submitted'))::text, '"k\u0000": "hidden key"') > 0,
  'a reviewer gets the value as stored');

-- Nested past what the filter's recursion can walk, inside a place the candidate is shown.
update public.interview_results set ai_analysis_other = (
  '{"takeaways": {"fixed": ' || repeat('[', 5000) || '"deep"' || repeat(']', 5000) || '}}')::json
where id = tests.uid('submitted');
select is((tests.rpc_as('candidate', tests.uid('submitted')) -> 'ai_analysis_other')::text, 'null',
  'a value nested 5,000 deep in a shown place: not shown, and the read answers');
select is(tests.rpc_as('candidate', tests.uid('submitted')) ->> 'score', '75',
  'the rest of the document is there');
select is(json_array_length(tests.rpc_as('candidate', tests.uid('submitted'), 'full') -> 'transcript'), 4,
  'with its transcript');
select ok(strpos(tests.rpc_as('admin', tests.uid('submitted'))::text, repeat('[', 5000)) > 0,
  'a reviewer gets it as stored');

select * from finish();
rollback;
