-- A session that has ended reads nothing. JobMojito's own functions resolve every user token to
-- a live session (auth.getUser, Auth's GET /auth/v1/user), so a user who signed out (any scope),
-- whose session was revoked or whose account was deleted is refused at once; this function
-- checked only the token's signature and expiry, so such a token kept reading for up to an hour.
--
-- The check runs where the RPC already runs, in Postgres as the caller, against Auth's own
-- tables: no extra network round trip, nothing cached. A session row is what Auth keeps per
-- sign-in (the token's session_id claim); sign-out, revocation and user deletion delete it. On a
-- read replica that has not replayed a session created a moment ago, the session is unknown
-- rather than ended: the RPC answers 421 (PT421) and the function asks the primary.
set local lock_timeout = '750ms';
set local statement_timeout = '60s';

-- Raises unless the caller's token belongs to a live session: PT401 (PostgREST answers 401) when
-- the session is gone, past its not_after, or its user deleted or banned, or the token names no
-- user; PT421 on a read replica, which may simply not have seen the session yet. Only the
-- `authenticated` role is checked: the service role and the owner have no session. A token
-- without a session_id claim (Auth's own tokens always carry one) is held to its user instead,
-- as Auth's /user holds it. Security definer: it reads auth.sessions and auth.users.
create function private.require_live_session()
returns void
language plpgsql stable security definer
set search_path = ''
as $$
declare
  v_claims jsonb;
  v_sub text;
  v_session text;
  v_uuid constant text := '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
begin
  if current_setting('role', true) is distinct from 'authenticated' then
    return;
  end if;
  v_claims := nullif(current_setting('request.jwt.claims', true), '')::jsonb;
  v_sub := v_claims ->> 'sub';
  v_session := v_claims ->> 'session_id';
  if v_sub is null or v_sub !~ v_uuid then
    raise exception using errcode = 'PT401', message = 'The access token names no user.';
  end if;
  if v_session is not null and v_session <> '00000000-0000-0000-0000-000000000000' then
    if v_session ~ v_uuid and exists (
      select 1 from auth.sessions s join auth.users u on u.id = s.user_id
      where s.id = v_session::uuid and s.user_id = v_sub::uuid
        and (s.not_after is null or s.not_after > now())
        and u.deleted_at is null and (u.banned_until is null or u.banned_until <= now())
    ) then
      return;
    end if;
  elsif exists (
    select 1 from auth.users u
    where u.id = v_sub::uuid and u.deleted_at is null
      and (u.banned_until is null or u.banned_until <= now())
  ) then
    return;
  end if;
  if pg_catalog.pg_is_in_recovery() then
    raise exception using errcode = 'PT421',
      message = 'This replica has not seen the session; ask the primary.';
  end if;
  raise exception using errcode = 'PT401', message = 'The session has ended.';
end;
$$;

revoke execute on function private.require_live_session() from public, anon, authenticated;

-- The RPC, as in 20261201100100, with the check first.
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
  -- One statement: the candidate's keys, and whether each field is shown (decided once, not
  -- per field and item in the statements below: an array lookup each time cost the candidate
  -- 0.7 ms on bench-m's 30 answers). Everyone else sees every field.
  select coalesce(array_agg(c.key) filter (where c.scope = 'ai_analysis_other'), '{}'),
    coalesce(array_agg(c.key) filter (where c.scope = 'answer_assessment_raw_data'), '{}'),
    coalesce(array_agg(c.key) filter (where c.scope = 'external_data'), '{}'),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'score'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'score_simulation'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'score_text'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'score_sentiment'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'score_words_per_minute'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'score_pronunciation'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'score_answer'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'status'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'start'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'end'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'duration'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'ai_interview_coverage_percentage'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'ai_completion_reason'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'ai_analysis'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'ai_analysis_recruiter'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'ai_analysis_other'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'ai_analysis_recruiter_why_hire'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'ai_analysis_recruiter_why_not_hire'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'recruiter_risks'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'user_feedback_recruiter'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'recording_local_path'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'recording_is_video'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'video_introduction_local_path'), false),
    v_all or coalesce(bool_or(c.scope = 'result' and c.key = 'transcript'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'id'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'is_answer'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'view'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'question_original_id'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'question_original'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'question_asked'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'answer'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'ai_analysis'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'ai_analysis_recruiter'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'score'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'score_simulation'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'score_answer_ai'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'score_answer_ai_simulation'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'duration'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'mojito_language_code'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'answer_assessment_raw_data'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'recording_local_path'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'recording_is_video'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'external_data'), false),
    v_all or coalesce(bool_or(c.scope = 'transcript_item' and c.key = 'external_id'), false)
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
  from private.candidate_visibility c
  where c.candidate and not v_all;

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

