-- The candidate reads their own result without the recruiter-only data; reviewers get all of it.
begin;
select tests.create_world();
select plan(14);

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
select is((select candidate -> 'ai_analysis_other' ->> 'hiring_reasons' from doc), null,
  'the candidate does not get hiring_reasons');
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

select * from finish();
rollback;
