-- The RPC decides access once (private.result_access) and reads as its owner; the tables keep
-- RLS for every other reader. The two must agree: for every caller and every result, the RPC
-- answers exactly when RLS shows the result, with exactly the transcript RLS shows. Plus the
-- up-walk's edge cases: a deep chain, a sibling branch, a corrupt parent cycle.
begin;
select tests.create_world();

create temp table pair on commit drop as
select c.caller, r.result
from unnest(array['candidate', 'other_candidate', 'admin', 'outsider', 'top_owner',
  'top_recruiter', 'mid_owner', 'mid_recruiter', 'leaf_recruiter', 'other_recruiter']) c (caller),
  unnest(array['submitted', 'unsubmitted', 'others', 'no such result']) r (result);

select plan((select count(*)::int from pair) + 3 + 4);

select is(
  (select row(d is not null, coalesce(json_array_length(d -> 'transcript'), 0))::text
   from tests.rpc_as(caller, tests.uid(result)) d),
  row(
    tests.count_as(caller, format('select 1 from public.interview_results where id = %L', tests.uid(result))) = 1,
    tests.count_as(caller, format('select 1 from public.interview_result_questions where interview_result_id = %L', tests.uid(result)))
  )::text,
  format('%s on the %s result: the RPC answers as RLS shows it', caller, result))
from pair order by caller, result;

select is(
  (select json_array_length(tests.rpc_as('service_role', tests.uid(result)) -> 'transcript')),
  4, format('the service role reads the whole %s result', result))
from unnest(array['submitted', 'unsubmitted', 'others']) result;

-- A chain six merchants deep under `top`, the result at its bottom, and a sibling branch.
insert into public.merchants (id, name, parent_merchant_id)
select tests.uid('m:chain:' || g), 'Chain ' || g,
  case when g = 1 then tests.uid('m:top') else tests.uid('m:chain:' || (g - 1)) end
from generate_series(1, 6) g;
insert into public.merchants (id, name, parent_merchant_id)
values (tests.uid('m:sibling'), 'Sibling', tests.uid('m:chain:3'));
insert into auth.users (id, email) values (tests.uid('sibling_recruiter'), 'sibling@tests.invalid');
insert into public.merchant_members (merchant_id, user_id, role)
values (tests.uid('m:sibling'), tests.uid('sibling_recruiter'), 'merchant');
insert into public.interview_defs (id, merchant_id, title)
values (tests.uid('def:deep'), tests.uid('m:chain:6'), 'Deep interview');
insert into public.interview_results (id, interview_def_id, merchant_id, candidate_id, coach_status,
  submitted_at)
values (tests.uid('deep'), tests.uid('def:deep'), tests.uid('m:chain:6'), tests.uid('candidate'),
  'completed', now());

select ok(tests.rpc_as('top_recruiter', tests.uid('deep')) is not null,
  'a member of the top merchant reviews a result seven levels below');
select ok(tests.rpc_as('sibling_recruiter', tests.uid('deep')) is null,
  'a member of a sibling branch does not');

-- A corrupt parent cycle is walked a bounded number of steps.
update public.merchants set parent_merchant_id = tests.uid('m:chain:6') where id = tests.uid('m:top');
select ok(tests.rpc_as('outsider', tests.uid('deep')) is null,
  'an outsider on a result in a parent cycle: null, and the walk ends');
select ok(tests.rpc_as('top_recruiter', tests.uid('deep')) is not null,
  'a member of a merchant inside the cycle still reviews it');

select * from finish();
rollback;
