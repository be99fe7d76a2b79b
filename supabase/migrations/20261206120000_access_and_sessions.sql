-- Who may read a result, decided in Postgres: the Data API's door closed on the tables, the
-- `private` schema, the access decision (private.result_access) and the live-session check
-- (private.require_live_session). The current definition of each object is in supabase/schemas/.
--
-- Safe on a live database: GRANT and REVOKE take no lock on the tables, and the rest creates a
-- schema and functions. Fails fast rather than queueing readers behind it (lock_timeout); on a
-- timeout nothing is applied: run the push again.
set local lock_timeout = '750ms';
set local statement_timeout = '60s';

-- One door to candidates' data: public.interview_transcript. The Data API exposes `public`
-- (config.toml), and table policies choose rows, not columns: a candidate holding SELECT on
-- interview_results would read its recruiter-only columns. So the API roles hold no privilege on
-- any table (REST answers 42501, GraphQL reflects nothing), and no policy is written for them:
-- with RLS on and no policy, a privilege granted later by mistake still shows no row. The RPC,
-- security definer, decides access and what the caller sees.
revoke all on table public.merchants, public.merchant_members, public.platform_admins,
  public.interview_defs, public.interview_def_questions, public.interview_results,
  public.interview_result_questions
  from anon, authenticated;

-- JobMojito's writers use the service role. Projects created since 2026-10-30 grant nothing in
-- `public` by default, so what they need is granted here rather than assumed.
grant select, insert, update, delete on table public.merchants, public.merchant_members,
  public.platform_admins, public.interview_defs, public.interview_def_questions,
  public.interview_results, public.interview_result_questions
  to service_role;

-- private: what the API does not expose. The RPC and what it calls run as their owner, so no API
-- role needs anything here: no usage, and no function callable by PUBLIC unless granted (each
-- file that creates functions here revokes PostgreSQL's default from them).
create schema private;
revoke all on schema private from public;

-- True when the caller is a platform admin. plpgsql, so its plan is cached: an SQL function with
-- a SET clause is never inlined and is planned again on every call.
create function private.is_platform_admin() returns boolean
language plpgsql stable security definer set search_path = '' as $$
begin
  return exists (
    select 1 from public.platform_admins a where a.user_id = (select auth.uid())
  );
end;
$$;

-- True when the caller is a member of this merchant or of any merchant above it: one statement
-- walking up the parents (index lookups, as many as the merchant is deep), not down the caller's
-- whole tree (2,000 merchants for a reviewer of a wide one). Bounded, so a corrupt parent cycle
-- can't loop.
create function private.can_review_merchant(p_merchant_id uuid) returns boolean
language plpgsql stable security definer set search_path = '' as $$
begin
  return exists (
    with recursive up (id, depth) as (
      select p_merchant_id, 0
      union all
      select m.parent_merchant_id, up.depth + 1
      from up join public.merchants m on m.id = up.id
      where m.parent_merchant_id is not null and up.depth < 32
    )
    select 1 from up
    join public.merchant_members mm on mm.merchant_id = up.id
    where mm.user_id = (select auth.uid())
  );
end;
$$;

-- In what capacity the caller reads one result:
--   'candidate'        their own, in any state, seen through private.candidate_visibility;
--   'merchant_member'  a member of its merchant or of one above it, once submitted;
--   'platform_admin'   JobMojito's staff;
--   'server'           a role that bypasses RLS (the service role, the owner): no user;
--   'none'             anyone else, and any caller for a result that doesn't exist.
-- Every check runs whatever the row holds (a row of nulls for a result that doesn't exist), so
-- that deciding takes the same steps for a hidden result as for a missing one. A caller who is
-- more than one (an admin reading their own interview) gets the capacity that sees the most.
create function private.result_access(p_result public.interview_results) returns text
language plpgsql stable security definer set search_path = '' as $$
declare
  v_role text := current_setting('role', true);
  v_admin boolean;
  v_member boolean;
begin
  if v_role = 'authenticated' then
    v_admin := private.is_platform_admin();
    v_member := private.can_review_merchant(p_result.merchant_id);
    if p_result.id is null then
      return 'none';
    elsif v_admin then
      return 'platform_admin';
    elsif v_member and p_result.submitted_at is not null then
      return 'merchant_member';
    elsif p_result.candidate_id = (select auth.uid()) then
      return 'candidate';
    end if;
    return 'none';
  end if;
  if p_result.id is not null and exists (
    select 1 from pg_catalog.pg_roles r
    where r.rolname = coalesce(nullif(v_role, 'none'), session_user)
      and (r.rolbypassrls or r.rolsuper)
  ) then
    return 'server';
  end if;
  return 'none';
end;
$$;

-- A session that has ended reads nothing. Raises unless the caller's token belongs to a live
-- session, checked where the RPC runs, against Auth's own tables (no round trip, nothing cached):
--   PT401 (PostgREST answers 401) when the session is gone (signed out in any scope, revoked,
--     its user deleted), past its not_after, or its user banned, or the token names no user;
--   PT409 (HTTP 409) on a read replica, which may simply not have replayed a session created a
--     moment ago: the function then asks the primary. Not 421, which RFC 9110 lets a client or
--     proxy retry by itself.
-- Only `authenticated` is checked: the service role and the owner have no session. A token
-- without a session_id claim (Auth's own tokens always carry one) is held to its user instead, as
-- Auth's GET /user holds it. A replica still finds a session until it replays the sign-out.
create function private.require_live_session() returns void
language plpgsql stable security definer set search_path = '' as $$
declare
  v_claims jsonb;
  v_sub text;
  v_session text;
  v_uuid constant text := '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
begin
  if current_setting('role', true) is distinct from 'authenticated' then
    return;
  end if;
  v_claims := nullif(current_setting('request.jwt.claims', true), '')::jsonb;
  v_sub := v_claims ->> 'sub';
  v_session := v_claims ->> 'session_id';
  if v_sub is null or v_sub !~ v_uuid then
    raise exception using errcode = 'PT401', message = 'The access token names no user.';
  end if;
  if v_session is not null and v_session <> '00000000-0000-0000-0000-000000000000' then
    if v_session ~ v_uuid and exists (
      select 1 from auth.sessions s join auth.users u on u.id = s.user_id
      where s.id = v_session::uuid and s.user_id = v_sub::uuid
        and (s.not_after is null or s.not_after > now())
        and u.deleted_at is null and (u.banned_until is null or u.banned_until <= now())
    ) then
      return;
    end if;
  elsif exists (
    select 1 from auth.users u
    where u.id = v_sub::uuid and u.deleted_at is null
      and (u.banned_until is null or u.banned_until <= now())
  ) then
    return;
  end if;
  if pg_catalog.pg_is_in_recovery() then
    raise exception using errcode = 'PT409',
      message = 'This replica has not seen the session; ask the primary.';
  end if;
  raise exception using errcode = 'PT401', message = 'The session has ended.';
end;
$$;

-- No function in private is callable by PUBLIC (PostgreSQL's default for a new function, which a
-- schema's default privileges can't take away): only where a grant says so.

