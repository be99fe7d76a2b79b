-- public.interview_transcript, now deciding access once per call (the previous definition ran
-- as the caller and paid for the merchant tree in every statement's policies).
--
-- Security definer: it reads one result row, asks private.result_access() once (the results
-- policy's own rule, with the same up-walk the policies use), and then reads the transcript as
-- its owner. Not visible and not found stay the same `null`; the tables keep their RLS for every
-- other reader; supabase/tests/050_rpc_agrees_with_policies.test.sql proves that the RPC and the
-- policies agree for every caller and result.
--
-- The candidate reading their own result gets, besides the recruiter-only fields nulled:
-- ai_analysis_other.hiring_reasons null (the key kept, for clients with a strict shape), and no
-- proctoring signal in the answers' raw data, since recruiter_risks is computed from them.

-- The keys of an answer's raw assessment data that proctoring writes: gaze per frame and its
-- summary, the proctor's verdict, snapshots of the candidate, and the voice diarization that
-- tells a second speaker. recruiter_risks (recruiter-only) is derived from these.
create function private.proctoring_keys()
returns text[]
language sql immutable
set search_path = ''
as $$
  select array['reading_detection_results', 'reading_stats', 'proctor_status', 'candidate_images',
    'candidate_images_count', 'pyannote']
$$;

-- An answer's raw data (or its condensed form) without its proctoring keys, nor their names in a
-- condensed `_omitted`; the older `[null, {...}]` form element by element; anything else as it
-- is. Built with json (not jsonb) functions: key order kept.
-- plpgsql, not sql: a SQL function with a SET clause is planned again on every call.
create function private.without_proctoring(p_raw json)
returns json
language plpgsql immutable
set search_path = ''
as $$
begin
  return case pg_catalog.json_typeof(p_raw)
    when 'object' then (
      select coalesce(pg_catalog.json_object_agg(e.key, case
        when e.key = '_omitted' and pg_catalog.json_typeof(e.value) = 'array' then (
          select coalesce(pg_catalog.json_agg(o.value order by o.n), '[]'::json)
          from pg_catalog.json_array_elements(e.value) with ordinality o (value, n)
          where (o.value #>> '{}') <> all (private.proctoring_keys())
        )
        else e.value
      end), '{}'::json)
      from pg_catalog.json_each(p_raw) e
      where e.key <> all (private.proctoring_keys())
    )
    when 'array' then (
      select pg_catalog.json_agg(private.without_proctoring(x.value) order by x.n)
      from pg_catalog.json_array_elements(p_raw) with ordinality x (value, n)
    )
    else p_raw
  end;
end;
$$;

-- ai_analysis_other with hiring_reasons (recruiter-facing) null; the key stays where it was.
create function private.without_hiring_reasons(p_other json)
returns json
language plpgsql immutable
set search_path = ''
as $$
begin
  if pg_catalog.json_typeof(p_other) is distinct from 'object'
    or (p_other -> 'hiring_reasons') is null then
    return p_other;
  end if;
  return (
    select pg_catalog.json_object_agg(e.key, case when e.key <> 'hiring_reasons' then e.value end)
    from pg_catalog.json_each(p_other) e
  );
end;
$$;

create or replace function public.interview_transcript(
  p_interview_result_id uuid,
  p_view text default 'full'
)
returns json
language plpgsql stable security definer
set search_path = ''
-- Its statements are index lookups whose best plan never depends on the arguments; left to
-- choose, the plan cache re-planned the full/condensed statement on every call (its CASE calls
-- functions, which makes the generic plan look costly): 0.52 -> 0.33 ms for condensed on bench-m.
set plan_cache_mode = force_generic_plan
as $$
declare
  v_result public.interview_results;
  v_access text;
  v_redact boolean;
  v_transcript json;
begin
  if p_view is null or p_view not in ('full', 'condensed', 'standard', 'summary') then
    raise exception using
      errcode = '22023',
      message = format('Invalid view %L', p_view),
      hint = 'Use one of: full, condensed, standard, summary.';
  end if;

  select * into v_result from public.interview_results r where r.id = p_interview_result_id;
  if not found then
    return null;
  end if;
  v_access := private.result_access(v_result);
  if v_access = 'none' then
    return null;
  end if;
  v_redact := v_access = 'candidate';

  if p_view in ('full', 'condensed') then
    -- condensed: the same document with each answer's raw data condensed (computed on write).
    select json_agg(json_build_object(
      'id', i.id,
      'is_answer', i.is_answer,
      'view', i.view,
      'question_original_id', i.question_original_id,
      'question_original', q.question,
      'question_asked', i.question_asked,
      'answer', i.answer,
      'ai_analysis', i.ai_analysis,
      'ai_analysis_recruiter', case when not v_redact then i.ai_analysis_recruiter end,
      'score', i.score,
      'score_simulation', i.score_simulation,
      'score_answer_ai', i.score_answer_ai,
      'score_answer_ai_simulation', i.score_answer_ai_simulation,
      'duration', i.duration_ds,
      'mojito_language_code', i.mojito_language_code,
      'answer_assessment_raw_data', case
        when p_view = 'condensed' and v_redact
          then private.without_proctoring(i.answer_assessment_condensed)
        when p_view = 'condensed' then i.answer_assessment_condensed
        when v_redact then private.without_proctoring(i.answer_assessment_raw_data)
        else i.answer_assessment_raw_data
      end,
      'recording_local_path', i.recording_local_path,
      'recording_is_video', i.recording_is_video,
      'external_data', i.external_data,
      'external_id', i.external_id
    ) order by i.position)
    into v_transcript
    from public.interview_result_questions i
    left join public.interview_def_questions q on q.id = i.question_original_id
    where i.interview_result_id = p_interview_result_id;
  elsif p_view = 'standard' then
    -- Leaves out answer_assessment_raw_data and external_data.
    select json_agg(json_build_object(
      'id', i.id,
      'is_answer', i.is_answer,
      'view', i.view,
      'question_original_id', i.question_original_id,
      'question_original', q.question,
      'question_asked', i.question_asked,
      'answer', i.answer,
      'ai_analysis', i.ai_analysis,
      'ai_analysis_recruiter', case when not v_redact then i.ai_analysis_recruiter end,
      'score', i.score,
      'score_simulation', i.score_simulation,
      'score_answer_ai', i.score_answer_ai,
      'score_answer_ai_simulation', i.score_answer_ai_simulation,
      'duration', i.duration_ds,
      'mojito_language_code', i.mojito_language_code,
      'recording_local_path', i.recording_local_path,
      'recording_is_video', i.recording_is_video,
      'external_id', i.external_id
    ) order by i.position)
    into v_transcript
    from public.interview_result_questions i
    left join public.interview_def_questions q on q.id = i.question_original_id
    where i.interview_result_id = p_interview_result_id;
  else
    -- summary: the conversation and its scores only; no definition lookup either.
    select json_agg(json_build_object(
      'id', i.id,
      'is_answer', i.is_answer,
      'view', i.view,
      'question_original_id', i.question_original_id,
      'question_asked', i.question_asked,
      'answer', i.answer,
      'score', i.score,
      'score_simulation', i.score_simulation,
      'score_answer_ai', i.score_answer_ai,
      'score_answer_ai_simulation', i.score_answer_ai_simulation,
      'duration', i.duration_ds,
      'mojito_language_code', i.mojito_language_code
    ) order by i.position)
    into v_transcript
    from public.interview_result_questions i
    where i.interview_result_id = p_interview_result_id;
  end if;

  return json_build_object(
    'score', v_result.score,
    'score_simulation', v_result.score_simulation,
    'score_text', v_result.score_text,
    'score_sentiment', v_result.score_sentiment,
    'score_words_per_minute', v_result.score_words_per_minute,
    'score_pronunciation', v_result.score_pronunciation,
    'score_answer', v_result.score_answer,
    'status', v_result.coach_status,
    'start', v_result.training_start,
    'end', v_result.training_end,
    'duration', v_result.duration_ds,
    'ai_interview_coverage_percentage', v_result.ai_interview_coverage_percentage,
    'ai_completion_reason', v_result.ai_completed_reason,
    'ai_analysis', v_result.ai_analysis,
    'ai_analysis_recruiter', case when not v_redact then v_result.ai_analysis_recruiter end,
    'ai_analysis_other', case
      when v_redact then private.without_hiring_reasons(v_result.ai_analysis_other)
      else v_result.ai_analysis_other
    end,
    'ai_analysis_recruiter_why_hire',
      case when not v_redact then v_result.ai_analysis_recruiter_why_hire end,
    'ai_analysis_recruiter_why_not_hire',
      case when not v_redact then v_result.ai_analysis_recruiter_why_not_hire end,
    'recruiter_risks', case when not v_redact then v_result.recruiter_risks end,
    'user_feedback_recruiter', case when not v_redact then v_result.user_feedback_recruiter end,
    'recording_local_path', v_result.recording_local_path,
    'recording_is_video', v_result.recording_is_video,
    'video_introduction_local_path', v_result.video_introduction_local_path,
    'transcript', coalesce(v_transcript, '[]'::json)
  );
end;
$$;

comment on function public.interview_transcript(uuid, text) is
  'One interview result with its ordered transcript, as the caller may see it; null when not found or not visible. Access is decided once (private.result_access), as the table policies decide it. p_view: full | condensed | standard | summary.';
