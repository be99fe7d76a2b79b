-- public.interview_transcript, the RPC the edge function calls: one builder of the document for
-- every reader. Its current definition is supabase/schemas/0600_interview_transcript.sql.
--
-- Safe on a live database: creates a function, locks no table.
set local lock_timeout = '750ms';
set local statement_timeout = '60s';

-- public.interview_transcript: one interview result and its ordered transcript as one JSON
-- document with the contract's field names, as the caller may see it; null when the result does
-- not exist or the caller may not see it (the same answer, by the same steps). The edge function
-- calls it with the caller's own token and signs the recording paths it returns.
--
--   1. The caller's session must be live (private.require_live_session).
--   2. Access is decided once (private.result_access): the candidate, a member of the result's
--      merchant or of one above it, a platform admin, the service role, or no one.
--   3. The document is built once, for every reader, from the fields below: each written once,
--      with its name in the contract, in the contract's order. A view leaves out item fields.
--   4. The candidate sees each field, and each key inside an open JSON value, only where their
--      list says so (private.candidate_visibility, read through private.candidate_json). Every
--      other reader sees all of it, as stored.
--   5. A recording path is in the document only when it belongs to the result
--      (private.own_recording_path), for every reader.
--
-- Built as `json` from `json` columns: values are embedded verbatim, never re-encoded. The raw
-- data (up to ~800 KB a result, TOASTed) is read only by the views that carry it.
create function public.interview_transcript(
  p_interview_result_id uuid,
  p_view text default 'full'
)
returns json
language plpgsql stable security definer set search_path = ''
-- Its statements are index lookups whose best plan never depends on the arguments; left to
-- choose, the plan cache re-planned them on every call.
set plan_cache_mode = force_generic_plan
as $$
declare
  v_result public.interview_results;
  v_reader text;
  -- The candidate's list (private.candidate_list()); null for every other reader, who sees all.
  v_list jsonb;
  -- The item fields the view leaves out.
  v_left_out text[];
  -- The second attempt, when the first raised on a value the candidate's filter can't take apart.
  v_careful boolean := false;
  v_transcript json;
begin
  v_left_out := case p_view
    when 'full' then array[]::text[]
    when 'condensed' then array[]::text[]
    when 'standard' then array['answer_assessment_raw_data', 'external_data']
    when 'summary' then array['question_original', 'ai_analysis', 'ai_analysis_recruiter',
      'answer_assessment_raw_data', 'recording_local_path', 'recording_is_video',
      'external_data', 'external_id']
  end;
  if v_left_out is null then
    raise exception using
      errcode = '22023',
      message = format('Invalid view %L', p_view),
      hint = 'Use one of: full, condensed, standard, summary.';
  end if;

  perform private.require_live_session();

  -- A row of nulls when the result doesn't exist: the same steps as for one the caller may not see.
  select * into v_result from public.interview_results r where r.id = p_interview_result_id;
  v_reader := private.result_access(v_result);
  if v_reader = 'none' then
    return null;
  end if;
  if v_reader = 'candidate' then
    v_list := private.candidate_list();
  end if;

  -- How a field reaches the reader (the same for the document's fields and each item's): as
  -- stored, or, for the candidate, a JSON value (or any value at a place whose inner keys the
  -- list names) through private.candidate_json and any other value when the list shows its
  -- place. (A scalar's rule inline: a function call per field and
  -- item would cost the candidate more than the rest of the read.)
  loop
    begin
      select pg_catalog.json_agg((
          select pg_catalog.json_object_agg(f.key, case
              when v_list is null then f.value
              when pg_catalog.json_typeof(f.value) in ('object', 'array')
                or v_list ->> ('transcript.' || f.key) = 'keys'
                then private.candidate_json(f.value, 'transcript.' || f.key, v_list, v_careful)
              when v_list ? ('transcript.' || f.key) then f.value
            end)
          -- One row per field, in the contract's order (a VALUES list is read in order).
          from (values
            ('id', pg_catalog.to_json(i.id)),
            ('is_answer', pg_catalog.to_json(i.is_answer)),
            ('view', pg_catalog.to_json(i.view)),
            ('question_original_id', pg_catalog.to_json(i.question_original_id)),
            ('question_original', pg_catalog.to_json(q.question)),
            ('question_asked', pg_catalog.to_json(i.question_asked)),
            ('answer', pg_catalog.to_json(i.answer)),
            ('ai_analysis', pg_catalog.to_json(i.ai_analysis)),
            ('ai_analysis_recruiter', pg_catalog.to_json(i.ai_analysis_recruiter)),
            ('score', pg_catalog.to_json(i.score)),
            ('score_simulation', pg_catalog.to_json(i.score_simulation)),
            ('score_answer_ai', pg_catalog.to_json(i.score_answer_ai)),
            ('score_answer_ai_simulation', pg_catalog.to_json(i.score_answer_ai_simulation)),
            ('duration', pg_catalog.to_json(i.duration_ds)),
            ('mojito_language_code', pg_catalog.to_json(i.mojito_language_code)),
            -- condensed: kept on write; a row not yet backfilled is condensed here.
            ('answer_assessment_raw_data', case p_view
              when 'full' then i.answer_assessment_raw_data
              when 'condensed' then coalesce(i.answer_assessment_condensed,
                private.condense_answer_assessment(i.answer_assessment_raw_data))
            end),
            ('recording_local_path', pg_catalog.to_json(private.own_recording_path(
              i.recording_local_path, v_result.merchant_id, v_result.id))),
            ('recording_is_video', pg_catalog.to_json(i.recording_is_video)),
            ('external_data', i.external_data),
            ('external_id', pg_catalog.to_json(i.external_id))
          ) f (key, value)
          where f.key <> all (v_left_out)
        ) order by i.position)
      into v_transcript
      from public.interview_result_questions i
      -- summary reads no definition.
      left join public.interview_def_questions q
        on q.id = i.question_original_id and p_view <> 'summary'
      where i.interview_result_id = v_result.id;

      return (
        select pg_catalog.json_object_agg(d.key, d.value)
        from (
          select f.key, case
              when v_list is null then f.value
              when pg_catalog.json_typeof(f.value) in ('object', 'array')
                or v_list ->> f.key = 'keys'
                then private.candidate_json(f.value, f.key, v_list, v_careful)
              when v_list ? f.key then f.value
            end as value
          from (values
            ('score', pg_catalog.to_json(v_result.score)),
            ('score_simulation', pg_catalog.to_json(v_result.score_simulation)),
            ('score_text', pg_catalog.to_json(v_result.score_text)),
            ('score_sentiment', pg_catalog.to_json(v_result.score_sentiment)),
            ('score_words_per_minute', pg_catalog.to_json(v_result.score_words_per_minute)),
            ('score_pronunciation', pg_catalog.to_json(v_result.score_pronunciation)),
            ('score_answer', pg_catalog.to_json(v_result.score_answer)),
            ('status', pg_catalog.to_json(v_result.coach_status)),
            ('start', pg_catalog.to_json(v_result.training_start)),
            ('end', pg_catalog.to_json(v_result.training_end)),
            ('duration', pg_catalog.to_json(v_result.duration_ds)),
            ('ai_interview_coverage_percentage',
              pg_catalog.to_json(v_result.ai_interview_coverage_percentage)),
            ('ai_completion_reason', pg_catalog.to_json(v_result.ai_completed_reason)),
            ('ai_analysis', pg_catalog.to_json(v_result.ai_analysis)),
            ('ai_analysis_recruiter', pg_catalog.to_json(v_result.ai_analysis_recruiter)),
            ('ai_analysis_other', v_result.ai_analysis_other),
            ('ai_analysis_recruiter_why_hire', v_result.ai_analysis_recruiter_why_hire),
            ('ai_analysis_recruiter_why_not_hire', v_result.ai_analysis_recruiter_why_not_hire),
            ('recruiter_risks', v_result.recruiter_risks),
            ('user_feedback_recruiter', pg_catalog.to_json(v_result.user_feedback_recruiter)),
            ('recording_local_path', pg_catalog.to_json(private.own_recording_path(
              v_result.recording_local_path, v_result.merchant_id, v_result.id))),
            ('recording_is_video', pg_catalog.to_json(v_result.recording_is_video)),
            ('video_introduction_local_path', pg_catalog.to_json(private.own_recording_path(
              v_result.video_introduction_local_path, v_result.merchant_id, v_result.id)))
          ) f (key, value)
          union all
          -- The items, each already as the reader sees it.
          select 'transcript', case when v_list is null or v_list ? 'transcript'
            then coalesce(v_transcript, '[]'::json) end
        ) d
      );
    exception when others then
      -- Only the candidate's filter takes JSON values apart, and json_each() refuses the \u0000
      -- and lone surrogates that json keeps, and values nested past the stack: the document is
      -- built once more, those values read carefully (private.candidate_json). Else it raises.
      if v_list is null or v_careful then
        raise;
      end if;
      v_careful := true;
    end;
  end loop;
end;
$$;

comment on function public.interview_transcript(uuid, text) is
  'One interview result with its ordered transcript, as the caller may see it; null when not found or not visible. Access is decided once (private.result_access); the candidate sees the fields and keys private.candidate_visibility shows them, nothing else. p_view: full | condensed | standard | summary.';

-- Signed-in users and the service role only; anon gets the same permission error for every id.
revoke execute on function public.interview_transcript(uuid, text) from public, anon;
grant execute on function public.interview_transcript(uuid, text) to authenticated, service_role;
