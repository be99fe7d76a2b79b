-- Who sees what. RLS on every table; the RPC runs as the caller, so these policies decide what
-- it can read. The helpers are security definer so policies don't recurse into each other's
-- RLS, and live in `private`, which the API does not expose.

create schema private;
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- True when the caller is a platform admin.
create function private.is_platform_admin()
returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.platform_admins a where a.user_id = (select auth.uid())
  )
$$;

-- Every merchant whose results the caller may review: those they are a member of and all the
-- sub-merchants below them. Walked level by level so every step is an index scan on
-- parent_merchant_id (a recursive CTE gets a hash join over all merchants). Policies call it once
-- per statement through `(select ...)`.
create function private.reviewable_merchant_ids()
returns uuid[]
language plpgsql stable security definer
set search_path = ''
as $$
declare
  v_ids uuid[];
  v_level uuid[];
  v_depth integer := 0;
begin
  v_ids := array(
    select m.merchant_id from public.merchant_members m where m.user_id = (select auth.uid())
  );
  v_level := v_ids;
  -- Bounded: a corrupt parent cycle can't loop forever.
  while cardinality(v_level) > 0 and v_depth < 32 loop
    v_level := array(
      select c.id from public.merchants c
      where c.parent_merchant_id = any (v_level) and not c.id = any (v_ids)
    );
    v_ids := v_ids || v_level;
    v_depth := v_depth + 1;
  end loop;
  return v_ids;
end;
$$;

revoke execute on function private.is_platform_admin(), private.reviewable_merchant_ids()
  from public, anon;
grant execute on function private.is_platform_admin(), private.reviewable_merchant_ids()
  to authenticated, service_role;

alter table public.merchants enable row level security;
alter table public.merchant_members enable row level security;
alter table public.platform_admins enable row level security;
alter table public.interview_defs enable row level security;
alter table public.interview_def_questions enable row level security;
alter table public.interview_results enable row level security;
alter table public.interview_result_questions enable row level security;

-- Supabase grants everything in public to the API roles by default. This API is read-only for
-- users and closed to anon; writes happen with the service role.
revoke all on public.merchants, public.merchant_members, public.platform_admins,
  public.interview_defs, public.interview_def_questions, public.interview_results,
  public.interview_result_questions
  from anon, authenticated;
grant select on public.merchants, public.merchant_members, public.platform_admins,
  public.interview_defs, public.interview_def_questions, public.interview_results,
  public.interview_result_questions
  to authenticated;

create policy "Members, their parents' members and admins can read merchants"
  on public.merchants for select to authenticated
  using (
    id = any ((select private.reviewable_merchant_ids())::uuid[])
    or (select private.is_platform_admin())
  );

create policy "Users can read their own memberships and admins all"
  on public.merchant_members for select to authenticated
  using (user_id = (select auth.uid()) or (select private.is_platform_admin()));

create policy "Admins can read their own admin row"
  on public.platform_admins for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Reviewers, admins and candidates can read definitions"
  on public.interview_defs for select to authenticated
  using (
    merchant_id = any ((select private.reviewable_merchant_ids())::uuid[])
    or (select private.is_platform_admin())
    or exists (
      select 1 from public.interview_results r
      where r.candidate_id = (select auth.uid()) and r.interview_def_id = interview_defs.id
    )
  );

create policy "Whoever can read a definition can read its questions"
  on public.interview_def_questions for select to authenticated
  using (
    exists (select 1 from public.interview_defs d where d.id = interview_def_questions.interview_def_id)
  );

-- The core rule: a candidate sees their own results in any state; members of the owning
-- merchant or of any merchant above it see them once submitted; admins see everything.
create policy "Candidates, their reviewers and admins can read results"
  on public.interview_results for select to authenticated
  using (
    candidate_id = (select auth.uid())
    or (submitted_at is not null and merchant_id = any ((select private.reviewable_merchant_ids())::uuid[]))
    or (select private.is_platform_admin())
  );

-- Transcript items follow their result: the subquery runs under the result's policy.
create policy "Whoever can read a result can read its transcript"
  on public.interview_result_questions for select to authenticated
  using (
    exists (select 1 from public.interview_results r where r.id = interview_result_questions.interview_result_id)
  );
