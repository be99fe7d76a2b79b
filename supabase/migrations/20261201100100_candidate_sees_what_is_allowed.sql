-- Privacy that denies by default: the candidate reading their own result sees a field, or a key
-- of an open JSON value, because a rule says they may; everything else, known or added later, is
-- hidden from them. Before, the RPC nulled a list of recruiter-only fields and removed a list of
-- proctoring keys, so a key JobMojito added later (ai_analysis_other.strengths_concerns, since
-- 2026-09-15) reached the candidate in full.
--
-- The rule lives in one table, private.candidate_visibility: one row per decision with its reason;
-- the RPC reads the candidate's rows once per call. Hidden document and item fields stay in the
-- document as null (the contract's shape); hidden keys of ai_analysis_other, of an answer's raw
-- data (condensed or not) and of external_data are removed, names included (`_omitted` too): the
-- contract makes every key of those values optional ("Further keys may be added"), and a key kept
-- as null would still tell its name (that a key statement exists, that proctoring ran).
--
-- Also: the access decision takes the same steps whether the result exists or not. A hidden
-- result's 404 was byte-identical to a missing one's but came 0.11 to 0.18 ms later: the RPC
-- returned at once when no row existed and decided access only when one did.
set local lock_timeout = '750ms';
set local statement_timeout = '60s';

-- What the candidate sees of their own result. scope: 'result' (fields of the document),
-- 'transcript_item' (fields of each item), and the keys of 'ai_analysis_other',
-- 'answer_assessment_raw_data' (raw and condensed) and 'external_data'. A field or key without a
-- row here is hidden; rows with candidate = false record decisions to hide, with their reason.
-- Reviewers of the merchant, platform admins and the service role see everything.
create table private.candidate_visibility (
  scope text not null check (scope in ('result', 'transcript_item', 'ai_analysis_other',
    'answer_assessment_raw_data', 'external_data')),
  key text not null,
  candidate boolean not null,
  reason text not null check (reason <> ''),
  primary key (scope, key)
);
alter table private.candidate_visibility enable row level security;
revoke all on private.candidate_visibility from public, anon, authenticated, service_role;

insert into private.candidate_visibility (scope, key, candidate, reason) values
  ('result', 'score', true, 'Their own overall score.'),
  ('result', 'score_simulation', true, 'Their own simulated score.'),
  ('result', 'score_text', true, 'Their own score, in words.'),
  ('result', 'score_sentiment', true, 'Their own sentiment sub-score.'),
  ('result', 'score_words_per_minute', true, 'Their own speaking pace.'),
  ('result', 'score_pronunciation', true, 'Their own pronunciation sub-score.'),
  ('result', 'score_answer', true, 'Their own answer sub-score.'),
  ('result', 'status', true, 'Where their interview stands.'),
  ('result', 'start', true, 'When they started.'),
  ('result', 'end', true, 'When they finished.'),
  ('result', 'duration', true, 'How long they took.'),
  ('result', 'ai_interview_coverage_percentage', true, 'How much of the interview they covered.'),
  ('result', 'ai_completion_reason', true, 'Why their interview ended.'),
  ('result', 'ai_analysis', true, 'Candidate-facing analysis, by the contract.'),
  ('result', 'ai_analysis_recruiter', false, 'Recruiter-facing analysis, by the contract.'),
  ('result', 'ai_analysis_other', true, 'Shown key by key (scope ai_analysis_other).'),
  ('result', 'ai_analysis_recruiter_why_hire', false, 'A copy of strengths_concerns.strengths (recruiter-facing).'),
  ('result', 'ai_analysis_recruiter_why_not_hire', false, 'A copy of strengths_concerns.concerns (recruiter-facing).'),
  ('result', 'recruiter_risks', false, 'Risk flags for the recruiter, computed from proctoring.'),
  ('result', 'user_feedback_recruiter', false, 'The recruiter''s own note.'),
  ('result', 'recording_local_path', true, 'Their own session recording.'),
  ('result', 'recording_is_video', true, 'Their own session recording.'),
  ('result', 'video_introduction_local_path', true, 'Their own video introduction.'),
  ('result', 'transcript', true, 'Their own conversation, item by item (scope transcript_item).'),
  ('transcript_item', 'id', true, 'Identifies the turn.'),
  ('transcript_item', 'is_answer', true, 'Whose turn it is.'),
  ('transcript_item', 'view', true, 'The kind of question they were asked.'),
  ('transcript_item', 'question_original_id', true, 'Which question of the interview was asked.'),
  ('transcript_item', 'question_original', true, 'The question as written.'),
  ('transcript_item', 'question_asked', true, 'The question they were asked.'),
  ('transcript_item', 'answer', true, 'Their own answer.'),
  ('transcript_item', 'ai_analysis', true, 'Candidate-facing analysis of the answer.'),
  ('transcript_item', 'ai_analysis_recruiter', false, 'Recruiter-facing analysis of the answer, by the contract.'),
  ('transcript_item', 'score', true, 'Their own score for the answer.'),
  ('transcript_item', 'score_simulation', true, 'Their own simulated score for the answer.'),
  ('transcript_item', 'score_answer_ai', true, 'Their own AI score for the answer.'),
  ('transcript_item', 'score_answer_ai_simulation', true, 'Their own simulated AI score.'),
  ('transcript_item', 'duration', true, 'How long the turn took.'),
  ('transcript_item', 'mojito_language_code', true, 'The language of the turn.'),
  ('transcript_item', 'answer_assessment_raw_data', true, 'Shown key by key (scope answer_assessment_raw_data).'),
  ('transcript_item', 'recording_local_path', true, 'Their own recording of the answer.'),
  ('transcript_item', 'recording_is_video', true, 'Their own recording of the answer.'),
  ('transcript_item', 'external_data', true, 'Shown key by key (scope external_data).'),
  ('transcript_item', 'external_id', false, 'The merchant''s own identifier for the question (its ATS).'),
  ('ai_analysis_other', 'hiring_reasons', false, 'Reasons to hire or not, recruiter-facing by the contract (rows before 2026-09-15).'),
  ('ai_analysis_other', 'strengths_concerns', false, 'Strengths and concerns, recruiter-facing by the contract (since 2026-09-15).'),
  ('ai_analysis_other', 'takeaways', true, 'What went well and next steps: learner-facing, by the contract.'),
  ('ai_analysis_other', 'multi_department', false, 'Which departments they would suit: the merchant''s routing, not said to be candidate-facing.'),
  ('ai_analysis_other', 'score_rationale', true, 'Why their session score is what it is; they see the score.'),
  ('ai_analysis_other', 'key_statement', false, 'The quote a recruiter would remember them by: recruiter-facing, by the contract.'),
  ('answer_assessment_raw_data', 'model', true, 'Which model assessed their speech.'),
  ('answer_assessment_raw_data', 'language', true, 'The language their answer was assessed in.'),
  ('answer_assessment_raw_data', 'voice', true, 'Their pronunciation and sentiment assessment, which their scores come from.'),
  ('answer_assessment_raw_data', 'assemblyai', true, 'The timings of their own words.'),
  ('answer_assessment_raw_data', 'stt_reliability', true, 'How reliable the transcript of their answer is.'),
  ('answer_assessment_raw_data', 'elevenlabs', true, 'The timings of the question as the avatar spoke it to them.'),
  ('answer_assessment_raw_data', '_omitted', true, 'Names what condensing left out: only names the candidate may see.'),
  ('answer_assessment_raw_data', '_unreadable', true, 'Names what condensing could not read: only names the candidate may see.'),
  ('answer_assessment_raw_data', 'proctor_status', false, 'The proctor''s verdict (recruiter_risks is computed from proctoring).'),
  ('answer_assessment_raw_data', 'reading_stats', false, 'Proctoring: how much of the answer was read.'),
  ('answer_assessment_raw_data', 'reading_detection_results', false, 'Proctoring: gaze, frame by frame.'),
  ('answer_assessment_raw_data', 'candidate_images', false, 'Proctoring: snapshots of the candidate.'),
  ('answer_assessment_raw_data', 'candidate_images_count', false, 'Proctoring: how many snapshots (condensed).'),
  ('answer_assessment_raw_data', 'pyannote', false, 'Who spoke when: tells a second speaker (proctoring).'),
  ('answer_assessment_raw_data', 'audio_mp3_local_path', false, 'A storage path of a copy made for processing; their recording is recording_local_path.'),
  ('external_data', 'ats_question_ref', false, 'The merchant''s reference for the question in its ATS.');

-- The part of an open JSON value (ai_analysis_other, raw data, external_data) the candidate may
-- read: an object with only the keys in p_keys, in its order; the older `[null, {...}]` form of
-- the raw data element by element; any other value, whose keys can't be told, is null.
-- `_omitted` and `_unreadable` (names of keys condensing left out) name only keys in p_keys, and
-- are left out when that is none: an empty list would still say that something was hidden.
-- PL/pgSQL: it takes its argument detoasted once (a SQL function re-read it per use, and was
-- planned again on every call of the RPC), and the RPC calls it once per value.
create function private.candidate_object(p_value json, p_keys text[])
returns json
language plpgsql immutable
set search_path = ''
as $$
begin
  case pg_catalog.json_typeof(p_value)
    when 'object' then
      return coalesce((
        select pg_catalog.json_object_agg(e.key, e.value)
        from (
          select e.key, case
            when e.key in ('_omitted', '_unreadable') and pg_catalog.json_typeof(e.value) = 'array' then (
              select pg_catalog.json_agg(o.value order by o.n)
              from pg_catalog.json_array_elements(e.value) with ordinality o (value, n)
              where (o.value #>> '{}') = any (p_keys))
            else e.value end as value
          from pg_catalog.json_each(p_value) e
          where e.key = any (p_keys)
        ) e
        where e.value is not null
      ), '{}'::json);
    when 'array' then
      return (
        select pg_catalog.json_agg(case when pg_catalog.json_typeof(x.value) = 'object'
          then private.candidate_object(x.value, p_keys) end order by x.n)
        from pg_catalog.json_array_elements(p_value) with ordinality x (value, n));
    else
      return null;
  end case;
end;
$$;

-- The same, careful: read from a copy with \u0000 and lone surrogates replaced by U+FFFD
-- (json_each() refuses them); a value that still can't be read is null: what can't be read
-- isn't shown. The RPC's second attempt, when the first raised.
create function private.candidate_part(p_value json, p_keys text[], p_careful boolean)
returns json
language plpgsql immutable
set search_path = ''
as $$
begin
  if p_careful then
    begin
      return private.candidate_object(private.json_readable(p_value), p_keys);
    exception when others then
      return null;
    end;
  end if;
  return private.candidate_object(p_value, p_keys);
end;
$$;

revoke execute on function private.candidate_object(json, text[]),
  private.candidate_part(json, text[], boolean) from public, anon, authenticated;

-- What the caller may do with one result: 'none' (the same as not found), 'candidate' (their own,
-- seen through private.candidate_visibility), or 'all'. The rule is unchanged; every check now
-- runs whatever the row holds, a row of nulls for a result that doesn't exist included, so that
-- deciding takes the same steps for a hidden result as for a missing one.
create or replace function private.result_access(p_result public.interview_results)
returns text
language plpgsql stable security definer
set search_path = ''
as $$
declare
  v_role text := current_setting('role', true);
  v_admin boolean;
  v_reviewer boolean;
begin
  if v_role = 'authenticated' then
    v_admin := private.is_platform_admin();
    v_reviewer := private.can_review_merchant(p_result.merchant_id);
    if p_result.id is null then
      return 'none';
    end if;
    if v_admin or (v_reviewer and p_result.submitted_at is not null) then
      return 'all';
    end if;
    return case when p_result.candidate_id = (select auth.uid()) then 'candidate' else 'none' end;
  end if;
  if p_result.id is null then
    return 'none';
  end if;
  return case when exists (
    select 1 from pg_catalog.pg_roles r
    where r.rolname = coalesce(nullif(v_role, 'none'), session_user)
      and (r.rolbypassrls or r.rolsuper)
  ) then 'all' else 'none' end;
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

