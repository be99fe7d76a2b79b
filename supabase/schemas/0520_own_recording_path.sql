-- A recording's storage path when it belongs to its result: it starts with
-- <merchant_id>/<result_id>/ (JobMojito's layout in the private-recordings bucket) and none of
-- its segments is empty, '.' or '..'. Otherwise null, for every reader: the function signs the
-- paths the RPC returns, so a path a writer got wrong (another merchant's recording, say) must
-- reach no one.
create function private.own_recording_path(
  p_path text,
  p_merchant_id uuid,
  p_result_id uuid
) returns text
language plpgsql immutable set search_path = '' as $$
begin
  if pg_catalog.starts_with(p_path, p_merchant_id::text || '/' || p_result_id::text || '/')
    and p_path !~ '(^|/)\.{0,2}(/|$)' then
    return p_path;
  end if;
  return null;
end;
$$;
