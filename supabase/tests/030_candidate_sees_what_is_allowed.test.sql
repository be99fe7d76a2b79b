-- The candidate reading their own result sees a field or key because private.candidate_visibility
-- allows it, in every view; everything else, a key nobody has named yet included, is hidden from
-- them and shown to a reviewer as stored.
begin;
select tests.create_world();

-- Keys nobody has named yet: in ai_analysis_other, in an answer's raw data (one small, one over
-- the condensing limit, so that condensing names it in _omitted) and in external_data.
update public.interview_results
set ai_analysis_other = '{"strengths_concerns": {"strengths": ["a"], "concerns": ["Weak on SQL; reviewer doubts seniority"]}, "takeaways": {"what_went_well": ["c"]}, "score_rationale": {"bracket": "60-74"}, "key_statement": {"quote": "q"}, "multi_department": {"best_fit": "x"}, "not_yet_named": {"note": "for recruiters"}}'
where id = tests.uid('submitted');
update public.interview_result_questions
set answer_assessment_raw_data = json_build_object('model', 'azure', 'not_yet_named', 'small',
    'not_yet_named_large', repeat('z', 5000), 'voice', json_build_array(), 'proctor_status', 'ok'),
  external_data = '{"ats_question_ref": "Q-1", "not_yet_named": 1}'
where id = tests.uid('submitted:2');

create temp table doc on commit drop as
select v.view, tests.rpc_as('candidate', tests.uid('submitted'), v.view) as candidate,
  tests.rpc_as('mid_recruiter', tests.uid('submitted'), v.view) as reviewer
from unnest(array['full', 'condensed', 'standard', 'summary']) v (view);

-- The places the list shows, as (scope, key): a field of the document ('result'), of an item
-- ('transcript_item') or a top-level key of an answer's raw data ('answer_assessment_raw_data').
create temp table allowed on commit drop as
select case when path !~ '\.' then 'result'
    when path ~ '^transcript\.[^.]+$' then 'transcript_item'
    when path ~ '^transcript\.answer_assessment_raw_data\.[^.]+$' then 'answer_assessment_raw_data'
  end as scope,
  substring(path from '([^.]+)$') as key
from private.candidate_visibility where candidate <> 'hidden';

select plan(31);

-- The document's and each item's fields: the same keys as a reviewer's, non-null only if allowed.
select is_empty($$
  select d.view, k.key from doc d, json_each(d.reviewer) k
  where (d.candidate -> k.key) is null
$$, 'every view: the candidate''s document has every field a reviewer''s has (the contract''s shape)');
select is_empty($$
  select d.view, k.key from doc d, json_each(d.candidate) k
  where json_typeof(k.value) <> 'null'
    and k.key not in (select key from allowed where scope = 'result')
$$, 'every view: no document field is shown to the candidate unless allowed');
select is_empty($$
  select d.view, k.key from doc d, json_each(d.reviewer) k
  where k.key in (select key from allowed where scope = 'result')
    and k.key not in ('ai_analysis_other', 'transcript')
    and (d.candidate -> k.key)::text is distinct from k.value::text
$$, 'every view: an allowed document field is shown as stored');
select is_empty($$
  select d.view, i.n, k.key
  from doc d, json_array_elements(d.candidate -> 'transcript') with ordinality i (item, n), json_each(i.item) k
  where json_typeof(k.value) <> 'null'
    and k.key not in (select key from allowed where scope = 'transcript_item')
$$, 'every view: no item field is shown to the candidate unless allowed');
select is((select count(*) from doc d, json_array_elements(d.candidate -> 'transcript') i
  where i ->> 'ai_analysis_recruiter' is not null or i ->> 'external_id' is not null), 0::bigint,
  'every view: the candidate gets no item''s ai_analysis_recruiter or external_id');
select is((select count(*) from doc d, json_array_elements(d.reviewer -> 'transcript') i
  where d.view in ('full', 'condensed', 'standard') and i ->> 'ai_analysis_recruiter' is not null),
  12::bigint, 'a reviewer gets every item''s ai_analysis_recruiter in full, condensed and standard');
select is((select candidate ->> 'ai_analysis' from doc where view = 'full'), 'for the candidate',
  'the candidate keeps the candidate-facing analysis');
select is((select count(*) from doc where candidate ->> 'ai_analysis_recruiter' is not null
  or candidate ->> 'recruiter_risks' is not null or candidate ->> 'user_feedback_recruiter' is not null
  or candidate ->> 'ai_analysis_recruiter_why_hire' is not null
  or candidate ->> 'ai_analysis_recruiter_why_not_hire' is not null), 0::bigint,
  'every view: the recruiter-facing fields are null for the candidate');

-- ai_analysis_other, key by key.
select is((select array(select json_object_keys(candidate -> 'ai_analysis_other')) from doc d where view = v.view),
  array['takeaways', 'score_rationale'], format('%s: the candidate''s ai_analysis_other holds the candidate-facing keys only', v.view))
from unnest(array['full', 'condensed', 'standard', 'summary']) v (view);
select is((select reviewer -> 'ai_analysis_other' -> 'strengths_concerns' ->> 'concerns' from doc where view = 'full'),
  '["Weak on SQL; reviewer doubts seniority"]', 'a reviewer gets strengths_concerns as stored');
select is((select reviewer -> 'ai_analysis_other' -> 'not_yet_named' ->> 'note' from doc where view = 'full'),
  'for recruiters', 'a reviewer gets a key nobody has named yet');
select is((tests.rpc_as('other_candidate', tests.uid('others')) -> 'ai_analysis_other')::jsonb,
  '{"takeaways": {"what_went_well": ["c"]}}'::jsonb,
  'the older hiring_reasons is hidden from its candidate too');
select is(tests.rpc_as('admin', tests.uid('others')) -> 'ai_analysis_other' -> 'hiring_reasons' ->> 'reasons_to_hire',
  '["a"]', 'and shown to a reviewer as stored');

-- The raw data and external_data, key by key, raw and condensed.
select is((select array(select json_object_keys(candidate -> 'transcript' -> 1 -> 'answer_assessment_raw_data')) from doc where view = 'full'),
  array['model', 'voice'], 'full: the candidate''s raw data holds only allowed keys, in their order');
select is((select array(select json_object_keys(reviewer -> 'transcript' -> 1 -> 'answer_assessment_raw_data')) from doc where view = 'full'),
  array['model', 'not_yet_named', 'not_yet_named_large', 'voice', 'proctor_status'],
  'full: a reviewer gets every key, those nobody has named yet included');
select is((select candidate -> 'transcript' -> 1 -> 'answer_assessment_raw_data' from doc where view = 'condensed')::jsonb,
  '{"model": "azure", "voice": []}'::jsonb,
  'condensed: the candidate gets neither the unnamed keys nor their names in _omitted');
select is((select reviewer -> 'transcript' -> 1 -> 'answer_assessment_raw_data' -> '_omitted' from doc where view = 'condensed')::jsonb,
  '["not_yet_named_large"]'::jsonb, 'condensed: a reviewer is told what condensing dropped');
select is((select candidate -> 'transcript' -> 1 -> 'external_data' from doc where view = 'full')::text,
  '{}', 'external_data: no key is candidate-facing today');
select is((select reviewer -> 'transcript' -> 1 -> 'external_data' ->> 'not_yet_named' from doc where view = 'full'),
  '1', 'external_data: a reviewer gets every key');
select is((select count(*) from doc d, json_array_elements(d.candidate -> 'transcript') i,
    json_array_elements(case json_typeof(i -> 'answer_assessment_raw_data')
      when 'array' then i -> 'answer_assessment_raw_data' else json_build_array(i -> 'answer_assessment_raw_data') end) raw
  where json_typeof(raw) = 'object' and exists (select 1 from json_object_keys(raw) k
    where k not in (select key from allowed where scope = 'answer_assessment_raw_data'))), 0::bigint,
  'full and condensed: no raw data key the list doesn''t allow, in either form');
select is((select candidate -> 'transcript' -> 3 -> 'answer_assessment_raw_data' -> 0 from doc where view = 'full')::text, 'null',
  'the older [null, {...}] form stays an array for the candidate');
select ok((select reviewer -> 'transcript' -> 0 -> 'answer_assessment_raw_data' ->> 'reading_stats' from doc where view = 'full') is not null,
  'a reviewer gets the proctoring signals');

-- What json keeps and json_each() refuses doesn't turn the candidate's read into an error.
update public.interview_result_questions
set answer_assessment_raw_data = '{"model": "nul \u0000 here", "proctor_status": "lone \ud800"}'
where id = tests.uid('submitted:4');
select is(tests.rpc_as('candidate', tests.uid('submitted')) -> 'transcript' -> 3 -> 'answer_assessment_raw_data' ->> 'model',
  'nul ' || chr(65533) || ' here', 'a \u0000 in the raw data reaches the candidate as U+FFFD, never an error');
select ok(strpos(tests.rpc_as('admin', tests.uid('submitted'))::text,
  '{"model": "nul \u0000 here", "proctor_status": "lone \ud800"}') > 0,
  'and a reviewer gets the raw data as stored');

-- The list is read on each call: a change reaches the candidate on the next read.
insert into private.candidate_visibility (path, candidate, reason)
values ('ai_analysis_other.not_yet_named', 'shown', 'A test: allowed now.'),
  ('ai_analysis_other.not_yet_named.note', 'shown', 'A test: allowed now.');
select is((tests.rpc_as('candidate', tests.uid('submitted')) -> 'ai_analysis_other' -> 'not_yet_named' ->> 'note'),
  'for recruiters', 'a key the list allows from now on reaches the candidate on the next read');
update private.candidate_visibility set candidate = 'hidden' where path = 'score';
select is(tests.rpc_as('candidate', tests.uid('submitted')) ->> 'score', null,
  'a field the list stops showing is null for the candidate on the next read');
delete from private.candidate_visibility where path = 'transcript.answer_assessment_raw_data.model';
select is((select array(select json_object_keys(tests.rpc_as('candidate', tests.uid('submitted')) -> 'transcript' -> 1 -> 'answer_assessment_raw_data'))),
  array['voice'], 'a key deleted from the list is hidden from the candidate on the next read');
-- Fails closed: with no row showing anything, the candidate gets the document's shape and nothing in it.
update private.candidate_visibility set candidate = 'hidden';
select is((select count(*) from json_each(tests.rpc_as('candidate', tests.uid('submitted'))) e where json_typeof(e.value) <> 'null'),
  0::bigint, 'an empty list shows the candidate nothing: every field is null');

select * from finish();
rollback;
