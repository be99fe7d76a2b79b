-- The candidate reads their own result without the recruiter-only data; reviewers get all of it.
begin;
select tests.create_world();
select plan(19);

create temp table doc on commit drop as
select tests.rpc_as('candidate', tests.uid('submitted')) as candidate,
  tests.rpc_as('candidate', tests.uid('unsubmitted')) as candidate_unsubmitted,
  tests.rpc_as('mid_recruiter', tests.uid('submitted')) as recruiter;

select is((select candidate ->> k from doc), null,
  format('the candidate gets %s nulled', k))
from unnest(array['ai_analysis_recruiter', 'ai_analysis_recruiter_why_hire',
  'ai_analysis_recruiter_why_not_hire', 'recruiter_risks', 'user_feedback_recruiter']) k;

select ok((select candidate::jsonb ?& array['ai_analysis_recruiter', 'recruiter_risks'] from doc),
  'redacted keys stay present');
select is((select json_typeof(candidate -> 'ai_analysis_other' -> 'hiring_reasons') from doc), 'null',
  'the candidate gets hiring_reasons as null, the key kept');
select is((select array(select json_object_keys(candidate -> 'ai_analysis_other')) from doc),
  (select array(select json_object_keys(recruiter -> 'ai_analysis_other')) from doc),
  'the candidate''s ai_analysis_other has the same keys in the same order');
select is((select candidate -> 'ai_analysis_other' -> 'takeaways' ->> 'what_went_well' from doc), '["c"]',
  'the candidate keeps the other analyses');
select is((select count(*) from doc, json_array_elements(candidate -> 'transcript') i
  where i ->> 'ai_analysis_recruiter' is not null), 0::bigint,
  'the candidate gets no item''s ai_analysis_recruiter');
select is((select candidate ->> 'ai_analysis' from doc), 'for the candidate',
  'the candidate keeps the candidate-facing analysis');
select is((select candidate_unsubmitted ->> 'ai_analysis_recruiter' from doc), null,
  'redaction applies to unsubmitted results too');

select is((select recruiter ->> 'ai_analysis_recruiter' from doc), 'for the recruiter',
  'a reviewer gets ai_analysis_recruiter');
select is((select recruiter -> 'ai_analysis_other' -> 'hiring_reasons' ->> 'reasons_to_hire' from doc), '["a"]',
  'a reviewer gets hiring_reasons');
select is((select count(*) from doc, json_array_elements(recruiter -> 'transcript') i
  where i ->> 'ai_analysis_recruiter' is not null), 4::bigint,
  'a reviewer gets every item''s ai_analysis_recruiter');

-- Proctoring signals: what recruiter_risks is computed from stays out of the candidate's raw data.
select is((select count(*) from doc, json_array_elements(candidate -> 'transcript') i,
    json_array_elements(case json_typeof(i -> 'answer_assessment_raw_data')
      when 'array' then i -> 'answer_assessment_raw_data' else json_build_array(i -> 'answer_assessment_raw_data') end) raw
  where json_typeof(raw) = 'object' and raw::jsonb ?| private.proctoring_keys()), 0::bigint,
  'the candidate''s raw data carries no proctoring key, in either form');
select is((select array(select json_object_keys(candidate -> 'transcript' -> 0 -> 'answer_assessment_raw_data')) from doc),
  array['model', 'voice', 'stt_reliability', 'assemblyai'],
  'the candidate keeps the speech analysis, in its order');
select is((select candidate -> 'transcript' -> 3 -> 'answer_assessment_raw_data' -> 0 from doc)::text, 'null',
  'the older [null, {...}] form stays an array for the candidate');
select ok((select recruiter -> 'transcript' -> 0 -> 'answer_assessment_raw_data' ->> 'reading_stats' from doc) is not null,
  'a reviewer gets the proctoring signals');

select * from finish();
rollback;
