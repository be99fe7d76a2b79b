-- Structure: every table has RLS, anon has nothing, the RPC is invoker-rights and read-only.
begin;
select plan(13);

select tables_are('public', array['merchants', 'merchant_members', 'platform_admins',
  'interview_defs', 'interview_def_questions', 'interview_results', 'interview_result_questions'],
  'public holds exactly the product tables');

select is_empty($$
  select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname in ('public', 'private') and c.relkind in ('r', 'p') and not c.relrowsecurity
$$, 'every table has row level security enabled');

select is_empty($$
  select table_name, privilege_type from information_schema.role_table_grants
  where grantee = 'anon' and table_schema = 'public'
$$, 'anon holds no privilege on any public table');

select is_empty($$
  select table_name, privilege_type from information_schema.role_table_grants
  where grantee = 'authenticated' and table_schema = 'public' and privilege_type <> 'SELECT'
$$, 'authenticated can only read');

select ok(not has_function_privilege('anon', 'public.interview_transcript(uuid, text)', 'execute'),
  'anon cannot execute interview_transcript');
select ok(has_function_privilege('authenticated', 'public.interview_transcript(uuid, text)', 'execute'),
  'authenticated can execute interview_transcript');
select ok(not has_schema_privilege('anon', 'private', 'usage'), 'anon cannot use the private schema');

-- The RPC decides access once (private.result_access, the results policy's rule) and reads as its
-- owner; 050_rpc_agrees_with_policies proves the decision equals RLS for every caller.
select is(
  (select p.prosecdef from pg_proc p where p.oid = 'public.interview_transcript(uuid, text)'::regprocedure),
  true, 'interview_transcript is security definer: it decides access once, then reads');
select is_empty($$
  select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where p.prosecdef and n.nspname in ('public', 'private')
    and not coalesce(p.proconfig, '{}') @> array['search_path=""']
$$, 'every security definer function pins an empty search_path');
select volatility_is('public', 'interview_transcript', array['uuid', 'text'], 'stable',
  'interview_transcript is stable (PostgREST runs it read-only)');

select is(
  (select public from storage.buckets where id = 'private-recordings'), false,
  'the private-recordings bucket exists and is private');

-- auth.uid() wrapped in a sub-select is evaluated once per statement, not once per row.
select is_empty($$
  select policyname from pg_policies
  where schemaname = 'public'
    and regexp_replace(coalesce(qual, '') || coalesce(with_check, ''), '\(\s*SELECT auth\.uid\(\) AS uid\)', '', 'g') ~ 'auth\.uid\(\)'
$$, 'policies call auth.uid() once per statement');

select is_empty($$
  select policyname from pg_policies where schemaname = 'public' and 'anon' = any (roles)
$$, 'no policy grants anon anything');

select * from finish();
rollback;
