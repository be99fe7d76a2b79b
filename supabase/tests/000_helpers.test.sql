-- Test helpers, installed once per database before the other suites (files run in name order,
-- under `pg_prove` here and `supabase test db` on a Docker stack). Committed on purpose: every
-- other file opens a transaction and rolls it back.
create extension if not exists pgtap with schema extensions;
create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

-- Stable ids from names, so suites never repeat uuid literals.
create or replace function tests.uid(p_name text) returns uuid
language sql immutable
as $$ select md5('tests:' || p_name)::uuid $$;

-- Act as a signed-in user for the rest of the transaction, as PostgREST does per request; with
-- p_session, the token carries that session_id (Auth's tokens always do; see tests.sign_in).
create or replace function tests.authenticate_as(p_name text, p_session uuid default null)
returns void
language plpgsql
as $$
begin
  perform set_config('role', 'authenticated', true);
  perform set_config('request.jwt.claims',
    (jsonb_build_object('sub', tests.uid(p_name), 'role', 'authenticated', 'aud', 'authenticated')
      || case when p_session is null then '{}'::jsonb
         else jsonb_build_object('session_id', p_session) end)::text,
    true);
end;
$$;

-- A session as Auth records a sign-in (its id is the token's session_id); returns its id.
create or replace function tests.sign_in(p_name text, p_session text default 'default')
returns uuid
language sql
as $$
  insert into auth.sessions (id, user_id, created_at, updated_at, aal)
  values (tests.uid('session:' || p_name || ':' || p_session), tests.uid(p_name), now(), now(), 'aal1')
  returning id
$$;

-- Whether a statement, run as a caller ('anon', 'service_role' or a user's name), is refused for
-- lack of privilege (42501); any other error is raised.
create or replace function tests.refused_as(p_caller text, p_statement text)
returns boolean
language plpgsql
as $$
begin
  if p_caller = 'anon' then
    perform set_config('role', 'anon', true);
    perform set_config('request.jwt.claims', '{"role": "anon"}', true);
  elsif p_caller = 'service_role' then
    perform tests.authenticate_as_service_role();
  else
    perform tests.authenticate_as(p_caller);
  end if;
  begin
    execute p_statement;
  exception when insufficient_privilege then
    perform tests.clear_authentication();
    return true;
  end;
  perform tests.clear_authentication();
  return false;
end;
$$;

create or replace function tests.authenticate_as_service_role() returns void
language plpgsql
as $$
begin
  perform set_config('role', 'service_role', true);
  perform set_config('request.jwt.claims', '{"role": "service_role"}', true);
end;
$$;

create or replace function tests.clear_authentication() returns void
language plpgsql
as $$
begin
  perform set_config('role', 'none', true);
  perform set_config('request.jwt.claims', '', true);
end;
$$;

-- The RPC's answer for a caller ('service_role' for the service role), back as postgres.
create or replace function tests.rpc_as(p_caller text, p_result uuid, p_view text default 'full')
returns json
language plpgsql
as $$
declare
  v_doc json;
begin
  if p_caller = 'service_role' then
    perform tests.authenticate_as_service_role();
  else
    perform tests.authenticate_as(p_caller);
  end if;
  v_doc := public.interview_transcript(p_result, p_view);
  perform tests.clear_authentication();
  return v_doc;
end;
$$;

-- An answer's raw assessment data as proctoring and speech analysis write it (keys in this
-- order), with ~40 KB of incompressible word timings so that it is stored out of line as real raw
-- data is.
create or replace function tests.raw_data(p_seed text) returns json
language sql immutable
as $$
  select json_build_object(
    'model', 'azure',
    'voice', json_build_array(json_build_object('Display', 'An answer.', 'Confidence', 0.9,
      'Words', json_build_array(json_build_object('Word', 'an', 'PronunciationAssessment',
        json_build_object('AccuracyScore', 42, 'ErrorType', 'None'))))),
    'proctor_status', 'ok',
    'reading_stats', json_build_object('reading_ratio', 0.31),
    'reading_detection_results', json_build_array(json_build_object('frame', 1, 'reading', true)),
    'candidate_images', json_build_array('snap-1.jpg'),
    'pyannote', json_build_object('diarization', json_build_array()),
    'stt_reliability', 0.9,
    'assemblyai', (select string_agg(md5(p_seed || g), '') from generate_series(1, 1200) g))
$$;

-- A small world with every relation a caller can have to a result:
--   merchants top > mid > leaf, and an unrelated `other`; the interview belongs to `mid`.
--   users: candidate, other_candidate, admin, outsider, top_owner, top_recruiter, mid_owner,
--   mid_recruiter, leaf_recruiter, other_recruiter.
--   results: `submitted` and `unsubmitted`, both the candidate's; `others` is other_candidate's.
create or replace function tests.create_world() returns void
language plpgsql
as $$
begin
  insert into auth.users (id, email)
  select tests.uid(n), n || '@tests.invalid'
  from unnest(array['candidate', 'other_candidate', 'admin', 'outsider', 'top_owner',
    'top_recruiter', 'mid_owner', 'mid_recruiter', 'leaf_recruiter', 'other_recruiter']) n;

  insert into public.platform_admins (user_id) values (tests.uid('admin'));

  insert into public.merchants (id, name, parent_merchant_id) values
    (tests.uid('m:top'), 'Top', null),
    (tests.uid('m:mid'), 'Mid', tests.uid('m:top')),
    (tests.uid('m:leaf'), 'Leaf', tests.uid('m:mid')),
    (tests.uid('m:other'), 'Other', null);

  insert into public.merchant_members (merchant_id, user_id, role) values
    (tests.uid('m:top'), tests.uid('top_owner'), 'merchant_owner'),
    (tests.uid('m:top'), tests.uid('top_recruiter'), 'merchant'),
    (tests.uid('m:mid'), tests.uid('mid_owner'), 'merchant_owner'),
    (tests.uid('m:mid'), tests.uid('mid_recruiter'), 'merchant'),
    (tests.uid('m:leaf'), tests.uid('leaf_recruiter'), 'merchant'),
    (tests.uid('m:other'), tests.uid('other_recruiter'), 'merchant_owner');

  insert into public.interview_defs (id, merchant_id, title)
  values (tests.uid('def'), tests.uid('m:mid'), 'Test interview');
  insert into public.interview_def_questions (id, interview_def_id, position, question)
  values (tests.uid('defq'), tests.uid('def'), 1, 'Original question?');

  insert into public.interview_results (id, interview_def_id, merchant_id, candidate_id,
    coach_status, submitted_at, score, ai_analysis, ai_analysis_recruiter, ai_analysis_other,
    ai_analysis_recruiter_why_hire, ai_analysis_recruiter_why_not_hire, recruiter_risks,
    user_feedback_recruiter, recording_local_path, recording_is_video)
  select tests.uid(r.name), tests.uid('def'), tests.uid('m:mid'), tests.uid(r.candidate),
    'completed', r.submitted_at, 75, 'for the candidate', 'for the recruiter',
    -- strengths_concerns since 2026-09-15; `others` keeps the older hiring_reasons.
    case when r.name = 'others'
      then '{"hiring_reasons": {"reasons_to_hire": ["a"], "reasons_not_to_hire": ["b"]}, "takeaways": {"what_went_well": ["c"]}}'
      else '{"strengths_concerns": {"strengths": ["a"], "concerns": ["b"]}, "takeaways": {"what_went_well": ["c"]}, "score_rationale": {"bracket": "60-74"}, "key_statement": {"quote": "q"}, "multi_department": {"best_fit": "x"}}'
    end::json,
    '["a"]', '["b"]', '[{"kind": "risk"}]', 'recruiter note',
    -- JobMojito's layout: <merchant_id>/<result_id>/...
    tests.uid('m:mid') || '/' || tests.uid(r.name) || '/session.ogg', false
  from (values
    ('submitted', 'candidate', now()),
    ('unsubmitted', 'candidate', null::timestamptz),
    ('others', 'other_candidate', now())
  ) r (name, candidate, submitted_at);

  -- Positions inserted out of order, so ordering is the RPC's doing.
  insert into public.interview_result_questions (id, interview_result_id, position, is_answer,
    question_original_id, question_asked, answer, ai_analysis, ai_analysis_recruiter,
    answer_assessment_raw_data, recording_local_path, recording_is_video, external_data,
    external_id)
  select tests.uid(r || ':' || p), tests.uid(r), p, p % 2 = 0,
    case when p < 3 then tests.uid('defq') end, 'asked ' || p, 'answer ' || p,
    'analysis ' || p, 'recruiter analysis ' || p,
    -- The older `[null, {...}]` form on answer 4.
    case when p = 4 then json_build_array(null, tests.raw_data(r || p)) else tests.raw_data(r || p) end,
    tests.uid('m:mid') || '/' || tests.uid(r) || '/answer-' || p || '.ogg', false, '{"ref": 1}', 'ext-' || p
  from unnest(array['submitted', 'unsubmitted', 'others']) r,
    unnest(array[3, 1, 4, 2]) p;
end;
$$;

select plan(1);
select has_function('tests', 'create_world', 'test helpers are installed');
select * from finish();
