-- One access record per disclosing answer, written by public.record_interview_access with the
-- reader's own token, as the edge function calls it through PostgREST: who read and in what
-- capacity come from the token (its sub, its session_id, its role), decided by the transcript's
-- own rule; a reader who may not see the result gets null and leaves nothing; anon and a
-- signed-out session are refused; bad arguments are 22023 (PostgREST: 400). Every expected row is
-- written out below.
begin;
select tests.create_world();
select plan(37);

-- A member of `mid` who is also an owner of `top`: an owner's membership comes first.
insert into auth.users (id, email) values (tests.uid('mixed'), 'mixed@tests.invalid');
insert into public.merchant_members (merchant_id, user_id, role) values
  (tests.uid('m:mid'), tests.uid('mixed'), 'merchant'),
  (tests.uid('m:top'), tests.uid('mixed'), 'merchant_owner');

select tests.sign_in(n) from unnest(array['candidate', 'other_candidate', 'admin', 'outsider',
  'top_owner', 'top_recruiter', 'mid_owner', 'mid_recruiter', 'leaf_recruiter', 'other_recruiter',
  'mixed']) n;

-- The RPC as PostgREST runs it for a caller: a user with their live session, or the service role;
-- back as the owner afterwards.
create function pg_temp.record_as(p_caller text, p_result text, p_view text, p_signed integer,
  p_expire integer, p_request text, p_origin text) returns uuid
language plpgsql as $$
declare
  v uuid;
begin
  if p_caller = 'service_role' then
    perform tests.authenticate_as_service_role();
  else
    perform tests.authenticate_as(p_caller, tests.uid('session:' || p_caller || ':default'));
  end if;
  v := public.record_interview_access(tests.uid(p_result), p_view, p_signed, p_expire, p_request,
    p_origin);
  perform tests.clear_authentication();
  return v;
exception when others then
  perform tests.clear_authentication();
  raise;
end;
$$;

-- Those who may read the submitted result: each gets a record id.
select isnt(pg_temp.record_as(c, 'submitted', v, s, e, 'req-' || c, o), null,
  format('%s, who reads the result, gets a record id', c))
from (values
  ('candidate', 'full', 0, null, 'https://candidate.example'),
  ('mid_recruiter', 'full', 3, 600, 'https://ats.example:8443'),
  ('mid_owner', 'condensed', 0, null, null),
  ('top_owner', 'standard', 0, null, null),
  ('top_recruiter', 'summary', 0, null, 'http://[::1]:3000'),
  ('mixed', 'summary', 0, null, null),
  ('admin', 'full', 12, 3600, 'https://admin.example'),
  ('service_role', 'standard', 5, 60, null)
) r (c, v, s, e, o);

-- Those who may not: null, and nothing written.
select is(pg_temp.record_as(c, r, 'full', 0, null, 'req-refused-' || c, null), null,
  format('%s, who may not read the %s result, gets null', c, r))
from (values ('outsider', 'submitted'), ('other_recruiter', 'submitted'),
  ('leaf_recruiter', 'submitted'), ('other_candidate', 'submitted'),
  ('mid_owner', 'unsubmitted'), ('mid_recruiter', 'no such result'),
  ('admin', 'no such result'), ('service_role', 'no such result')) x (c, r);
select is_empty($$select 1 from private.interview_access_log where request_id like 'req-refused-%'$$,
  'a caller who may not read the result leaves no record');

-- What each record holds: the reader from the token, the capacity the transcript's rule gives.
select results_eq($$
  select reader_kind, reader_role, reader_user_id, reader_session_id, reader_merchant_id,
    interview_result_id, merchant_id, view, recordings_signed, request_id, origin, replayed
  from private.interview_access_log order by request_id
$$, $$ values
  ('platform_admin', null, tests.uid('admin'), tests.uid('session:admin:default'), null::uuid,
    tests.uid('submitted'), tests.uid('m:mid'), 'full', 12, 'req-admin', 'https://admin.example', false),
  ('candidate', null, tests.uid('candidate'), tests.uid('session:candidate:default'), null,
    tests.uid('submitted'), tests.uid('m:mid'), 'full', 0, 'req-candidate', 'https://candidate.example', false),
  ('merchant_member', 'merchant_owner', tests.uid('mid_owner'), tests.uid('session:mid_owner:default'),
    tests.uid('m:mid'), tests.uid('submitted'), tests.uid('m:mid'), 'condensed', 0, 'req-mid_owner', null, false),
  ('merchant_member', 'merchant', tests.uid('mid_recruiter'), tests.uid('session:mid_recruiter:default'),
    tests.uid('m:mid'), tests.uid('submitted'), tests.uid('m:mid'), 'full', 3, 'req-mid_recruiter',
    'https://ats.example:8443', false),
  ('merchant_member', 'merchant_owner', tests.uid('mixed'), tests.uid('session:mixed:default'),
    tests.uid('m:top'), tests.uid('submitted'), tests.uid('m:mid'), 'summary', 0, 'req-mixed', null, false),
  ('server', null, null, null, null,
    tests.uid('submitted'), tests.uid('m:mid'), 'standard', 5, 'req-service_role', null, false),
  ('merchant_member', 'merchant_owner', tests.uid('top_owner'), tests.uid('session:top_owner:default'),
    tests.uid('m:top'), tests.uid('submitted'), tests.uid('m:mid'), 'standard', 0, 'req-top_owner', null, false),
  ('merchant_member', 'merchant', tests.uid('top_recruiter'), tests.uid('session:top_recruiter:default'),
    tests.uid('m:top'), tests.uid('submitted'), tests.uid('m:mid'), 'summary', 0, 'req-top_recruiter',
    'http://[::1]:3000', false)
$$, 'each record names the verified reader, their capacity, role and membership, what was read and how');

-- When: the write's time; the links' end: that time rounded up to the second, plus their lifetime.
select is_empty($$select 1 from private.interview_access_log where accessed_at <> now()$$,
  'a live record is dated when it is written');
select ok((select bool_and(recordings_valid_until = date_trunc('second', recordings_valid_until)
    and recordings_valid_until - now() >= make_interval(secs => e)
    and recordings_valid_until - now() < make_interval(secs => e + 1))
  from private.interview_access_log join (values ('req-mid_recruiter', 600), ('req-admin', 3600),
    ('req-service_role', 60)) x (r, e) on request_id = r),
  'recordings_valid_until is the write''s time rounded up to the second plus the links'' lifetime');
select is_empty($$select 1 from private.interview_access_log where (recordings_signed = 0) <> (recordings_valid_until is null)$$,
  'no links, no recordings_valid_until');

-- The candidate's own unsubmitted result: recorded as the candidate.
create temp table own on commit drop as
select pg_temp.record_as('candidate', 'unsubmitted', 'summary', 0, null, 'req-own', null) as id;
select is((select reader_kind from private.interview_access_log join own using (id)),
  'candidate', 'the candidate reading their unsubmitted result is recorded as the candidate');

-- anon may not call it (as PostgREST runs it, a statement of its own); a signed-out session is
-- refused as its read is.
set local role anon;
set local request.jwt.claims = '{"role": "anon"}';
select throws_ok(format('select public.record_interview_access(%L, %L, 0, null, %L, null)',
  tests.uid('submitted'), 'full', 'req-anon'), '42501', null, 'anon may not record (PostgREST: 401)');
reset role;
delete from auth.sessions where id = tests.uid('session:mid_recruiter:default');
select throws_ok($$select pg_temp.record_as('mid_recruiter', 'submitted', 'full', 0, null, 'req-gone', null)$$,
  'PT401', 'The session has ended.', 'a signed-out session may not record (PostgREST: 401)');

-- Arguments out of their form: 22023, nothing written.
select throws_ok(format($$select pg_temp.record_as('candidate', %L, %L, %s, %s, %L, %L)$$,
    r, v, s, coalesce(e::text, 'null'), q, o), '22023', null, why)
from (values
  ('submitted', 'everything', 0, null::integer, 'req-x', null, 'a view that is not one'),
  ('submitted', 'full', -1, null, 'req-x', null, 'a negative count of links'),
  ('submitted', 'full', 10001, 60, 'req-x', null, 'more links than any result has'),
  ('submitted', 'full', 2, null, 'req-x', null, 'links without a lifetime'),
  ('submitted', 'full', 0, 60, 'req-x', null, 'a lifetime without links'),
  ('submitted', 'full', 2, 0, 'req-x', null, 'links living 0 s'),
  ('submitted', 'full', 0, null, 'req x', null, 'a request id with a space'),
  ('submitted', 'full', 0, null, repeat('r', 129), null, 'a request id of 129 characters'),
  ('submitted', 'full', 0, null, 'req-x', 'javascript:alert(1)', 'an origin that is not one'),
  ('submitted', 'full', 0, null, 'req-x', 'https://a.example/path', 'an origin with a path'),
  ('submitted', 'full', 0, null, 'req-x', 'https://' || repeat('a', 248), 'an origin of 256 characters')
) x (r, v, s, e, q, o, why);
select throws_ok(format($$select public.record_interview_access(null, 'full', 0, null, 'req-x', null)$$),
  '22023', 'p_interview_result_id is required.', 'a missing result id');
select is_empty($$select 1 from private.interview_access_log where request_id in ('req-x', 'req-anon', 'req-gone')$$,
  'a refused call leaves no record');

select * from finish();
rollback;
