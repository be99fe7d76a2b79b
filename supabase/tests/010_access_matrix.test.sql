-- Who sees which result: every caller kind x relation to the result x submitted or not, through
-- the RPC (the only door: 015 shows the tables refuse every caller directly), and for each the
-- whole transcript.
begin;
select tests.create_world();

create temp table expected (caller text, result text, visible boolean) on commit drop;
insert into expected values
  -- the candidate: their own results in any state, nobody else's
  ('candidate', 'submitted', true), ('candidate', 'unsubmitted', true), ('candidate', 'others', false),
  ('other_candidate', 'submitted', false), ('other_candidate', 'unsubmitted', false), ('other_candidate', 'others', true),
  -- members of the owning merchant, or of any merchant above it: once submitted
  ('mid_owner', 'submitted', true), ('mid_owner', 'unsubmitted', false), ('mid_owner', 'others', true),
  ('mid_recruiter', 'submitted', true), ('mid_recruiter', 'unsubmitted', false), ('mid_recruiter', 'others', true),
  ('top_owner', 'submitted', true), ('top_owner', 'unsubmitted', false), ('top_owner', 'others', true),
  ('top_recruiter', 'submitted', true), ('top_recruiter', 'unsubmitted', false), ('top_recruiter', 'others', true),
  -- members of a merchant below the owner, or unrelated: never
  ('leaf_recruiter', 'submitted', false), ('leaf_recruiter', 'unsubmitted', false), ('leaf_recruiter', 'others', false),
  ('other_recruiter', 'submitted', false), ('other_recruiter', 'unsubmitted', false), ('other_recruiter', 'others', false),
  ('outsider', 'submitted', false), ('outsider', 'unsubmitted', false), ('outsider', 'others', false),
  -- platform admins: everything
  ('admin', 'submitted', true), ('admin', 'unsubmitted', true), ('admin', 'others', true);

select plan((select count(*)::int * 2 + 3 from expected));

select is(tests.rpc_as(caller, tests.uid(result)) is not null, visible,
  format('%s %s the %s result through the RPC', caller, case when visible then 'sees' else 'does not see' end, result))
from expected order by caller, result;

select is(coalesce(json_array_length(tests.rpc_as(caller, tests.uid(result)) -> 'transcript'), 0),
  case when visible then 4 else 0 end,
  format('%s %s the %s transcript', caller, case when visible then 'reads' else 'does not read' end, result))
from expected order by caller, result;

-- The service role bypasses RLS and sees every result in any state.
select is(tests.rpc_as('service_role', tests.uid(result)) is not null, true,
  format('the service role sees the %s result', result))
from unnest(array['submitted', 'unsubmitted', 'others']) result;

select * from finish();
rollback;
