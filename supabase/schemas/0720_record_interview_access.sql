-- Writes one access record for a reader: its user and session are the token's claims
-- (request.jwt.claims, as PostgREST set them from the token it verified), p_role its database
-- role. The one writer behind a live record (public.record_interview_access) and a replayed one
-- (private.replay_interview_access):
--   1. The arguments are checked: 22023 (PostgREST answers 400) on anything else.
--   2. A live record needs a live session, as the read did (private.require_live_session).
--   3. The capacity is the transcript's own decision (private.result_access), for the same
--      reader; a member's role and merchant are their membership's (private.merchant_membership).
--      A reader who may not see the result gets null, and nothing is written.
--   4. recordings_valid_until is p_at rounded up to the second, plus the links' lifetime.
create function private.write_interview_access(
  p_interview_result_id uuid,
  p_role text,
  p_view text,
  p_recordings_signed integer,
  p_links_expire_in integer,
  p_request_id text,
  p_origin text,
  p_at timestamptz,
  p_replayed boolean
) returns uuid
language plpgsql volatile security definer set search_path = '' as $$
declare
  v_uuid constant text := '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
  v_result public.interview_results;
  v_kind text;
  v_session text;
  v_member_merchant_id uuid;
  v_member_role text;
  v_id uuid;
begin
  if p_interview_result_id is null then
    raise exception using errcode = '22023', message = 'p_interview_result_id is required.';
  elsif p_view is null or p_view not in ('full', 'condensed', 'standard', 'summary') then
    raise exception using errcode = '22023', message = format('Invalid view %L', p_view),
      hint = 'Use one of: full, condensed, standard, summary.';
  elsif p_recordings_signed is null or p_recordings_signed not between 0 and 10000 then
    raise exception using errcode = '22023',
      message = 'p_recordings_signed is how many recording links went out: 0 to 10000.';
  elsif (p_recordings_signed = 0) <> (p_links_expire_in is null)
    or p_links_expire_in not between 1 and 604800 then
    raise exception using errcode = '22023',
      message = 'p_links_expire_in is the links'' lifetime in seconds (1 to 604800) when links went out, and null when none did.';
  elsif p_request_id is null or p_request_id !~ '^[A-Za-z0-9_=-]{1,128}$' then
    raise exception using errcode = '22023',
      message = 'p_request_id is the answer''s X-Request-Id: 1 to 128 of A-Z a-z 0-9 _ = -.';
  elsif pg_catalog.length(p_origin) > 255
    or p_origin !~ '^[A-Za-z][A-Za-z0-9+.-]*://[]A-Za-z0-9.:[-]+$' then
    raise exception using errcode = '22023',
      message = 'p_origin is the request''s Origin (scheme://host[:port], at most 255 characters) or null.';
  end if;

  if not p_replayed then
    perform private.require_live_session();
  end if;

  -- A row of nulls when the result doesn't exist: decided by the same steps as a hidden one.
  select * into v_result from public.interview_results r where r.id = p_interview_result_id;
  v_kind := private.result_access(v_result, p_role);
  if v_kind = 'none' then
    return null;
  elsif v_kind = 'merchant_member' then
    select m.merchant_id, m.role into v_member_merchant_id, v_member_role
    from private.merchant_membership(v_result.merchant_id) m;
  end if;
  v_session := nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'session_id';

  insert into private.interview_access_log (accessed_at, recordings_valid_until, interview_result_id,
    merchant_id, reader_user_id, reader_session_id, reader_merchant_id, recordings_signed, replayed,
    reader_kind, reader_role, view, request_id, origin)
  values (p_at,
    pg_catalog.to_timestamp(pg_catalog.ceil(extract(epoch from p_at)) + p_links_expire_in),
    v_result.id, v_result.merchant_id,
    case when v_kind <> 'server' then (select auth.uid()) end,
    case when v_kind <> 'server' and v_session ~ v_uuid
      and v_session <> '00000000-0000-0000-0000-000000000000' then v_session::uuid end,
    v_member_merchant_id, p_recordings_signed, p_replayed,
    v_kind, v_member_role, p_view, p_request_id, p_origin)
  returning id into v_id;
  return v_id;
end;
$$;
revoke execute on function private.write_interview_access(uuid, text, text, integer, integer, text,
  text, timestamptz, boolean) from public;

-- public.record_interview_access: the record of one answer that disclosed a result, written by
-- the edge function with the reader's own credential, on the primary (docs/access-log.md). Who
-- read, and in what capacity, come from the token PostgREST verified, never from an argument; the
-- arguments say only what was read and how:
--   p_view               full | condensed | standard | summary
--   p_recordings_signed  how many recording links went out with the answer (0: none)
--   p_links_expire_in    their lifetime in seconds; null when none went out
--   p_request_id         the answer's X-Request-Id
--   p_origin             the request's Origin header, or null
-- Returns the record's id; null, with nothing written, when the caller may not see the result.
create function public.record_interview_access(
  p_interview_result_id uuid,
  p_view text,
  p_recordings_signed integer,
  p_links_expire_in integer,
  p_request_id text,
  p_origin text
) returns uuid
language plpgsql volatile security definer set search_path = '' as $$
begin
  return private.write_interview_access(p_interview_result_id, current_setting('role', true),
    p_view, p_recordings_signed, p_links_expire_in, p_request_id, p_origin, now(), false);
end;
$$;

comment on function public.record_interview_access(uuid, text, integer, integer, text, text) is
  'Records that the caller was just answered this interview result (one record per disclosing answer; the edge function calls it). The reader and their capacity come from the verified token; returns the record id, or null when the caller may not see the result.';

-- Signed-in users and the service role, as for interview_transcript.
revoke execute on function public.record_interview_access(uuid, text, integer, integer, text, text)
  from public, anon;
grant execute on function public.record_interview_access(uuid, text, integer, integer, text, text)
  to authenticated, service_role;
