-- view=condensed without a table rewrite, and a write that never fails because of condensing.
--
-- 20261129100100 made answer_assessment_condensed a stored generated column. Adding one rewrites
-- interview_result_questions under an ACCESS EXCLUSIVE lock (0.67 ms an answer of ~20 KB: about
-- 11 minutes per million answers with every transcript read and write blocked). From here on it
-- is a plain nullable column that a trigger keeps on every write of the raw data:
--   * DROP EXPRESSION is catalog-only: the stored values stay; nothing is rewritten or scanned;
--   * a row whose condensed copy is null while its raw data isn't (none after this migration; a
--     database that reaches this design another way) is condensed by the RPC when read, and
--     filled in small batches outside any migration (supabase/backfill/, README "Backfills");
--   * the raw data is `json`, which keeps \u0000 and lone surrogates that jsonb, json_each() and
--     -> all refuse ("unsupported Unicode escape sequence"), and the older array form was
--     condensed by recursion, which ran out of stack on data nested a thousand levels deep: each
--     failed the writer's whole insert or update. Condensing now never raises (below).
--
-- Fails fast rather than queueing readers behind it: the one statement that takes the table's
-- lock comes last, under lock_timeout. On a timeout nothing is applied; run the push again.
set local lock_timeout = '750ms';
set local statement_timeout = '60s';

-- The length of a value's compact JSON, as the MCP server counts it (json.dumps with
-- separators=(",", ":"), ensure_ascii=False): jsonb's text without the space after each `,` and
-- `:`. jsonb refuses \u0000 and lone surrogates, which json keeps: such a value is counted on its
-- text as stored, less the whitespace between tokens (its escapes then count as written).
create or replace function private.compact_json_length(p_value json)
returns integer
language plpgsql immutable
set search_path = ''
as $$
declare
  v_text text := p_value::text;
begin
  if pg_catalog.strpos(v_text, '\u') > 0 and v_text ~ '\\u(0000|[dD][89a-fA-F])' then
    return pg_catalog.length(
      pg_catalog.regexp_replace(v_text, '("(?:[^"\\]|\\.)*")|\s+', '\1', 'g'));
  end if;
  return pg_catalog.length(
    pg_catalog.regexp_replace(p_value::jsonb::text, '("(?:[^"\\]|\\.)*")| ', '\1', 'g'));
end;
$$;

-- The value with each \u0000 and each lone surrogate escape replaced by \ufffd, the Unicode
-- replacement character: what json_each() and -> can read. An escaped backslash followed by
-- "u0000" is text, not an escape, and stays.
create function private.json_readable(p_value json)
returns json
language plpgsql immutable
set search_path = ''
as $$
begin
  return pg_catalog.regexp_replace(
    pg_catalog.regexp_replace(p_value::text, '((?:^|[^\\])(?:\\\\)*)\\u0000', '\1\\ufffd', 'g'),
    '((?:^|[^\\])(?:\\\\)*)(\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2})',
    '\1\\ufffd', 'g')::json;
end;
$$;

-- One top-level key of an answer's raw data, condensed: the key and value to keep (null when the
-- key is dropped) and whether the key is named in `_omitted`.
--   dropped: assemblyai (word timings), elevenlabs (per-character timings),
--   reading_detection_results (per-frame gaze; reading_stats summarises it),
--   audio_mp3_local_path, and any other key whose compact JSON is over 4,000 characters;
--   voice and pyannote condensed; candidate_images becomes candidate_images_count (and is
--   named); every other key as it is, including keys added later.
create function private.condensed_entry(
  p_key text,
  p_value json,
  out o_key text,
  out o_value json,
  out o_omitted boolean
)
language plpgsql immutable
set search_path = ''
as $$
begin
  o_omitted := false;
  if p_key in ('assemblyai', 'elevenlabs', 'reading_detection_results', 'audio_mp3_local_path') then
    o_omitted := true;
  elsif p_key = 'voice' then
    o_key := p_key;
    o_value := private.condensed_voice(p_value);
  elsif p_key = 'candidate_images' then
    o_key := 'candidate_images_count';
    o_value := pg_catalog.to_json(case when pg_catalog.json_typeof(p_value) = 'array'
      then pg_catalog.json_array_length(p_value) else 0 end);
    o_omitted := true;
  elsif p_key = 'pyannote' then
    o_key := p_key;
    o_value := private.condensed_pyannote(p_value);
  elsif private.compact_json_length(p_value) > private.condensed_large_key_chars() then
    o_omitted := true;
  else
    o_key := p_key;
    o_value := p_value;
  end if;
end;
$$;

-- An object of raw data condensed key by key, `_omitted` last when anything was dropped. With
-- p_careful each key is condensed on its own: one that fails is dropped and named in `_omitted`
-- and in `_unreadable`, and the others are kept.
create function private.condensed_object(p_raw json, p_careful boolean)
returns json
language plpgsql immutable
set search_path = ''
as $$
declare
  v_keys text[] := '{}'::text[];
  v_values json[] := '{}'::json[];
  v_omitted text[] := '{}'::text[];
  v_unreadable text[] := '{}'::text[];
  v_entry record;
  v_condensed record;
begin
  for v_entry in select e.key, e.value from pg_catalog.json_each(p_raw) e loop
    if p_careful then
      begin
        v_condensed := private.condensed_entry(v_entry.key, v_entry.value);
      exception when others then
        v_condensed := row(null::text, null::json, true);
        v_unreadable := v_unreadable || v_entry.key;
      end;
    else
      v_condensed := private.condensed_entry(v_entry.key, v_entry.value);
    end if;
    if v_condensed.o_key is not null then
      v_keys := v_keys || v_condensed.o_key;
      v_values := v_values || v_condensed.o_value;
    end if;
    if v_condensed.o_omitted then
      v_omitted := v_omitted || v_entry.key;
    end if;
  end loop;
  if cardinality(v_omitted) > 0 then
    v_keys := v_keys || '_omitted'::text;
    v_values := v_values || pg_catalog.to_json(v_omitted);
  end if;
  if cardinality(v_unreadable) > 0 then
    v_keys := v_keys || '_unreadable'::text;
    v_values := v_values || pg_catalog.to_json(v_unreadable);
  end if;
  return coalesce((
    select pg_catalog.json_object_agg(k.key, k.value order by k.n)
    from unnest(v_keys, v_values) with ordinality k (key, value, n)
  ), '{}'::json);
end;
$$;

-- Raw data condensed: an object (current rows) key by key, the older `[null, {...}]` form element
-- by element (its elements only: no recursion, whatever the nesting), anything else as it is.
create function private.condensed_value(p_raw json, p_careful boolean)
returns json
language plpgsql immutable
set search_path = ''
as $$
begin
  return case pg_catalog.json_typeof(p_raw)
    when 'object' then private.condensed_object(p_raw, p_careful)
    when 'array' then coalesce((
      select pg_catalog.json_agg(case when pg_catalog.json_typeof(x.value) = 'object'
        then private.condensed_object(x.value, p_careful) else x.value end order by x.n)
      from pg_catalog.json_array_elements(p_raw) with ordinality x (value, n)
    ), '[]'::json)
    else p_raw
  end;
end;
$$;

-- One answer's answer_assessment_raw_data, condensed by the rules of JobMojito's MCP server
-- (private.condensed_entry). Never raises, so no write fails because of it: when the raw data
-- holds what Postgres can't read as text (\u0000, a lone surrogate), it is condensed from a copy
-- with those replaced by U+FFFD; a key that still can't be condensed (nesting past the stack) is
-- dropped and named in `_omitted` and `_unreadable`; raw data that can't be read at all condenses
-- to {"_unreadable": true}. The raw data itself is stored as given.
create or replace function private.condense_answer_assessment(p_raw json)
returns json
language plpgsql immutable
set search_path = ''
as $$
begin
  return private.condensed_value(p_raw, false);
exception when others then
  begin
    return private.condensed_value(private.json_readable(p_raw), true);
  exception when others then
    return pg_catalog.json_build_object('_unreadable', true);
  end;
end;
$$;

revoke execute on function private.json_readable(json),
  private.condensed_entry(text, json), private.condensed_object(json, boolean),
  private.condensed_value(json, boolean)
  from public;
grant execute on function private.json_readable(json),
  private.condensed_entry(text, json), private.condensed_object(json, boolean),
  private.condensed_value(json, boolean)
  to service_role;

-- Keeps the condensed copy on every write of the raw data, and on any write of the copy itself
-- (which is how a backfill asks for it): the copy is never written by hand. Security definer, so
-- a writer needs no privilege on `private` for its write to go through.
create function private.keep_answer_assessment_condensed()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  new.answer_assessment_condensed :=
    private.condense_answer_assessment(new.answer_assessment_raw_data);
  return new;
end;
$$;

revoke execute on function private.keep_answer_assessment_condensed() from public;

-- One batch of the backfill of rows whose condensed copy is missing: the next p_limit rows by id
-- after p_after (an index range scan, so a run never rescans what it has passed), those missing
-- a copy filled by the trigger (writing the column is how it asks), rows a writer holds skipped
-- (its write fills them). Returns how many it filled and the last id it looked at (null when
-- done). Run it in a loop, each call its own transaction, never inside a migration:
-- tools/backfill/condensed.ts, or README "Backfills" for the same with the CLI.
create function private.backfill_answer_assessment_condensed(
  p_after uuid default null,
  p_limit integer default 500,
  out filled integer,
  out last_id uuid
)
language plpgsql volatile security definer
set search_path = ''
as $$
begin
  select max(q.id::text)::uuid into last_id
  from (
    select i.id from public.interview_result_questions i
    where p_after is null or i.id > p_after
    order by i.id
    limit p_limit
  ) q;
  with batch as (
    select i.id from public.interview_result_questions i
    where (p_after is null or i.id > p_after) and i.id <= last_id
      and i.answer_assessment_condensed is null and i.answer_assessment_raw_data is not null
    for update skip locked
  )
  update public.interview_result_questions i set answer_assessment_condensed = null
  from batch where i.id = batch.id;
  get diagnostics filled = row_count;
end;
$$;

revoke execute on function private.backfill_answer_assessment_condensed(uuid, integer)
  from public, anon, authenticated;

-- The RPC condenses a row whose copy is not filled yet; otherwise as in 20261129100200.
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
    -- condensed: the same document with each answer's raw data condensed (kept on write; a row
    -- not yet filled is condensed here).
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
          then private.without_proctoring(coalesce(i.answer_assessment_condensed,
            private.condense_answer_assessment(i.answer_assessment_raw_data)))
        when p_view = 'condensed' then coalesce(i.answer_assessment_condensed,
          private.condense_answer_assessment(i.answer_assessment_raw_data))
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

-- Last, so the table's lock is held only for these statements and the commit: catalog-only
-- changes, the stored values kept. A database that skipped 20261129100100 (marked applied with
-- `supabase migration repair`, to spare it that file's table rewrite) gets the column here,
-- empty, for the backfill to fill; on every other the first statement does nothing.
alter table public.interview_result_questions
  add column if not exists answer_assessment_condensed json;
alter table public.interview_result_questions
  alter column answer_assessment_condensed drop expression if exists;
create trigger keep_answer_assessment_condensed
  before insert or update of answer_assessment_raw_data, answer_assessment_condensed
  on public.interview_result_questions
  for each row execute function private.keep_answer_assessment_condensed();

comment on column public.interview_result_questions.answer_assessment_condensed is
  'answer_assessment_raw_data condensed for readers (view=condensed): kept on every write by the trigger keep_answer_assessment_condensed (private.condense_answer_assessment()); null only for rows not yet backfilled, which the RPC condenses when read.';
