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
