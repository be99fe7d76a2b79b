-- Access decided once per call, by walking up the merchant tree from the result's merchant: its
-- depth, not the tree's breadth. Before, every statement's policies built the list of every
-- merchant below the caller's (2,000 for a reviewer of a wide tree) and the RPC paid for it in
-- each of its statements; a reviewer's call cost up to 24x the same call as service_role.
--
-- Who sees what does not change: the candidate their own results, members of the owning
-- merchant or of any merchant above it once submitted, platform admins everything. The table
-- policies use the same up-walk, and the RPC decides with the same functions once, then reads as
-- its owner; supabase/tests/050_rpc_agrees_with_policies.test.sql proves the two agree for
-- every caller and result.

-- Unchanged rule; plpgsql now, so its plan is cached: an SQL function with a SET clause is never
-- inlined and is planned again on every call, which the per-call access decision would pay.
create or replace function private.is_platform_admin()
returns boolean
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return exists (
    select 1 from public.platform_admins a where a.user_id = (select auth.uid())
  );
end;
$$;

-- True when the caller is a member of this merchant or of any merchant above it: one statement
-- walking up the parents (index lookups, as many as the merchant is deep). Security definer so
-- it reads merchants and memberships without recursing into their policies; bounded, so a
-- corrupt parent cycle can't loop.
create function private.can_review_merchant(p_merchant_id uuid)
returns boolean
language plpgsql stable security definer
set search_path = ''
as $$
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

revoke execute on function private.can_review_merchant(uuid) from public, anon;
grant execute on function private.can_review_merchant(uuid) to authenticated, service_role;

-- The policies that walked down now walk up.
drop policy "Members, their parents' members and admins can read merchants" on public.merchants;
create policy "Members, their parents' members and admins can read merchants"
  on public.merchants for select to authenticated
  using (private.can_review_merchant(id) or (select private.is_platform_admin()));

drop policy "Reviewers, admins and candidates can read definitions" on public.interview_defs;
create policy "Reviewers, admins and candidates can read definitions"
  on public.interview_defs for select to authenticated
  using (
    private.can_review_merchant(merchant_id)
    or (select private.is_platform_admin())
    or exists (
      select 1 from public.interview_results r
      where r.candidate_id = (select auth.uid()) and r.interview_def_id = interview_defs.id
    )
  );

drop policy "Candidates, their reviewers and admins can read results" on public.interview_results;
create policy "Candidates, their reviewers and admins can read results"
  on public.interview_results for select to authenticated
  using (
    candidate_id = (select auth.uid())
    or (submitted_at is not null and private.can_review_merchant(merchant_id))
    or (select private.is_platform_admin())
  );

drop function private.reviewable_merchant_ids();

-- What the caller may do with one result: 'none' (the same as not found), 'candidate' (their own,
-- recruiter-only data redacted), or 'all'. The results policy's rule, decided once. The policies
-- are for `authenticated`; any other role sees everything when it bypasses RLS (service_role,
-- the owner) and nothing otherwise, as through the tables.
create function private.result_access(p_result public.interview_results)
returns text
language plpgsql stable security definer
set search_path = ''
as $$
declare
  v_role text := current_setting('role', true);
begin
  if v_role = 'authenticated' then
    if (select private.is_platform_admin())
      or (p_result.submitted_at is not null and private.can_review_merchant(p_result.merchant_id))
    then
      return 'all';
    end if;
    return case when p_result.candidate_id = (select auth.uid()) then 'candidate' else 'none' end;
  end if;
  return case when exists (
    select 1 from pg_catalog.pg_roles r
    where r.rolname = coalesce(nullif(v_role, 'none'), session_user)
      and (r.rolbypassrls or r.rolsuper)
  ) then 'all' else 'none' end;
end;
$$;

revoke execute on function private.result_access(public.interview_results) from public, anon;
grant execute on function private.result_access(public.interview_results)
  to authenticated, service_role;
