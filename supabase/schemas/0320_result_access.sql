-- In what capacity a reader in database role p_role reads one result (the user, if any, is the
-- token's: auth.uid()):
--   'candidate'        their own, in any state, seen through private.candidate_visibility;
--   'merchant_member'  a member of its merchant or of one above it, once submitted;
--   'platform_admin'   JobMojito's staff;
--   'server'           a role that bypasses RLS (the service role, the owner): no user;
--   'none'             anyone else, and any caller for a result that doesn't exist.
-- Every check runs whatever the row holds (a row of nulls for a result that doesn't exist), so
-- that deciding takes the same steps for a hidden result as for a missing one. A caller who is
-- more than one (an admin reading their own interview) gets the capacity that sees the most.
-- The role is an argument so that a read logged by the function and replayed later
-- (private.replay_interview_access) is judged by this same rule as the reader it names.
create function private.result_access(p_result public.interview_results, p_role text)
returns text
language plpgsql stable security definer set search_path = '' as $$
declare
  v_admin boolean;
  v_member boolean;
begin
  if p_role = 'authenticated' then
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
    where r.rolname = coalesce(nullif(p_role, 'none'), session_user)
      and (r.rolbypassrls or r.rolsuper)
  ) then
    return 'server';
  end if;
  return 'none';
end;
$$;
revoke execute on function private.result_access(public.interview_results, text) from public;

-- The caller's capacity: their role as PostgREST set it from the verified token.
create function private.result_access(p_result public.interview_results) returns text
language plpgsql stable security definer set search_path = '' as $$
begin
  return private.result_access(p_result, current_setting('role', true));
end;
$$;
