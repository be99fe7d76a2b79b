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
