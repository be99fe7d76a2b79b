-- The upstream tier's own fixtures: small functions and one table in `public`, named `upstream_*`,
-- standing for those PostgREST's spec suite calls (test/spec/fixtures/schema.sql at v16.2; the
-- name each copies is given). Created idempotently by the tier before its cases run, on the local
-- stack or a real one; every grant explicit, as on a project with no default grants.
set lock_timeout = '5s';

create table if not exists public.upstream_simple_pk (k text primary key, extra text);
insert into public.upstream_simple_pk values ('xyyx', 'u'), ('xYYx', 'v') on conflict do nothing;
create table if not exists public.upstream_uuids (id uuid primary key);
create sequence if not exists public.upstream_callcounter_seq;

-- A function for everyone (sayhello).
create or replace function public.upstream_sayhello(name text) returns text
language sql immutable as $$ select 'Hello, ' || name $$;

-- add_them, three_defaults.
create or replace function public.upstream_add_them(a integer, b integer) returns integer
language sql immutable as $$ select a + b $$;
create or replace function public.upstream_three_defaults(a integer default 1, b integer default 2,
  c integer default 3) returns integer
language sql immutable as $$ select a + b + c $$;

-- getitemrange: a set of rows (id) between min and max.
create or replace function public.upstream_getitemrange(min integer, max integer)
returns table (id integer)
language sql stable as $$ select g from generate_series(min + 1, max) g $$;

create or replace function public.upstream_ret_setof_integers() returns setof integer
language sql stable as $$ values (1), (2), (3) $$;

-- ret_point_2d: a composite (OUT parameters).
create or replace function public.upstream_ret_point_2d(out x integer, out y integer)
language sql stable as $$ select 10, 5 $$;

create or replace function public.upstream_ret_void() returns void language sql as '';

create or replace function public.upstream_ret_null() returns integer
language sql stable as $$ select null::integer $$;

create or replace function public.upstream_json_argument(arg json) returns text
language sql immutable as $$ select json_typeof(arg) $$;

create or replace function public.upstream_noparamsproc() returns text
language sql immutable as $$ select 'Return value of no parameters procedure.' $$;

-- callcounter: VOLATILE and it writes (nextval).
create or replace function public.upstream_callcounter() returns bigint
language sql volatile as $$ select nextval('public.upstream_callcounter_seq') $$;

-- A STABLE function that writes all the same (setprojects, declared wrongly).
create or replace function public.upstream_stable_writer() returns bigint
language sql stable as $$ select nextval('public.upstream_callcounter_seq') $$;

-- VOLATILE (plpgsql's default) and only reads, as raise_pt402 is.
create or replace function public.upstream_volatile_reader() returns integer
language plpgsql as $$ begin return 1; end $$;

create or replace function public.upstream_problem() returns void
language plpgsql as $$ begin raise 'bad thing'; end $$;

create or replace function public.upstream_assert() returns void
language plpgsql as $$ begin assert false, 'asserting false'; end $$;

create or replace function public.upstream_raise_pt402() returns void
language plpgsql as $$
begin
  raise sqlstate 'PT402' using message = 'Payment Required', detail = 'Quota exceeded',
    hint = 'Upgrade your plan';
end $$;

create or replace function public.upstream_raise_bad_pt() returns void
language plpgsql as $$ begin raise sqlstate 'PT40A' using message = 'Wrong'; end $$;

create or replace function public.upstream_raise_sqlstate_test1() returns void
language plpgsql as $$
begin
  raise sqlstate 'PGRST' using
    message = '{"code":"123","message":"ABC","details":"DEF","hint":"XYZ"}',
    detail = '{"status":332,"status_text":"My Custom Status","headers":{"X-Header":"str"}}';
end $$;

create or replace function public.upstream_raise_sqlstate_invalid_json_message() returns void
language plpgsql as $$
begin
  raise sqlstate 'PGRST' using message = 'INVALID',
    detail = '{"status":332,"headers":{"X-Header":"str"}}';
end $$;

create or replace function public.upstream_raise_sqlstate_missing_details() returns void
language plpgsql as $$
begin
  raise sqlstate 'PGRST' using message = '{"code":"123","message":"ABC","details":"DEF"}';
end $$;

-- Any SQLSTATE, for the status mapping (Error.hs `mapSQLtoHTTP`).
create or replace function public.upstream_raise(code text, msg text default 'raised')
returns void language plpgsql as $$ begin raise exception using errcode = code, message = msg; end $$;

-- bad_subquery: more than one row returned by a subquery (21000).
create or replace function public.upstream_bad_subquery() returns integer
language sql stable as $$ select (select g from generate_series(1, 2) g) $$;

-- get_guc_value: a request setting, or one key of a JSON one.
create or replace function public.upstream_get_guc_value(name text, prefix text default null)
returns text
language sql stable as $$
  select case when prefix is null then current_setting(name, true)
    else current_setting(prefix, true)::json ->> name end
$$;

create or replace function public.upstream_reveal_claims() returns json
language sql stable as $$ select current_setting('request.jwt.claims', true)::json $$;

-- privileged_hello and authors_only: not for anon.
create or replace function public.upstream_privileged_hello(name text) returns text
language sql immutable as $$ select 'Privileged hello to ' || name $$;
create or replace function public.upstream_authors_only() returns text
language sql stable as $$ select current_user::text $$;
-- Only the service role.
create or replace function public.upstream_service_only() returns text
language sql stable as $$ select current_user::text $$;

-- Every fixture function for the API roles, except those kept from anon (privileged_hello,
-- authors_only) and from all but the service role (service_only).
do $$
declare
  f record;
begin
  for f in
    select p.oid::regprocedure as sig, p.proname as name
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public' and p.proname like 'upstream\_%'
  loop
    execute format('revoke all on function %s from public, anon, authenticated, service_role', f.sig);
    execute format('grant execute on function %s to %s', f.sig, case
      when f.name = 'upstream_service_only' then 'service_role'
      when f.name in ('upstream_privileged_hello', 'upstream_authors_only')
        then 'authenticated, service_role'
      else 'anon, authenticated, service_role' end);
  end loop;
end $$;

grant usage, select on sequence public.upstream_callcounter_seq to anon, authenticated, service_role;
revoke all on public.upstream_simple_pk, public.upstream_uuids from anon, authenticated;
grant select on public.upstream_simple_pk, public.upstream_uuids to anon, authenticated, service_role;

notify pgrst, 'reload schema';
