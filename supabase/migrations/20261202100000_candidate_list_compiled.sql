-- The candidate's list, compiled. The RPC read private.candidate_visibility on every call and
-- aggregated it into the candidate's keys and a flag per field: about 0.1 ms of a 0.7 ms call
-- (bench-m, standard: the candidate at 1.33x of the service role against a target of 1.3x).
-- The list stays the one place the rule is written; a statement trigger compiles it into one row
-- on every change, in the same transaction, and the RPC reads that row.
set local lock_timeout = '750ms';
set local statement_timeout = '60s';

-- One row: what private.candidate_visibility shows the candidate. shown names every shown field
-- and key as '<scope>.<key>'; the *_keys columns are the shown keys of each open JSON value.
create table private.candidate_shown (
  one boolean primary key default true check (one),
  other_keys text[] not null,
  raw_keys text[] not null,
  external_keys text[] not null,
  shown text[] not null
);
alter table private.candidate_shown enable row level security;
revoke all on private.candidate_shown from public, anon, authenticated, service_role;

create function private.compile_candidate_visibility()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  insert into private.candidate_shown (one, other_keys, raw_keys, external_keys, shown)
  select true,
    coalesce(array_agg(c.key order by c.key) filter (where c.scope = 'ai_analysis_other'), '{}'),
    coalesce(array_agg(c.key order by c.key) filter (where c.scope = 'answer_assessment_raw_data'), '{}'),
    coalesce(array_agg(c.key order by c.key) filter (where c.scope = 'external_data'), '{}'),
    coalesce(array_agg(c.scope || '.' || c.key order by c.scope, c.key), '{}')
  from private.candidate_visibility c
  where c.candidate
  on conflict (one) do update set other_keys = excluded.other_keys,
    raw_keys = excluded.raw_keys, external_keys = excluded.external_keys, shown = excluded.shown;
  return null;
end;
$$;
revoke execute on function private.compile_candidate_visibility() from public, anon, authenticated;

create trigger candidate_visibility_compiled
after insert or update or delete or truncate on private.candidate_visibility
for each statement execute function private.compile_candidate_visibility();

-- Compiled once now (a statement trigger fires for a statement that touches no row); the trigger
-- keeps it from here on.
update private.candidate_visibility set candidate = candidate where false;

-- The RPC, as in 20261201100200, reading the compiled list.
create or replace function public.interview_transcript(
  p_interview_result_id uuid,
  p_view text default 'full'
)
returns json
language plpgsql stable security definer
set search_path = ''
-- Its statements are index lookups whose best plan never depends on the arguments; left to
-- choose, the plan cache re-planned the full/condensed statement on every call.
set plan_cache_mode = force_generic_plan
as $$
declare
  v_result public.interview_results;
  v_access text;
  -- Every field and key (a reviewer, an admin, the service role), or only those that
  -- private.candidate_visibility gives the candidate: fields of the document and of each item,
  -- keys of ai_analysis_other, of the raw data and of external_data.
  v_all boolean;
  v_other_keys text[];
  v_raw_keys text[];
  v_external_keys text[];
  v_careful boolean := false;
  v_transcript json;
  -- Whether each field of the document (v_r_) and of an item (v_i_) is shown, decided once.
  v_r_score boolean;
  v_r_score_simulation boolean;
  v_r_score_text boolean;
  v_r_score_sentiment boolean;
  v_r_score_words_per_minute boolean;
  v_r_score_pronunciation boolean;
  v_r_score_answer boolean;
  v_r_status boolean;
  v_r_start boolean;
  v_r_end boolean;
  v_r_duration boolean;
  v_r_ai_interview_coverage_percentage boolean;
  v_r_ai_completion_reason boolean;
  v_r_ai_analysis boolean;
  v_r_ai_analysis_recruiter boolean;
  v_r_ai_analysis_other boolean;
  v_r_ai_analysis_recruiter_why_hire boolean;
  v_r_ai_analysis_recruiter_why_not_hire boolean;
  v_r_recruiter_risks boolean;
  v_r_user_feedback_recruiter boolean;
  v_r_recording_local_path boolean;
  v_r_recording_is_video boolean;
  v_r_video_introduction_local_path boolean;
  v_r_transcript boolean;
  v_i_id boolean;
  v_i_is_answer boolean;
  v_i_view boolean;
  v_i_question_original_id boolean;
  v_i_question_original boolean;
  v_i_question_asked boolean;
  v_i_answer boolean;
  v_i_ai_analysis boolean;
  v_i_ai_analysis_recruiter boolean;
  v_i_score boolean;
  v_i_score_simulation boolean;
  v_i_score_answer_ai boolean;
  v_i_score_answer_ai_simulation boolean;
  v_i_duration boolean;
  v_i_mojito_language_code boolean;
  v_i_answer_assessment_raw_data boolean;
  v_i_recording_local_path boolean;
  v_i_recording_is_video boolean;
  v_i_external_data boolean;
  v_i_external_id boolean;
begin
  if p_view is null or p_view not in ('full', 'condensed', 'standard', 'summary') then
    raise exception using
      errcode = '22023',
      message = format('Invalid view %L', p_view),
      hint = 'Use one of: full, condensed, standard, summary.';
  end if;

  -- A token whose session has ended reads nothing (private.require_live_session).
  perform private.require_live_session();

  -- The same steps whether the result exists or not (a row of nulls when it doesn't), so a
  -- result the caller may not see answers as a missing one does, in its time too.
  select * into v_result from public.interview_results r where r.id = p_interview_result_id;
  v_access := private.result_access(v_result);
  if v_access = 'none' then
    return null;
  end if;
  v_all := v_access = 'all';
  -- The candidate's keys, and whether each field is shown, from the list as compiled
  -- (private.candidate_shown): one row read, decided once, not per field and item in the
  -- statements below. Everyone else sees every field. No row (the list never compiled) shows
  -- the candidate nothing.
  select s.other_keys, s.raw_keys, s.external_keys,
    v_all or coalesce('result.score' = any (s.shown), false),
    v_all or coalesce('result.score_simulation' = any (s.shown), false),
    v_all or coalesce('result.score_text' = any (s.shown), false),
    v_all or coalesce('result.score_sentiment' = any (s.shown), false),
    v_all or coalesce('result.score_words_per_minute' = any (s.shown), false),
    v_all or coalesce('result.score_pronunciation' = any (s.shown), false),
    v_all or coalesce('result.score_answer' = any (s.shown), false),
    v_all or coalesce('result.status' = any (s.shown), false),
    v_all or coalesce('result.start' = any (s.shown), false),
    v_all or coalesce('result.end' = any (s.shown), false),
    v_all or coalesce('result.duration' = any (s.shown), false),
    v_all or coalesce('result.ai_interview_coverage_percentage' = any (s.shown), false),
    v_all or coalesce('result.ai_completion_reason' = any (s.shown), false),
    v_all or coalesce('result.ai_analysis' = any (s.shown), false),
    v_all or coalesce('result.ai_analysis_recruiter' = any (s.shown), false),
    v_all or coalesce('result.ai_analysis_other' = any (s.shown), false),
    v_all or coalesce('result.ai_analysis_recruiter_why_hire' = any (s.shown), false),
    v_all or coalesce('result.ai_analysis_recruiter_why_not_hire' = any (s.shown), false),
    v_all or coalesce('result.recruiter_risks' = any (s.shown), false),
    v_all or coalesce('result.user_feedback_recruiter' = any (s.shown), false),
    v_all or coalesce('result.recording_local_path' = any (s.shown), false),
    v_all or coalesce('result.recording_is_video' = any (s.shown), false),
    v_all or coalesce('result.video_introduction_local_path' = any (s.shown), false),
    v_all or coalesce('result.transcript' = any (s.shown), false),
    v_all or coalesce('transcript_item.id' = any (s.shown), false),
    v_all or coalesce('transcript_item.is_answer' = any (s.shown), false),
    v_all or coalesce('transcript_item.view' = any (s.shown), false),
    v_all or coalesce('transcript_item.question_original_id' = any (s.shown), false),
    v_all or coalesce('transcript_item.question_original' = any (s.shown), false),
    v_all or coalesce('transcript_item.question_asked' = any (s.shown), false),
    v_all or coalesce('transcript_item.answer' = any (s.shown), false),
    v_all or coalesce('transcript_item.ai_analysis' = any (s.shown), false),
    v_all or coalesce('transcript_item.ai_analysis_recruiter' = any (s.shown), false),
    v_all or coalesce('transcript_item.score' = any (s.shown), false),
    v_all or coalesce('transcript_item.score_simulation' = any (s.shown), false),
    v_all or coalesce('transcript_item.score_answer_ai' = any (s.shown), false),
    v_all or coalesce('transcript_item.score_answer_ai_simulation' = any (s.shown), false),
    v_all or coalesce('transcript_item.duration' = any (s.shown), false),
    v_all or coalesce('transcript_item.mojito_language_code' = any (s.shown), false),
    v_all or coalesce('transcript_item.answer_assessment_raw_data' = any (s.shown), false),
    v_all or coalesce('transcript_item.recording_local_path' = any (s.shown), false),
    v_all or coalesce('transcript_item.recording_is_video' = any (s.shown), false),
    v_all or coalesce('transcript_item.external_data' = any (s.shown), false),
    v_all or coalesce('transcript_item.external_id' = any (s.shown), false)
  into v_other_keys,
    v_raw_keys,
    v_external_keys,
    v_r_score,
    v_r_score_simulation,
    v_r_score_text,
    v_r_score_sentiment,
    v_r_score_words_per_minute,
    v_r_score_pronunciation,
    v_r_score_answer,
    v_r_status,
    v_r_start,
    v_r_end,
    v_r_duration,
    v_r_ai_interview_coverage_percentage,
    v_r_ai_completion_reason,
    v_r_ai_analysis,
    v_r_ai_analysis_recruiter,
    v_r_ai_analysis_other,
    v_r_ai_analysis_recruiter_why_hire,
    v_r_ai_analysis_recruiter_why_not_hire,
    v_r_recruiter_risks,
    v_r_user_feedback_recruiter,
    v_r_recording_local_path,
    v_r_recording_is_video,
    v_r_video_introduction_local_path,
    v_r_transcript,
    v_i_id,
    v_i_is_answer,
    v_i_view,
    v_i_question_original_id,
    v_i_question_original,
    v_i_question_asked,
    v_i_answer,
    v_i_ai_analysis,
    v_i_ai_analysis_recruiter,
    v_i_score,
    v_i_score_simulation,
    v_i_score_answer_ai,
    v_i_score_answer_ai_simulation,
    v_i_duration,
    v_i_mojito_language_code,
    v_i_answer_assessment_raw_data,
    v_i_recording_local_path,
    v_i_recording_is_video,
    v_i_external_data,
    v_i_external_id
  from (select) one
  left join private.candidate_shown s on not v_all;

  loop
    begin
      if p_view in ('full', 'condensed') then
        select json_agg(json_build_object(
          'id', case when v_i_id then i.id end,
          'is_answer', case when v_i_is_answer then i.is_answer end,
          'view', case when v_i_view then i.view end,
          'question_original_id', case when v_i_question_original_id then i.question_original_id end,
          'question_original', case when v_i_question_original then q.question end,
          'question_asked', case when v_i_question_asked then i.question_asked end,
          'answer', case when v_i_answer then i.answer end,
          'ai_analysis', case when v_i_ai_analysis then i.ai_analysis end,
          'ai_analysis_recruiter', case when v_i_ai_analysis_recruiter then i.ai_analysis_recruiter end,
          'score', case when v_i_score then i.score end,
          'score_simulation', case when v_i_score_simulation then i.score_simulation end,
          'score_answer_ai', case when v_i_score_answer_ai then i.score_answer_ai end,
          'score_answer_ai_simulation', case when v_i_score_answer_ai_simulation then i.score_answer_ai_simulation end,
          'duration', case when v_i_duration then i.duration_ds end,
          'mojito_language_code', case when v_i_mojito_language_code then i.mojito_language_code end,
          'answer_assessment_raw_data', case when v_all then raw.value
            when v_i_answer_assessment_raw_data and raw.value is not null then case when v_careful
              then private.candidate_part(raw.value, v_raw_keys, true)
              else coalesce((
                select pg_catalog.json_object_agg(e.key, e.value) from (
                  select e.key, case
                    when e.key in ('_omitted', '_unreadable') and pg_catalog.json_typeof(e.value) = 'array' then (
                      select pg_catalog.json_agg(o.value order by o.n)
                      from pg_catalog.json_array_elements(e.value) with ordinality o (value, n)
                      where (o.value #>> '{}') = any (v_raw_keys))
                    else e.value end as value
                  from pg_catalog.json_each(raw.value) e
                  where e.key = any (v_raw_keys)
                ) e where e.value is not null), '{}'::json) end end,
          'recording_local_path', case when v_i_recording_local_path then i.recording_local_path end,
          'recording_is_video', case when v_i_recording_is_video then i.recording_is_video end,
          'external_data', case when v_all then i.external_data
            when v_i_external_data and i.external_data is not null then case when v_careful
              then private.candidate_part(i.external_data, v_external_keys, true)
              else coalesce((
                select pg_catalog.json_object_agg(e.key, e.value) from (
                  select e.key, case
                    when e.key in ('_omitted', '_unreadable') and pg_catalog.json_typeof(e.value) = 'array' then (
                      select pg_catalog.json_agg(o.value order by o.n)
                      from pg_catalog.json_array_elements(e.value) with ordinality o (value, n)
                      where (o.value #>> '{}') = any (v_external_keys))
                    else e.value end as value
                  from pg_catalog.json_each(i.external_data) e
                  where e.key = any (v_external_keys)
                ) e where e.value is not null), '{}'::json) end end,
          'external_id', case when v_i_external_id then i.external_id end
        ) order by i.position)
        into v_transcript
        from public.interview_result_questions i
        left join public.interview_def_questions q on q.id = i.question_original_id
        -- What answer_assessment_raw_data carries: condensed (kept on write; a row not
        -- yet filled is condensed here) or as stored.
        cross join lateral (select case when p_view = 'condensed'
          then coalesce(i.answer_assessment_condensed,
            private.condense_answer_assessment(i.answer_assessment_raw_data))
          else i.answer_assessment_raw_data end as value) raw
        where i.interview_result_id = p_interview_result_id;
      elsif p_view = 'standard' then
        -- Leaves out answer_assessment_raw_data and external_data.
        select json_agg(json_build_object(
          'id', case when v_i_id then i.id end,
          'is_answer', case when v_i_is_answer then i.is_answer end,
          'view', case when v_i_view then i.view end,
          'question_original_id', case when v_i_question_original_id then i.question_original_id end,
          'question_original', case when v_i_question_original then q.question end,
          'question_asked', case when v_i_question_asked then i.question_asked end,
          'answer', case when v_i_answer then i.answer end,
          'ai_analysis', case when v_i_ai_analysis then i.ai_analysis end,
          'ai_analysis_recruiter', case when v_i_ai_analysis_recruiter then i.ai_analysis_recruiter end,
          'score', case when v_i_score then i.score end,
          'score_simulation', case when v_i_score_simulation then i.score_simulation end,
          'score_answer_ai', case when v_i_score_answer_ai then i.score_answer_ai end,
          'score_answer_ai_simulation', case when v_i_score_answer_ai_simulation then i.score_answer_ai_simulation end,
          'duration', case when v_i_duration then i.duration_ds end,
          'mojito_language_code', case when v_i_mojito_language_code then i.mojito_language_code end,
          'recording_local_path', case when v_i_recording_local_path then i.recording_local_path end,
          'recording_is_video', case when v_i_recording_is_video then i.recording_is_video end,
          'external_id', case when v_i_external_id then i.external_id end
        ) order by i.position)
        into v_transcript
        from public.interview_result_questions i
        left join public.interview_def_questions q on q.id = i.question_original_id
        where i.interview_result_id = p_interview_result_id;
      else
        -- summary: the conversation and its scores only; no definition lookup either.
        select json_agg(json_build_object(
          'id', case when v_i_id then i.id end,
          'is_answer', case when v_i_is_answer then i.is_answer end,
          'view', case when v_i_view then i.view end,
          'question_original_id', case when v_i_question_original_id then i.question_original_id end,
          'question_asked', case when v_i_question_asked then i.question_asked end,
          'answer', case when v_i_answer then i.answer end,
          'score', case when v_i_score then i.score end,
          'score_simulation', case when v_i_score_simulation then i.score_simulation end,
          'score_answer_ai', case when v_i_score_answer_ai then i.score_answer_ai end,
          'score_answer_ai_simulation', case when v_i_score_answer_ai_simulation then i.score_answer_ai_simulation end,
          'duration', case when v_i_duration then i.duration_ds end,
          'mojito_language_code', case when v_i_mojito_language_code then i.mojito_language_code end
        ) order by i.position)
        into v_transcript
        from public.interview_result_questions i
        where i.interview_result_id = p_interview_result_id;
      end if;

      return json_build_object(
        'score', case when v_r_score then v_result.score end,
        'score_simulation', case when v_r_score_simulation then v_result.score_simulation end,
        'score_text', case when v_r_score_text then v_result.score_text end,
        'score_sentiment', case when v_r_score_sentiment then v_result.score_sentiment end,
        'score_words_per_minute', case when v_r_score_words_per_minute then v_result.score_words_per_minute end,
        'score_pronunciation', case when v_r_score_pronunciation then v_result.score_pronunciation end,
        'score_answer', case when v_r_score_answer then v_result.score_answer end,
        'status', case when v_r_status then v_result.coach_status end,
        'start', case when v_r_start then v_result.training_start end,
        'end', case when v_r_end then v_result.training_end end,
        'duration', case when v_r_duration then v_result.duration_ds end,
        'ai_interview_coverage_percentage', case when v_r_ai_interview_coverage_percentage then v_result.ai_interview_coverage_percentage end,
        'ai_completion_reason', case when v_r_ai_completion_reason then v_result.ai_completed_reason end,
        'ai_analysis', case when v_r_ai_analysis then v_result.ai_analysis end,
        'ai_analysis_recruiter', case when v_r_ai_analysis_recruiter then v_result.ai_analysis_recruiter end,
        'ai_analysis_other', case when v_all then v_result.ai_analysis_other
          when v_r_ai_analysis_other and v_result.ai_analysis_other is not null then case when v_careful
            then private.candidate_part(v_result.ai_analysis_other, v_other_keys, true)
            else coalesce((
              select pg_catalog.json_object_agg(e.key, e.value) from (
                select e.key, case
                  when e.key in ('_omitted', '_unreadable') and pg_catalog.json_typeof(e.value) = 'array' then (
                    select pg_catalog.json_agg(o.value order by o.n)
                    from pg_catalog.json_array_elements(e.value) with ordinality o (value, n)
                    where (o.value #>> '{}') = any (v_other_keys))
                  else e.value end as value
                from pg_catalog.json_each(v_result.ai_analysis_other) e
                where e.key = any (v_other_keys)
              ) e where e.value is not null), '{}'::json) end end,
        'ai_analysis_recruiter_why_hire', case when v_r_ai_analysis_recruiter_why_hire then v_result.ai_analysis_recruiter_why_hire end,
        'ai_analysis_recruiter_why_not_hire', case when v_r_ai_analysis_recruiter_why_not_hire then v_result.ai_analysis_recruiter_why_not_hire end,
        'recruiter_risks', case when v_r_recruiter_risks then v_result.recruiter_risks end,
        'user_feedback_recruiter', case when v_r_user_feedback_recruiter then v_result.user_feedback_recruiter end,
        'recording_local_path', case when v_r_recording_local_path then v_result.recording_local_path end,
        'recording_is_video', case when v_r_recording_is_video then v_result.recording_is_video end,
        'video_introduction_local_path', case when v_r_video_introduction_local_path then v_result.video_introduction_local_path end,
        'transcript', case when v_r_transcript then coalesce(v_transcript, '[]'::json) end
      );
    exception when others then
      -- Only the candidate's filters read inside JSON values, and json_each() refuses the
      -- \u0000 and lone surrogates that json keeps: the document is built once more, those
      -- values read from a copy with them replaced (private.candidate_part). Else it raises.
      if v_all or v_careful then
        raise;
      end if;
      v_careful := true;
    end;
  end loop;
end;
$$;

comment on function public.interview_transcript(uuid, text) is
  'One interview result with its ordered transcript, as the caller may see it; null when not found or not visible. Access is decided once (private.result_access); the candidate sees the fields and keys private.candidate_visibility allows, nothing else. p_view: full | condensed | standard | summary.';

