-- One door to candidates' data: public.interview_transcript. The Data API exposes `public`
-- (config.toml), and `authenticated` held SELECT on every column of these tables; their policies
-- chose rows, not columns, so a candidate reading GET /rest/v1/interview_results?select=* with
-- her own token got ai_analysis_recruiter, recruiter_risks, user_feedback_recruiter and every
-- answer's proctoring data, all of which the RPC hides from her, and the questions of an
-- interview she had only started.
--
-- The rule is now held by privileges: the API roles (anon, authenticated) hold no privilege on
-- any of these tables, so REST answers 401/403 (42501) and GraphQL (pg_graphql reflects only what
-- a role may select) has nothing to show; the RPC, security definer, decides access and what the
-- caller sees, and is the only way in. The tables stay in `public`, where JobMojito's writers
-- (the service role) and SQL know them: moving them out of the exposed schema would break those.
-- The policies that chose rows for `authenticated` can no longer apply and are dropped by the
-- files after this one, so that a grant made later by mistake (or a default privilege) opens
-- nothing: RLS stays on, and with no policy it shows no row to any role that doesn't bypass it.
-- One table a file: a policy is dropped under the table's ACCESS EXCLUSIVE lock, and a migration
-- holding one table's while waiting for another's deadlocks with any reader that locks them the
-- other way round (the RPC's cached plan locks merchant_members before merchants).
--
-- GRANT and REVOKE take no table lock.
set local lock_timeout = '750ms';
set local statement_timeout = '60s';

revoke all on table public.merchants, public.merchant_members, public.platform_admins,
  public.interview_defs, public.interview_def_questions, public.interview_results,
  public.interview_result_questions
  from anon, authenticated;

-- Writers use the service role. Projects created since 2026-10-30 grant nothing in `public` by
-- default, so what it needs is granted here rather than assumed.
grant select, insert, update, delete on table public.merchants, public.merchant_members,
  public.platform_admins, public.interview_defs, public.interview_def_questions,
  public.interview_results, public.interview_result_questions
  to service_role;

-- The RPC and everything it calls run as their owner: the API roles need nothing in `private`.
revoke usage on schema private from authenticated;
revoke execute on all functions in schema private from public, anon, authenticated;
