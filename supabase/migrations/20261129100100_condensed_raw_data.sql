-- view=condensed: each answer's raw assessment data condensed by the rules JobMojito's MCP server
-- applies (JobMojito/mcp raw_assessment.py), computed when the data is written.
--
-- A full interview runs to ~800 KB, nearly all of it machine-level arrays (word timings, per-frame
-- gaze, per-character timings), which no agent or reader uses and which broke the MCP server's
-- 150,000-character tool results; the standard view drops the raw data entirely. Condensed keeps
-- everything a reviewer reads: the small keys, per speech segment its text, confidence and
-- assessments plus the weakest words, seconds per speaker; and names what it dropped.
--
-- A stored generated column: computed on every insert and update of the raw data, never out of
-- step with it, never written by hand; adding it fills existing rows.

-- The length of a value's compact JSON (no spaces between items), as the MCP server's
-- json.dumps(..., separators=(",", ":"), ensure_ascii=False) counts it: jsonb prints ", " and
-- ": " between items and no other space outside strings.
create function private.compact_json_length(p_value json)
returns integer
language plpgsql immutable
set search_path = ''
as $$
begin
  return pg_catalog.length(
    pg_catalog.regexp_replace(p_value::jsonb::text, '("(?:[^"\\]|\\.)*")| ', '\1', 'g')
  );
end;
$$;

-- Keys other than the known ones longer than this (compact JSON) are dropped and named.
create function private.condensed_large_key_chars()
returns integer
language sql immutable
set search_path = ''
as $$ select 4000 $$;

-- The weakest words of one Azure speech segment: those with an AccuracyScore below 60 or an
-- ErrorType other than "None", at most 15, picked lowest first (a missing score counts as the
-- lowest, ties in spoken order), then listed in spoken order, each {Word, AccuracyScore, ErrorType?}.
-- Null when there are none.
create function private.condensed_low_words(p_words json)
returns json
language plpgsql immutable
set search_path = ''
as $$
begin
  if pg_catalog.json_typeof(p_words) is distinct from 'array' then
    return null;
  end if;
  return (
    with word as (
      select w.n, w.value -> 'Word' as word, a.assessment -> 'AccuracyScore' as score_json,
        case when pg_catalog.json_typeof(a.assessment -> 'AccuracyScore') = 'number'
          then (a.assessment ->> 'AccuracyScore')::numeric end as score,
        a.assessment -> 'ErrorType' as error
      from pg_catalog.json_array_elements(p_words) with ordinality w (value, n)
      cross join lateral (
        select case when pg_catalog.json_typeof(w.value -> 'PronunciationAssessment') = 'object'
          then w.value -> 'PronunciationAssessment' else '{}'::json end as assessment
      ) a
      where pg_catalog.json_typeof(w.value) = 'object'
    ),
    judged as (
      select *, coalesce(pg_catalog.json_typeof(error), 'null') <> 'null'
        and error::text <> '"None"' as is_error
      from word
    ),
    weakest as (
      select * from judged
      where is_error or score < 60
      order by coalesce(score, -1), n
      limit 15
    )
    select pg_catalog.json_agg(
      case when is_error then pg_catalog.json_build_object('Word', word, 'AccuracyScore',
          case when score is null or score = -1 then null else score_json end, 'ErrorType', error)
        else pg_catalog.json_build_object('Word', word, 'AccuracyScore',
          case when score is null or score = -1 then null else score_json end)
      end order by n)
    from weakest
  );
end;
$$;

-- Azure pronunciation output, one entry per recognised segment: per segment its Display,
-- Confidence, PronunciationAssessment and SentimentAnalysis (those present, in that order), and
-- LowAccuracyWords when any; not an array, or an entry not an object, as it is.
create function private.condensed_voice(p_segments json)
returns json
language plpgsql immutable
set search_path = ''
as $$
begin
  if pg_catalog.json_typeof(p_segments) is distinct from 'array' then
    return p_segments;
  end if;
  return coalesce((
    select pg_catalog.json_agg(
      case when pg_catalog.json_typeof(s.value) is distinct from 'object' then s.value
      else (
        select coalesce(pg_catalog.json_object_agg(k.key, k.value order by k.position), '{}'::json)
        from (
          select u.position, u.key, s.value -> u.key as value
          from unnest(array['Display', 'Confidence', 'PronunciationAssessment',
            'SentimentAnalysis']) with ordinality u (key, position)
          where exists (select 1 from pg_catalog.json_object_keys(s.value) o where o = u.key)
          union all
          select 5, 'LowAccuracyWords', low.words
          from (select private.condensed_low_words(s.value -> 'Words') as words) low
          where low.words is not null
        ) k
      ) end
      order by s.n)
    from pg_catalog.json_array_elements(p_segments) with ordinality s (value, n)
  ), '[]'::json);
end;
$$;

-- Seconds per value of `p_field` over pyannote turns ({start, end, <field>}): the sum of
-- end - start, one decimal, a null value read as "unmatched", in order of first appearance.
create function private.seconds_by(p_turns json, p_field text)
returns json
language plpgsql immutable
set search_path = ''
as $$
begin
  return coalesce((
    select pg_catalog.json_object_agg(t.label, pg_catalog.round(t.total, 1) order by t.first)
    from (
      select label, pg_catalog.sum(greatest(0, stop - start)) as total, min(n) as first
      from (
        select x.n,
          case when coalesce(pg_catalog.json_typeof(x.turn -> p_field), 'null') = 'null'
            then 'unmatched' else x.turn ->> p_field end as label,
          (x.turn ->> 'start')::numeric as start, (x.turn ->> 'end')::numeric as stop
        from pg_catalog.json_array_elements(p_turns) with ordinality x (turn, n)
        where pg_catalog.json_typeof(x.turn) = 'object'
          and pg_catalog.json_typeof(x.turn -> 'start') = 'number'
          and pg_catalog.json_typeof(x.turn -> 'end') = 'number'
      ) turn
      group by label
    ) t
  ), '{}'::json);
end;
$$;

-- Builds an object from ordered keys and values, with `_omitted` last when anything was dropped.
create function private.object_with_omitted(p_keys text[], p_values json[], p_omitted text[])
returns json
language plpgsql immutable
set search_path = ''
as $$
begin
  if cardinality(p_omitted) > 0 then
    p_keys := p_keys || '_omitted'::text;
    p_values := p_values || pg_catalog.to_json(p_omitted);
  end if;
  return coalesce((
    select pg_catalog.json_object_agg(k.key, k.value order by k.n)
    from unnest(p_keys, p_values) with ordinality k (key, value, n)
  ), '{}'::json);
end;
$$;

-- pyannote: `diarization` becomes speaker_seconds and turns, `identification` identified_seconds;
-- `confidence` (one score per 20 ms) is dropped, as is any other key over the large-key limit;
-- other small keys (voiceprints...) stay; what was dropped is named in its own `_omitted`.
create function private.condensed_pyannote(p_value json)
returns json
language plpgsql immutable
set search_path = ''
as $$
declare
  v_keys text[] := '{}'::text[];
  v_values json[] := '{}'::json[];
  v_omitted text[] := '{}'::text[];
  v_entry record;
begin
  if pg_catalog.json_typeof(p_value) is distinct from 'object' then
    return p_value;
  end if;
  for v_entry in select e.key, e.value from pg_catalog.json_each(p_value) e loop
    if v_entry.key = 'diarization' and pg_catalog.json_typeof(v_entry.value) = 'array' then
      v_keys := v_keys || array['speaker_seconds', 'turns'];
      v_values := v_values || array[private.seconds_by(v_entry.value, 'speaker'),
        pg_catalog.to_json(pg_catalog.json_array_length(v_entry.value))];
    elsif v_entry.key = 'identification' and pg_catalog.json_typeof(v_entry.value) = 'array' then
      v_keys := v_keys || 'identified_seconds'::text;
      v_values := v_values || private.seconds_by(v_entry.value, 'match');
    elsif v_entry.key = 'confidence'
      or private.compact_json_length(v_entry.value) > private.condensed_large_key_chars() then
      v_omitted := v_omitted || v_entry.key;
    else
      v_keys := v_keys || v_entry.key;
      v_values := v_values || v_entry.value;
    end if;
  end loop;
  return private.object_with_omitted(v_keys, v_values, v_omitted);
end;
$$;

-- One answer's answer_assessment_raw_data, condensed: an object (current rows) key by key, the
-- older `[null, {...}]` form element by element, anything else as it is.
--   dropped and named in `_omitted`: assemblyai (word timings), elevenlabs (per-character
--   timings), reading_detection_results (per-frame gaze; reading_stats summarises it),
--   audio_mp3_local_path, and any other key whose compact JSON is over 4,000 characters;
--   voice condensed (private.condensed_voice); pyannote condensed (private.condensed_pyannote);
--   candidate_images (snapshot paths) becomes candidate_images_count (and is named);
--   every other key as it is, including keys added later.
create function private.condense_answer_assessment(p_raw json)
returns json
language plpgsql immutable
set search_path = ''
as $$
declare
  v_keys text[] := '{}'::text[];
  v_values json[] := '{}'::json[];
  v_omitted text[] := '{}'::text[];
  v_entry record;
begin
  if pg_catalog.json_typeof(p_raw) = 'array' then
    return coalesce((
      select pg_catalog.json_agg(private.condense_answer_assessment(x.value) order by x.n)
      from pg_catalog.json_array_elements(p_raw) with ordinality x (value, n)
    ), '[]'::json);
  end if;
  if pg_catalog.json_typeof(p_raw) is distinct from 'object' then
    return p_raw;
  end if;
  for v_entry in select e.key, e.value from pg_catalog.json_each(p_raw) e loop
    if v_entry.key in ('assemblyai', 'elevenlabs', 'reading_detection_results',
      'audio_mp3_local_path') then
      v_omitted := v_omitted || v_entry.key;
    elsif v_entry.key = 'voice' then
      v_keys := v_keys || v_entry.key;
      v_values := v_values || private.condensed_voice(v_entry.value);
    elsif v_entry.key = 'candidate_images' then
      v_keys := v_keys || 'candidate_images_count'::text;
      v_values := v_values || pg_catalog.to_json(case
        when pg_catalog.json_typeof(v_entry.value) = 'array'
          then pg_catalog.json_array_length(v_entry.value) else 0 end);
      v_omitted := v_omitted || v_entry.key;
    elsif v_entry.key = 'pyannote' then
      v_keys := v_keys || v_entry.key;
      v_values := v_values || private.condensed_pyannote(v_entry.value);
    elsif private.compact_json_length(v_entry.value) > private.condensed_large_key_chars() then
      v_omitted := v_omitted || v_entry.key;
    else
      v_keys := v_keys || v_entry.key;
      v_values := v_values || v_entry.value;
    end if;
  end loop;
  return private.object_with_omitted(v_keys, v_values, v_omitted);
end;
$$;

-- Whoever writes the raw data computes the condensed copy: the writers' roles may run these.
grant execute on all functions in schema private to service_role;

alter table public.interview_result_questions
  add column answer_assessment_condensed json
  generated always as (private.condense_answer_assessment(answer_assessment_raw_data)) stored;

comment on column public.interview_result_questions.answer_assessment_condensed is
  'answer_assessment_raw_data condensed for readers (view=condensed); computed on write: private.condense_answer_assessment().';
