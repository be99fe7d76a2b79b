-- Writes the records the edge function logged because it could not write them
-- (`"event":"access_record_unwritten"` lines, docs/access-log.md), as the database owner or the
-- service role, once the cause is gone. Takes one record, a list of records, a log line
-- ({"record": ...} or {"records": [...]}) or a list of lines. Each record is written as a live
-- one would be (private.write_interview_access), for the reader its `reader` names (the claims
-- of the token PostgREST verified for the read) at its `at`, marked replayed; its capacity is
-- decided now, by the same rule. Idempotent: a record whose reader already has one for that
-- result and request id (written live after all, or replayed before) is not written again.
-- Returns each record's request id and what became of it:
--   written | already recorded | expired (its month is past the retention) |
--   not written: the reader may not see this result now | not written: <why the record is invalid>
create function private.replay_interview_access(p_records jsonb)
returns table (request_id text, outcome text)
language plpgsql volatile security definer set search_path = '' as $$
declare
  v_uuid constant text := '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
  v_claims text := current_setting('request.jwt.claims', true);
  v_claim_sub text := current_setting('request.jwt.claim.sub', true);
  v_kept_from timestamptz := private.interview_access_log_kept_from(now());
  v_record jsonb;
  v_reader jsonb;
  v_at timestamptz;
  v_user uuid;
begin
  for v_record in
    select r.value
    from pg_catalog.jsonb_array_elements(case pg_catalog.jsonb_typeof(p_records)
      when 'array' then p_records else pg_catalog.jsonb_build_array(p_records) end)
      with ordinality line (value, n),
    lateral pg_catalog.jsonb_array_elements(case
      when pg_catalog.jsonb_typeof(line.value -> 'records') = 'array' then line.value -> 'records'
      when line.value ? 'record' then pg_catalog.jsonb_build_array(line.value -> 'record')
      else pg_catalog.jsonb_build_array(line.value) end) with ordinality r (value, n)
    order by line.n, r.n
  loop
    request_id := v_record ->> 'request_id';
    begin
      v_reader := v_record -> 'reader';
      if pg_catalog.jsonb_typeof(v_reader) is distinct from 'object'
        or v_reader ->> 'role' is null
        or v_reader ->> 'role' not in ('authenticated', 'service_role') then
        raise exception using errcode = '22023',
          message = 'reader.role must be authenticated or service_role.';
      elsif v_reader ->> 'role' = 'authenticated' and coalesce(v_reader ->> 'sub', '') !~ v_uuid then
        raise exception using errcode = '22023', message = 'reader.sub must be a user id.';
      elsif (v_reader ->> 'session_id') !~ v_uuid then
        raise exception using errcode = '22023', message = 'reader.session_id must be a uuid or null.';
      end if;
      v_at := (v_record ->> 'at')::timestamptz;
      if v_at is null or v_at > now() + interval '5 minutes' then
        raise exception using errcode = '22023', message = 'at must be when the answer was given.';
      end if;
      v_user := case when v_reader ->> 'role' = 'authenticated' then (v_reader ->> 'sub')::uuid end;

      if v_at < v_kept_from then
        outcome := 'expired';
      else
        -- Replays of the same record, at once, write it once.
        perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('replay_interview_access'),
          pg_catalog.hashtext(concat_ws(' ', v_record ->> 'interview_result_id', request_id, v_user)));
        if exists (
          select 1 from private.interview_access_log l
          where l.interview_result_id = (v_record ->> 'interview_result_id')::uuid
            and l.request_id = replay_interview_access.request_id
            and l.reader_user_id is not distinct from v_user
        ) then
          outcome := 'already recorded';
        else
          -- The reader as PostgREST had them, for this record only.
          perform set_config('request.jwt.claim.sub', '', true);
          perform set_config('request.jwt.claims', pg_catalog.jsonb_strip_nulls(
            pg_catalog.jsonb_build_object('role', v_reader -> 'role', 'sub', v_reader -> 'sub',
              'session_id', v_reader -> 'session_id'))::text, true);
          outcome := case when private.write_interview_access(
              (v_record ->> 'interview_result_id')::uuid, v_reader ->> 'role', v_record ->> 'view',
              (v_record ->> 'recordings_signed')::integer, (v_record ->> 'links_expire_in')::integer,
              request_id, v_record ->> 'origin', v_at, true) is null
            then 'not written: the reader may not see this result now'
            else 'written' end;
        end if;
      end if;
    exception when invalid_parameter_value or invalid_text_representation
      or invalid_datetime_format or datetime_field_overflow or numeric_value_out_of_range
      or check_violation then
      outcome := 'not written: ' || sqlerrm;
    end;
    return next;
  end loop;
  perform set_config('request.jwt.claims', coalesce(v_claims, ''), true);
  perform set_config('request.jwt.claim.sub', coalesce(v_claim_sub, ''), true);
end;
$$;

-- The owner, and the service role: it may use the schema (the Data API serves `public` only, so
-- this is for SQL sessions) and call this function of it.
revoke execute on function private.replay_interview_access(jsonb) from public;
grant usage on schema private to service_role;
grant execute on function private.replay_interview_access(jsonb) to service_role;
