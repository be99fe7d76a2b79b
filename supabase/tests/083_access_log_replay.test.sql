-- Records the edge function logged instead of writing (its `access_record_unwritten` lines) are
-- replayed by the owner or the service role with private.replay_interview_access: written as a
-- live record would be, for the reader the line names, at the answer's time, marked replayed;
-- once per reader, result and request id however often replayed; refused, each with its reason,
-- when invalid, past the retention, or for a reader who may no longer see the result.
begin;
select tests.create_world();
select plan(19);

select tests.sign_in(n) from unnest(array['candidate', 'mid_recruiter', 'admin']) n;

-- The answer's time as the function logs it (JavaScript's toISOString: milliseconds, UTC).
create temp table t on commit drop as
select to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at,
  date_trunc('milliseconds', now()) as accessed_at;

create function pg_temp.record(p_reader text, p_request text, p_view text default 'full',
  p_signed integer default 0, p_expire integer default null, p_at text default null,
  p_result text default 'submitted') returns jsonb
language sql as $$
  select jsonb_build_object('interview_result_id', tests.uid(p_result), 'view', p_view,
    'recordings_signed', p_signed, 'links_expire_in', p_expire, 'request_id', p_request,
    'origin', case when p_reader = 'candidate' then 'https://candidate.example' end,
    'reader', case when p_reader = 'service_role'
      then '{"sub": null, "session_id": null, "role": "service_role"}'::jsonb
      else jsonb_build_object('sub', tests.uid(p_reader),
        'session_id', tests.uid('session:' || p_reader || ':default'), 'role', 'authenticated') end,
    'at', coalesce(p_at, (select at from t)))
$$;

-- Two log lines as the function writes them: one record, then two failed at once.
create temp table lines on commit drop as
select jsonb_build_array(
  jsonb_build_object('level', 'error', 'event', 'access_record_unwritten', 'request_id', 'rp-1',
    'reason', 'PostgREST answered 503', 'record', pg_temp.record('candidate', 'rp-1')),
  jsonb_build_object('level', 'error', 'event', 'access_record_unwritten',
    'reason', 'timed out', 'records', jsonb_build_array(
      pg_temp.record('mid_recruiter', 'rp-2', 'standard', 3, 600),
      pg_temp.record('service_role', 'rp-3', 'summary')))) as value;

-- The candidate's session has ended since the read: their record is still replayed.
delete from auth.sessions where id = tests.uid('session:candidate:default');
set local request.jwt.claims = '{"role": "operator-was-here"}';

select results_eq($$select * from private.replay_interview_access((select value from lines))$$,
  $$values ('rp-1', 'written'), ('rp-2', 'written'), ('rp-3', 'written')$$,
  'the records of the lines are written');
select results_eq($$
  select reader_kind, reader_role, reader_user_id, reader_session_id, reader_merchant_id, merchant_id,
    view, recordings_signed, request_id, origin, replayed
  from private.interview_access_log order by request_id
$$, $$ values
  ('candidate', null, tests.uid('candidate'), tests.uid('session:candidate:default'), null::uuid,
    tests.uid('m:mid'), 'full', 0, 'rp-1', 'https://candidate.example', true),
  ('merchant_member', 'merchant', tests.uid('mid_recruiter'), tests.uid('session:mid_recruiter:default'),
    tests.uid('m:mid'), tests.uid('m:mid'), 'standard', 3, 'rp-2', null, true),
  ('server', null, null, null, null, tests.uid('m:mid'), 'summary', 0, 'rp-3', null, true)
$$, 'each replayed record names the reader of its line, with the capacity a live record would have');
select is_empty($$select 1 from private.interview_access_log where accessed_at <> (select accessed_at from t)$$,
  'a replayed record is dated when the answer was given');
select is((select recordings_valid_until from private.interview_access_log where request_id = 'rp-2'),
  (select case when accessed_at = date_trunc('second', accessed_at) then accessed_at
    else date_trunc('second', accessed_at) + interval '1 second' end + interval '600 seconds' from t),
  'its links'' end is the answer''s time rounded up to the second, plus their lifetime');
select is(current_setting('request.jwt.claims'), '{"role": "operator-was-here"}',
  'the caller''s own claims are as they were');

-- Idempotent: the same lines again write nothing.
select results_eq($$select * from private.replay_interview_access((select value from lines))$$,
  $$values ('rp-1', 'already recorded'), ('rp-2', 'already recorded'), ('rp-3', 'already recorded')$$,
  'replayed twice, the lines write once');
select is((select count(*)::int from private.interview_access_log), 3, 'still three records');

-- A record written live after all (the function gave up waiting) is not written again.
select tests.authenticate_as('admin', tests.uid('session:admin:default'));
select public.record_interview_access(tests.uid('submitted'), 'full', 0, null, 'rp-live', null);
select tests.clear_authentication();
select results_eq($$select * from private.replay_interview_access(pg_temp.record('admin', 'rp-live'))$$,
  $$values ('rp-live', 'already recorded')$$, 'a record written live is not replayed again');

-- Another reader's request id is theirs: one record a reader, result and request id.
select results_eq($$select * from private.replay_interview_access(pg_temp.record('admin', 'rp-1'))$$,
  $$values ('rp-1', 'written')$$, 'the same request id of another reader is written');

-- Each record on its own: one bad record stops no other.
select results_eq($$select * from private.replay_interview_access(jsonb_build_array(
    pg_temp.record('outsider', 'rp-o'),
    pg_temp.record('candidate', 'rp-old', p_at => to_char((now() at time zone 'UTC') - interval '13 months', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
    pg_temp.record('candidate', 'rp-v', 'everything'),
    pg_temp.record('candidate', 'rp-s', 'full', 2, null),
    pg_temp.record('candidate', 'rp-t', p_at => 'not a time'),
    pg_temp.record('candidate', 'rp-f', p_at => to_char((now() at time zone 'UTC') + interval '1 day', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
    pg_temp.record('candidate', 'rp-r', p_result => 'no such result'),
    pg_temp.record('candidate', 'rp-ok', 'summary'),
    pg_temp.record('candidate', 'rp-id') || '{"interview_result_id": "not-a-uuid"}',
    pg_temp.record('candidate', 'rp-a') || '{"reader": {"sub": null, "session_id": null, "role": "anon"}}',
    pg_temp.record('candidate', 'rp-u') || '{"reader": {"session_id": null, "role": "authenticated"}}'))$$,
  $$values
    ('rp-o', 'not written: the reader may not see this result now'),
    ('rp-old', 'expired'),
    ('rp-v', 'not written: Invalid view ''everything'''),
    ('rp-s', 'not written: p_links_expire_in is the links'' lifetime in seconds (1 to 604800) when links went out, and null when none did.'),
    ('rp-t', 'not written: invalid input syntax for type timestamp with time zone: "not a time"'),
    ('rp-f', 'not written: at must be when the answer was given.'),
    ('rp-r', 'not written: the reader may not see this result now'),
    ('rp-ok', 'written'),
    ('rp-id', 'not written: invalid input syntax for type uuid: "not-a-uuid"'),
    ('rp-a', 'not written: reader.role must be authenticated or service_role.'),
    ('rp-u', 'not written: reader.sub must be a user id.')$$,
  'each record is written or refused with its reason, independently');
select results_eq($$select request_id from private.interview_access_log where replayed order by request_id$$,
  $$values ('rp-1'), ('rp-1'), ('rp-2'), ('rp-3'), ('rp-ok')$$, 'only the valid records are written');

-- A result erased since the read: its reader may no longer see it; not written, and said so.
delete from public.interview_results where id = tests.uid('others');
select results_eq($$select * from private.replay_interview_access(pg_temp.record('other_candidate', 'rp-e', p_result => 'others'))$$,
  $$values ('rp-e', 'not written: the reader may not see this result now')$$,
  'a record of a result erased since is not written, and the outcome says why');

-- Who may replay: the owner and the service role; no user, and not anon.
select ok(tests.refused_as(c, format('select * from private.replay_interview_access(%L)',
    pg_temp.record('candidate', 'rp-x'))), format('%s may not replay', c))
from unnest(array['anon', 'candidate', 'admin']) c;
create function pg_temp.replay_as_service_role(p_records jsonb)
returns table (request_id text, outcome text) language plpgsql as $$
begin
  perform tests.authenticate_as_service_role();
  return query select * from private.replay_interview_access(p_records);
  perform tests.clear_authentication();
end;
$$;
select results_eq($$select * from pg_temp.replay_as_service_role(pg_temp.record('mid_recruiter', 'rp-svc'))$$,
  $$values ('rp-svc', 'written')$$, 'the service role replays');
select results_eq($$select reader_kind, reader_user_id from private.interview_access_log where request_id = 'rp-svc'$$,
  $$values ('merchant_member', tests.uid('mid_recruiter'))$$,
  'and the record names the line''s reader, not the service role');
select ok(not has_function_privilege('authenticated', 'private.replay_interview_access(jsonb)', 'execute')
  and not has_function_privilege('anon', 'private.replay_interview_access(jsonb)', 'execute'),
  'no user role may execute the replay');
select ok(not has_schema_privilege('anon', 'private', 'usage')
  and not has_schema_privilege('authenticated', 'private', 'usage'),
  'and the users'' roles still cannot use private');

select * from finish();
rollback;
