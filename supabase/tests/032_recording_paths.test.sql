-- A recording path reaches no one unless it belongs to its result: it starts with
-- <merchant_id>/<result_id>/ and no segment is empty, '.' or '..'. The function signs exactly the
-- paths the RPC returns, so a path a writer got wrong (another merchant's recording, another
-- result's, a way out of the folder) is null for every reader and every view.
begin;
select tests.create_world();
select plan(9);

create temp table planted (path text, belongs boolean) on commit drop;
insert into planted values
  (tests.uid('m:mid') || '/' || tests.uid('submitted') || '/answer-1.ogg', true),
  (tests.uid('m:mid') || '/' || tests.uid('submitted') || '/nested/deeper/answer.ogg', true),
  -- another merchant's recording
  (tests.uid('m:other') || '/' || tests.uid('submitted') || '/answer-1.ogg', false),
  -- another result's, of the same merchant
  (tests.uid('m:mid') || '/' || tests.uid('others') || '/answer-1.ogg', false),
  -- out of the folder, or naming it loosely
  (tests.uid('m:mid') || '/' || tests.uid('submitted') || '/../' || tests.uid('others') || '/answer-1.ogg', false),
  (tests.uid('m:mid') || '/' || tests.uid('submitted') || '/./answer-1.ogg', false),
  (tests.uid('m:mid') || '/' || tests.uid('submitted') || '//answer-1.ogg', false),
  (tests.uid('m:mid') || '/' || tests.uid('submitted') || '/', false),
  (tests.uid('m:mid') || '/' || tests.uid('submitted'), false),
  (tests.uid('submitted') || '/answer-1.ogg', false),
  ('/' || tests.uid('m:mid') || '/' || tests.uid('submitted') || '/answer-1.ogg', false);

select is(
  array(select private.own_recording_path(p.path, tests.uid('m:mid'), tests.uid('submitted')) is not null
    from planted p order by p.path),
  array(select p.belongs from planted p order by p.path),
  'a path belongs to its result only under <merchant_id>/<result_id>/, with no empty, . or .. segment');

-- Every wrong path planted where the RPC reads one: the session recording, the video
-- introduction and an answer's recording.
update public.interview_results
set recording_local_path = tests.uid('m:other') || '/' || tests.uid('submitted') || '/session.ogg',
  video_introduction_local_path = tests.uid('m:mid') || '/' || tests.uid('others') || '/intro.ogg'
where id = tests.uid('submitted');
update public.interview_result_questions
set recording_local_path = tests.uid('m:mid') || '/' || tests.uid('submitted') || '/../' || tests.uid('others') || '/answer-1.ogg'
where id = tests.uid('submitted:1');

create temp table doc on commit drop as
select c.caller, v.view, tests.rpc_as(c.caller, tests.uid('submitted'), v.view) as doc
from unnest(array['candidate', 'mid_recruiter', 'admin', 'service_role']) c (caller),
  unnest(array['full', 'condensed', 'standard', 'summary']) v (view);

select is((select count(*) from doc where doc ->> 'recording_local_path' is not null
    or doc ->> 'video_introduction_local_path' is not null), 0::bigint,
  'every reader, every view: the result''s wrong paths are null');
select is((select count(*) from doc where doc -> 'transcript' -> 0 ->> 'recording_local_path' is not null),
  0::bigint, 'every reader, every view: an answer''s wrong path is null');
select is((select count(*) from doc where view <> 'summary'
    and doc -> 'transcript' -> 1 ->> 'recording_local_path' = tests.uid('m:mid') || '/' || tests.uid('submitted') || '/answer-2.ogg'),
  12::bigint, 'and the answer beside it, whose path belongs, keeps it for every reader');
select is((select doc ->> 'recording_is_video' from doc where caller = 'admin' and view = 'full'), 'false',
  'the rest of the field''s neighbours are untouched');

-- The seed follows the layout: every path it stores belongs to its result.
select is_empty($$
  select r.id, r.recording_local_path from public.interview_results r
  where r.recording_local_path is not null and r.id <> tests.uid('submitted')
    and private.own_recording_path(r.recording_local_path, r.merchant_id, r.id) is null
  union all
  select r.id, r.video_introduction_local_path from public.interview_results r
  where r.video_introduction_local_path is not null and r.id <> tests.uid('submitted')
    and private.own_recording_path(r.video_introduction_local_path, r.merchant_id, r.id) is null
$$, 'the results'' paths (seed and tests) follow <merchant_id>/<result_id>/');
select is_empty($$
  select i.id, i.recording_local_path from public.interview_result_questions i
  join public.interview_results r on r.id = i.interview_result_id
  where i.recording_local_path is not null and i.id <> tests.uid('submitted:1')
    and private.own_recording_path(i.recording_local_path, r.merchant_id, r.id) is null
$$, 'the answers'' paths (seed and tests) follow <merchant_id>/<result_id>/');
select ok((select count(*) from public.interview_result_questions
  where recording_local_path like '10000000-0000-4000-8000-00000000000_/%') > 0,
  'the seed is there to check (the checks above can fail)');
select is(private.own_recording_path(null, tests.uid('m:mid'), tests.uid('submitted')), null,
  'no path is no path');

select * from finish();
rollback;
