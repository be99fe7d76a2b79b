-- public.interview_access_log: who has read this interview result, newest first, for those
-- entitled (docs/access-log.md):
--   - platform admins and the service role: every record, whole;
--   - an owner (merchant_owner) of the result's merchant or of one above it, once the result is
--     submitted (as the transcript's access walks up): every record, whole;
--   - the candidate, of their own result: every record, but a reader's user id, the request id
--     and the calling origin only of their own reads (who at an organisation read it, and from
--     which of its hosts, is not theirs to know; when, which organisation, in what capacity and
--     what was shared are);
--   - anyone else, and anyone for a result they may not see or that doesn't exist: no rows
--     (platform admins and the service role still read the records of a result erased since).
-- Stable: PostgREST runs it read-only, by GET or POST (supabase-js rpc(), with { get: true } or not).
create function public.interview_access_log(p_interview_result_id uuid)
returns table (
  accessed_at timestamptz,
  reader_kind text,
  reader_role text,
  reader_user_id uuid,
  reader_merchant_id uuid,
  merchant_id uuid,
  view text,
  recordings_signed integer,
  recordings_valid_until timestamptz,
  request_id text,
  origin text,
  replayed boolean
)
language plpgsql stable security definer set search_path = '' as $$
declare
  v_result public.interview_results;
  v_kind text;
  v_me uuid;
begin
  perform private.require_live_session();
  select * into v_result from public.interview_results r where r.id = p_interview_result_id;
  -- A result erased since: its records outlive it, and those who read everything still read
  -- them. Decided as for a result known by its id alone, which gives platform admins and the
  -- service role their capacity and no one else any.
  v_result.id := p_interview_result_id;
  v_kind := private.result_access(v_result);
  v_me := (select auth.uid());

  if v_kind in ('platform_admin', 'server') or (v_kind = 'merchant_member' and exists (
    select 1 from private.merchant_membership(v_result.merchant_id) m
    where m.role = 'merchant_owner'
  )) then
    return query
      select l.accessed_at, l.reader_kind, l.reader_role, l.reader_user_id, l.reader_merchant_id,
        l.merchant_id, l.view, l.recordings_signed, l.recordings_valid_until, l.request_id,
        l.origin, l.replayed
      from private.interview_access_log l
      where l.interview_result_id = v_result.id
      order by l.accessed_at desc, l.id desc;
  elsif v_kind <> 'none' and v_result.candidate_id = v_me then
    -- Each column the candidate is shown, and what of it.
    return query
      select l.accessed_at, l.reader_kind, l.reader_role,
        case when l.reader_user_id = v_me then l.reader_user_id end,
        l.reader_merchant_id, l.merchant_id, l.view, l.recordings_signed,
        l.recordings_valid_until,
        case when l.reader_user_id = v_me then l.request_id end,
        case when l.reader_user_id = v_me then l.origin end, l.replayed
      from private.interview_access_log l
      where l.interview_result_id = v_result.id
      order by l.accessed_at desc, l.id desc;
  end if;
end;
$$;

comment on function public.interview_access_log(uuid) is
  'Who has read this interview result, newest first: everything for platform admins, the service role and owners of its merchant (or one above); the candidate''s own result with others'' user ids, request ids and origins hidden; nothing for anyone else, as for a result that does not exist.';

revoke execute on function public.interview_access_log(uuid) from public, anon;
grant execute on function public.interview_access_log(uuid) to authenticated, service_role;
