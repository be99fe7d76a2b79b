-- The access rule walks up the merchant tree from the result's merchant: a member of any merchant
-- above it reviews it, a member of a sibling branch doesn't, and a corrupt parent cycle is
-- walked a bounded number of steps.
begin;
select tests.create_world();
select plan(4);

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
