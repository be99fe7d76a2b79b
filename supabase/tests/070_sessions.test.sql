-- A token reads only while its session is live: private.require_live_session(), the RPC's first
-- step, against Auth's own auth.sessions and auth.users. Signed out (any scope), revoked, past
-- not_after, the user deleted or banned: refused (PT401, PostgREST answers 401). The service role
-- has no session and is not affected; one user's sign-out leaves another's session alone.
begin;
select tests.create_world();
select plan(12);

create function pg_temp.read_as(p_name text, p_session uuid) returns json language plpgsql as $$
declare
  v json;
begin
  perform tests.authenticate_as(p_name, p_session);
  v := public.interview_transcript(tests.uid('submitted'));
  perform tests.clear_authentication();
  return v;
end;
$$;

select tests.sign_in('candidate', 'laptop'), tests.sign_in('candidate', 'phone'),
  tests.sign_in('mid_recruiter');

select ok(pg_temp.read_as('candidate', tests.uid('session:candidate:laptop')) is not null,
  'a live session reads');
delete from auth.sessions where id = tests.uid('session:candidate:laptop');
select throws_ok(format('select pg_temp.read_as(%L, %L)', 'candidate', tests.uid('session:candidate:laptop')),
  'PT401', 'The session has ended.', 'a session signed out (its row deleted, as Auth does) is refused at once');
select ok(pg_temp.read_as('candidate', tests.uid('session:candidate:phone')) is not null,
  'the user''s other session still reads (sign-out with scope=local)');
select ok(pg_temp.read_as('mid_recruiter', tests.uid('session:mid_recruiter:default')) is not null,
  'another user''s session is not touched');

update auth.sessions set not_after = now() - interval '1 second' where id = tests.uid('session:candidate:phone');
select throws_ok(format('select pg_temp.read_as(%L, %L)', 'candidate', tests.uid('session:candidate:phone')),
  'PT401', null, 'a session past its not_after is refused');

update auth.users set banned_until = now() + interval '1 day' where id = tests.uid('mid_recruiter');
select throws_ok(format('select pg_temp.read_as(%L, %L)', 'mid_recruiter', tests.uid('session:mid_recruiter:default')),
  'PT401', null, 'a banned user''s session is refused');
update auth.users set banned_until = null where id = tests.uid('mid_recruiter');

select tests.sign_in('top_recruiter');
delete from auth.users where id = tests.uid('top_recruiter');
select throws_ok(format('select pg_temp.read_as(%L, %L)', 'top_recruiter', tests.uid('session:top_recruiter:default')),
  'PT401', null, 'a deleted user''s session is gone with them');

select ok(pg_temp.read_as('admin', null) is not null,
  'a token without a session_id is held to its user, who exists');
update auth.users set deleted_at = now() where id = tests.uid('admin');
select throws_ok(format('select pg_temp.read_as(%L, null)', 'admin'),
  'PT401', null, 'and refused once the user is soft-deleted');

select throws_ok(format('select pg_temp.read_as(%L, %L)', 'candidate', tests.uid('session:nobody')),
  'PT401', null, 'a session that never existed is refused');

set local request.jwt.claims = '{"sub": "not-a-uuid", "role": "authenticated"}';
set local role authenticated;
select throws_ok(format('select public.interview_transcript(%L)', tests.uid('submitted')),
  'PT401', 'The access token names no user.', 'a token whose sub is not a user id is refused, not a uuid error');
reset role;

select ok(tests.rpc_as('service_role', tests.uid('submitted')) is not null,
  'the service role has no session and reads');

select * from finish();
rollback;
