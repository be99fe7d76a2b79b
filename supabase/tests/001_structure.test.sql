-- Structure: every table has RLS and no policy, the API roles hold nothing on any table, the RPC
-- is the one door (security definer, read-only), the candidate's rules have their reasons.
begin;
select plan(19);

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
  where grantee in ('anon', 'authenticated') and table_schema in ('public', 'private')
$$, 'the API roles hold no privilege on any table: the RPC is the door');
select is_empty($$
  select table_name, column_name, privilege_type from information_schema.column_privileges
  where grantee in ('anon', 'authenticated', 'PUBLIC') and table_schema in ('public', 'private')
$$, 'nor on any column');
select is_empty($$
  select schemaname, tablename, policyname from pg_policies where schemaname in ('public', 'private')
$$, 'no table policy remains: a privilege granted by mistake shows no row');
select is_empty($$
  select t.table_name, p.privilege
  from information_schema.tables t
  cross join unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p (privilege)
  where t.table_schema = 'public' and t.table_type = 'BASE TABLE'
    and not has_table_privilege('service_role', format('public.%I', t.table_name), p.privilege)
$$, 'the service role, which writers use, reads and writes every table');
select is_empty($$
  select path from private.candidate_visibility where coalesce(reason, '') = ''
$$, 'every rule of what the candidate sees has its reason');
select is_empty($$
  select c.path, p.candidate from private.candidate_visibility c
  join private.candidate_visibility p on p.path = c.parent
  where p.candidate in ('whole', 'names')
$$, 'no rule sits inside a value shown whole or inside a list of names: it would say nothing');

select ok(not has_function_privilege('anon', 'public.interview_transcript(uuid, text)', 'execute'),
  'anon cannot execute interview_transcript');
select ok(has_function_privilege('authenticated', 'public.interview_transcript(uuid, text)', 'execute'),
  'authenticated can execute interview_transcript');
select ok(not has_schema_privilege('anon', 'private', 'usage')
  and not has_schema_privilege('authenticated', 'private', 'usage'),
  'the API roles cannot use the private schema');

-- The RPC decides access once (private.result_access) and reads as its owner; 010 holds the
-- decision to every caller and result, 015 the tables to refusing every caller directly.
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

-- PostgreSQL lets PUBLIC execute a new function; in private, each file revokes that: only the
-- grants written beside a function let a role call it (the RPCs call them as their owner).
select is_empty($$
  select format('%s to %s', p.oid::regprocedure, r.rolname)
  from pg_proc p
  join pg_namespace n on n.oid = p.pronamespace
  cross join (values ('anon'), ('authenticated')) r (rolname)
  where n.nspname = 'private' and has_function_privilege(r.rolname, p.oid, 'execute')
$$, 'no function in private is executable by anon or authenticated');

select * from finish();
rollback;
