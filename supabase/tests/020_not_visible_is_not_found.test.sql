-- A result the caller may not see is indistinguishable from one that does not exist.
begin;
select tests.create_world();
select plan(6);

select is(tests.rpc_as('outsider', tests.uid('submitted'))::text, null,
  'an outsider gets null for an existing result');
select is(tests.rpc_as('outsider', tests.uid('no such result'))::text, null,
  'an outsider gets null for a missing result');
select is(tests.rpc_as('mid_recruiter', tests.uid('unsubmitted'))::text,
  tests.rpc_as('mid_recruiter', tests.uid('no such result'))::text,
  'a recruiter''s answer for an unsubmitted result equals the answer for a missing one');

-- anon: the same permission error whether the id exists or not.
set local role anon;
select throws_ok(format('select public.interview_transcript(%L)', tests.uid('submitted')), '42501', null,
  'anon is denied for an existing result');
select throws_ok(format('select public.interview_transcript(%L)', tests.uid('no such result')), '42501', null,
  'anon is denied, identically, for a missing result');
select throws_ok('select count(*) from public.interview_results', '42501', null,
  'anon cannot read the results table');
reset role;

select * from finish();
rollback;
