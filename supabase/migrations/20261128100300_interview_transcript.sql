-- public.interview_transcript: one interview result and its ordered transcript as one JSON
-- document with the contract's field names. Signed URLs are the edge function's job.
--
-- Runs as the caller (security invoker): the RLS policies decide whether the result exists for
-- them, so "not visible" and "not found" are the same `null`. The RPC only adds the redaction of
-- recruiter-only data for a candidate reading their own result.
--
-- Built as `json` from `json` columns: values are embedded verbatim, never re-encoded. Each view
-- is its own query so the columns a view leaves out are never read (nor de-TOASTed).
create function public.interview_transcript(
  p_interview_result_id uuid,
  p_view text default 'full'
)
returns json
language plpgsql stable
set search_path = ''
as $$
declare
  v_result public.interview_results;
  v_redact boolean;
  v_transcript json;
begin
  if p_view is null or p_view not in ('full', 'standard', 'summary') then
    raise exception using
      errcode = '22023',
      message = format('Invalid view %L', p_view),
      hint = 'Use one of: full, standard, summary.';
  end if;

  select * into v_result from public.interview_results r where r.id = p_interview_result_id;
  if not found then
    return null;
  end if;

  -- The candidate reading their own result gets recruiter-only data nulled, unless they may also
  -- review it (an admin, or a member of the owning merchant tree once submitted).
  v_redact := coalesce(v_result.candidate_id = (select auth.uid()), false)
    and not (
      (select private.is_platform_admin())
      or (v_result.submitted_at is not null
        and v_result.merchant_id = any ((select private.reviewable_merchant_ids())::uuid[]))
    );

  if p_view = 'full' then
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
      'answer_assessment_raw_data', i.answer_assessment_raw_data,
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
      when v_redact and json_typeof(v_result.ai_analysis_other) = 'object'
        then (v_result.ai_analysis_other::jsonb - 'hiring_reasons')::json
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
  'One interview result with its ordered transcript, as the caller may see it; null when not found or not visible. p_view: full | standard | summary.';

-- Signed-in users and the service role only; anon gets the same permission error for every id.
revoke execute on function public.interview_transcript(uuid, text) from public, anon;
grant execute on function public.interview_transcript(uuid, text) to authenticated, service_role;
