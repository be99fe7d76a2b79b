-- Who reads a result's access log (public.interview_access_log), and what of it: admins, the
-- service role and owners of the result's merchant or of one above read every record whole; the
-- candidate reads their own result's, others' user ids, request ids and origins hidden; others,
-- and anyone for a result they may not see or that doesn't exist, nothing. Newest first. The
-- records are written here as rows, with the order and what the candidate sees spelt out.
begin;
select tests.create_world();
select plan(28);

select tests.sign_in(n) from unnest(array['candidate', 'other_candidate', 'admin', 'outsider',
  'top_owner', 'top_recruiter', 'mid_owner', 'mid_recruiter', 'leaf_recruiter', 'other_recruiter']) n;
-- Last month's partition too, so the history spans two.
select count(*) from private.maintain_interview_access_log(date_trunc('month', now()) - interval '1 month');

-- position: where the record comes in the submitted result's history, newest first.
-- seen_user, seen_request: what the candidate is shown of the reader's user id and request id.
create temp table fixture on commit drop as
select x.*, date_trunc('month', now()) + x.at as accessed_at
from (values
  (1, 'submitted', interval '6 hours', '00000000-0000-4000-8000-0000000000b2'::uuid, 'candidate', null, tests.uid('candidate'), null::uuid, 'summary', 0, null::integer, 'r6b', null, false, tests.uid('candidate'), 'r6b'),
  (2, 'submitted', interval '6 hours', '00000000-0000-4000-8000-0000000000b1', 'merchant_member', 'merchant_owner', tests.uid('top_owner'), tests.uid('m:top'), 'full', 0, null, 'r6a', null, false, null, null),
  (3, 'submitted', interval '5 hours', tests.uid('id5'), 'platform_admin', null, tests.uid('admin'), null, 'condensed', 0, null, 'r5', null, true, null, null),
  (4, 'submitted', interval '4 hours', tests.uid('id4'), 'server', null, null, null, 'summary', 2, 60, 'r4', null, false, null, null),
  (5, 'submitted', interval '2 hours', tests.uid('id2'), 'merchant_member', 'merchant', tests.uid('mid_recruiter'), tests.uid('m:mid'), 'full', 3, 600, 'r2', 'https://ats.example', false, null, null),
  (6, 'submitted', interval '1 hour', tests.uid('id1'), 'candidate', null, tests.uid('candidate'), null, 'full', 0, null, 'r1', 'https://candidate.example', false, tests.uid('candidate'), 'r1'),
  (7, 'submitted', interval '-20 days', tests.uid('id0'), 'merchant_member', 'merchant_owner', tests.uid('mid_owner'), tests.uid('m:mid'), 'standard', 0, null, 'r0', null, false, null, null),
  (1, 'unsubmitted', interval '3 hours', tests.uid('idu'), 'candidate', null, tests.uid('candidate'), null, 'full', 0, null, 'u1', null, false, tests.uid('candidate'), 'u1'),
  (1, 'others', interval '3 hours', tests.uid('ido'), 'merchant_member', 'merchant', tests.uid('mid_recruiter'), tests.uid('m:mid'), 'full', 0, null, 'o1', null, false, null, null)
) x (position, result, at, id, reader_kind, reader_role, reader_user_id, reader_merchant_id, view,
  recordings_signed, expire, request_id, origin, replayed, seen_user, seen_request);

insert into private.interview_access_log (accessed_at, recordings_valid_until, id, interview_result_id,
  merchant_id, reader_user_id, reader_session_id, reader_merchant_id, recordings_signed, replayed,
  reader_kind, reader_role, view, request_id, origin)
select accessed_at, accessed_at + make_interval(secs => expire), id, tests.uid(result), tests.uid('m:mid'),
  reader_user_id, null, reader_merchant_id, recordings_signed, replayed, reader_kind, reader_role,
  view, request_id, origin
from fixture;

-- The log as a caller reads it through the RPC (a user with their live session, or the service
-- role), back as the owner.
create function pg_temp.log_as(p_caller text, p_result text)
returns table (accessed_at timestamptz, reader_kind text, reader_role text, reader_user_id uuid,
  reader_merchant_id uuid, merchant_id uuid, view text, recordings_signed integer,
  recordings_valid_until timestamptz, request_id text, origin text, replayed boolean)
language plpgsql as $$
begin
  if p_caller = 'service_role' then
    perform tests.authenticate_as_service_role();
  else
    perform tests.authenticate_as(p_caller, tests.uid('session:' || p_caller || ':default'));
  end if;
  return query select * from public.interview_access_log(tests.uid(p_result));
  perform tests.clear_authentication();
end;
$$;

create function pg_temp.whole(p_result text) returns setof record language sql as $$
  select accessed_at, reader_kind, reader_role, reader_user_id, reader_merchant_id, tests.uid('m:mid'),
    view, recordings_signed, accessed_at + make_interval(secs => expire), request_id, origin, replayed
  from fixture where result = p_result order by position
$$;

-- Those who read everything, whole, newest first.
select results_eq(format('select * from pg_temp.log_as(%L, %L)', c, 'submitted'),
  $$select * from pg_temp.whole('submitted') as (a timestamptz, b text, c text, d uuid, e uuid, f uuid,
    g text, h integer, i timestamptz, j text, k text, l boolean)$$,
  format('%s reads the whole history, newest first', c))
from unnest(array['admin', 'service_role', 'mid_owner', 'top_owner']) c;

-- The candidate: every record, but others' user ids, request ids and origins hidden.
select results_eq($$select * from pg_temp.log_as('candidate', 'submitted')$$,
  $$select accessed_at, reader_kind, reader_role, seen_user, reader_merchant_id, tests.uid('m:mid'),
    view, recordings_signed, accessed_at + make_interval(secs => expire), seen_request,
    case when seen_user is not null then origin end, replayed
  from fixture where result = 'submitted' order by position$$,
  'the candidate reads their result''s history: when, which organisation, in what capacity, what was shared; only their own user id, request ids and origins');
select results_eq($$select reader_user_id, request_id from pg_temp.log_as('candidate', 'unsubmitted')$$,
  $$values (tests.uid('candidate'), 'u1')$$, 'the candidate reads their unsubmitted result''s history');

-- Everyone else: nothing, as for a result that doesn't exist.
select is_empty(format('select * from pg_temp.log_as(%L, %L)', c, r),
  format('%s reads nothing of the %s result''s history', c, r))
from (values ('mid_recruiter', 'submitted'), ('top_recruiter', 'submitted'),
  ('leaf_recruiter', 'submitted'), ('other_recruiter', 'submitted'), ('outsider', 'submitted'),
  ('other_candidate', 'submitted'), ('mid_owner', 'unsubmitted'), ('top_owner', 'unsubmitted'),
  ('candidate', 'others'), ('admin', 'no such result'), ('service_role', 'no such result'),
  ('candidate', 'no such result')) x (c, r);

-- A result erased: its records stay (no foreign key), and only those who read everything read them.
delete from public.interview_results where id = tests.uid('others');
select results_eq($$select request_id from private.interview_access_log where interview_result_id = tests.uid('others')$$,
  $$values ('o1')$$, 'an erased result''s records stay');
select results_eq(format('select request_id, reader_user_id from pg_temp.log_as(%L, %L)', c, 'others'),
  $$values ('o1', tests.uid('mid_recruiter'))$$, format('%s still reads an erased result''s history', c))
from unnest(array['admin', 'service_role']) c;
select is_empty(format('select * from pg_temp.log_as(%L, %L)', c, 'others'),
  format('%s reads nothing of an erased result''s history', c))
from unnest(array['other_candidate', 'mid_owner', 'mid_recruiter']) c;

-- anon may not call it (a statement of its own, as PostgREST runs it); a signed-out session is
-- refused.
set local role anon;
set local request.jwt.claims = '{"role": "anon"}';
select throws_ok(format('select * from public.interview_access_log(%L)', tests.uid('submitted')),
  '42501', null, 'anon may not read any access log (PostgREST: 401)');
reset role;
delete from auth.sessions where id = tests.uid('session:mid_owner:default');
select throws_ok($$select * from pg_temp.log_as('mid_owner', 'submitted')$$, 'PT401',
  'The session has ended.', 'a signed-out session reads nothing (PostgREST: 401)');

select volatility_is('public', 'interview_access_log', array['uuid'], 'stable',
  'interview_access_log is stable: PostgREST runs it read-only, by GET or POST');
select volatility_is('public', 'record_interview_access',
  array['uuid', 'text', 'integer', 'integer', 'text', 'text'], 'volatile',
  'record_interview_access is volatile: it writes');

select * from finish();
rollback;
