-- view=condensed: the condensing rules (JobMojito's MCP server's), the column that keeps each
-- answer's raw data condensed, the trigger that keeps it on every write, and one batch of the
-- backfill for rows written before. The current definition of each object is in
-- supabase/schemas/.
--
-- Safe on a live database holding millions of answers: adding a nullable column without a default
-- is a catalog change (no rewrite, no scan), and so is a trigger; the rows written before are
-- filled afterwards, in small batches, outside any migration (`npm run backfill:condensed`), and
-- read right meanwhile (the RPC condenses an unfilled row when it reads it). The statements that
-- take interview_result_questions' lock come last, so it is held only for them and the commit.
set local lock_timeout = '750ms';
set local statement_timeout = '60s';

-- The value with each \u0000 and each lone surrogate escape replaced by \ufffd, the Unicode
-- replacement character. `json` keeps them as written; jsonb, json_each() keys, ->> and #>> all
-- refuse them ("unsupported Unicode escape sequence"). Condensing and the candidate's filter read
-- such a value from this copy rather than fail. An escaped backslash followed by "u0000" is text,
-- not an escape, and stays.
create function private.json_readable(p_value json) returns json
language plpgsql immutable set search_path = '' as $$
begin
  return pg_catalog.regexp_replace(
    pg_catalog.regexp_replace(p_value::text, '((?:^|[^\\])(?:\\\\)*)\\u0000', '\1\\ufffd', 'g'),
    '((?:^|[^\\])(?:\\\\)*)(\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2})',
    '\1\\ufffd', 'g')::json;
end;
$$;

-- view=condensed: an answer's answer_assessment_raw_data condensed by the rules JobMojito's MCP
-- server applies (JobMojito/mcp raw_assessment.py). A full interview runs to ~800 KB, nearly all
-- of it machine-level arrays (word timings, per-frame gaze, per-character timings) that no agent
-- or reader uses. Condensed keeps what a reviewer reads and names what it dropped:
--   dropped and named in `_omitted`: assemblyai (word timings), elevenlabs (per-character
--     timings), reading_detection_results (per-frame gaze; reading_stats summarises it),
--     audio_mp3_local_path, and any other key whose compact JSON is over 4,000 characters;
--   voice: per segment its text, confidence and assessments, and its weakest words;
--   pyannote: seconds per speaker and per identified voice;
--   candidate_images (snapshot paths) becomes candidate_images_count (and is named);
--   every other key as it is, including keys added later.
-- Kept on write in answer_assessment_condensed (0410_answer_assessment_condensed.sql).

-- The length of a value's compact JSON, as the MCP server counts it (json.dumps with
-- separators=(",", ":"), ensure_ascii=False): jsonb's text without the space after each `,` and
-- `:`. jsonb refuses \u0000 and lone surrogates, which json keeps: such a value is counted on its
-- text as stored, less the whitespace between tokens (its escapes then count as written).
create function private.compact_json_length(p_value json) returns integer
language plpgsql immutable set search_path = '' as $$
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

-- Keys other than the known ones longer than this (compact JSON) are dropped and named.
create function private.condensed_large_key_chars() returns integer
language sql immutable set search_path = '' as $$ select 4000 $$;

-- The weakest words of one Azure speech segment: those with an AccuracyScore below 60 or an
-- ErrorType other than "None", at most 15, picked lowest first (a missing score counts as the
-- lowest, ties in spoken order), then listed in spoken order, each {Word, AccuracyScore, ErrorType?}.
-- Null when there are none.
create function private.condensed_low_words(p_words json) returns json
language plpgsql immutable set search_path = '' as $$
begin
  return (
    with word as (
      select w.n, w.value -> 'Word' as word, a.assessment -> 'AccuracyScore' as score_json,
        case when pg_catalog.json_typeof(a.assessment -> 'AccuracyScore') = 'number'
          then (a.assessment ->> 'AccuracyScore')::numeric end as score,
        a.assessment -> 'ErrorType' as error
      from pg_catalog.json_array_elements(
        case when pg_catalog.json_typeof(p_words) = 'array' then p_words end
      ) with ordinality w (value, n)
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
create function private.condensed_voice(p_segments json) returns json
language plpgsql immutable set search_path = '' as $$
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
create function private.seconds_by(p_turns json, p_field text) returns json
language plpgsql immutable set search_path = '' as $$
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

-- An object from ordered keys and values, then `_omitted` naming what was dropped and
-- `_unreadable` naming what could not be read, each only when it names something.
create function private.object_with_omitted(
  p_keys text[],
  p_values json[],
  p_omitted text[],
  p_unreadable text[] default '{}'
) returns json
language plpgsql immutable set search_path = '' as $$
begin
  if cardinality(p_omitted) > 0 then
    p_keys := p_keys || '_omitted'::text;
    p_values := p_values || pg_catalog.to_json(p_omitted);
  end if;
  if cardinality(p_unreadable) > 0 then
    p_keys := p_keys || '_unreadable'::text;
    p_values := p_values || pg_catalog.to_json(p_unreadable);
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
create function private.condensed_pyannote(p_value json) returns json
language plpgsql immutable set search_path = '' as $$
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

-- One top-level key of an answer's raw data, condensed: the key and value to keep (null when the
-- key is dropped) and whether the key is named in `_omitted` (the rules above).
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
create function private.condensed_object(p_raw json, p_careful boolean) returns json
language plpgsql immutable set search_path = '' as $$
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
  return private.object_with_omitted(v_keys, v_values, v_omitted, v_unreadable);
end;
$$;

-- Raw data condensed: an object (current rows) key by key, the older `[null, {...}]` form element
-- by element (its elements only: no recursion, whatever the nesting), anything else as it is.
create function private.condensed_value(p_raw json, p_careful boolean) returns json
language plpgsql immutable set search_path = '' as $$
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

-- One answer's answer_assessment_raw_data, condensed. Never raises, so no write fails because of
-- it: when the raw data holds what Postgres can't read as text (\u0000, a lone surrogate), it is
-- condensed from a copy with those replaced by U+FFFD (private.json_readable); a key that still
-- can't be condensed (nesting past the stack) is dropped and named in `_omitted` and
-- `_unreadable`; raw data that can't be read at all condenses to {"_unreadable": true}. The raw
-- data itself is stored as given.
create function private.condense_answer_assessment(p_raw json) returns json
language plpgsql immutable set search_path = '' as $$
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

-- One batch of the backfill of rows whose condensed copy is missing (rows written before the
-- column existed): the next p_limit rows by id after p_after (an index range scan, so a run never
-- rescans what it has passed), those missing a copy filled by the trigger (writing the column is
-- how it asks). A row a writer holds is skipped: its writer fills it if it writes the raw data,
-- and a later run otherwise. Returns how many it filled and the last id it looked at (null when
-- done). Run it in a loop, each call its own transaction, never inside a migration:
-- `npm run backfill:condensed` (tools/backfill/condensed.ts), which ends by counting the rows
-- still missing their copy, or docs/database.md for the same loop with the CLI alone.
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

-- answer_assessment_condensed (view=condensed) is a plain nullable column that this trigger keeps
-- on every write of the raw data, and on any write of the copy itself, which is how the backfill
-- asks for it: the copy is never written by hand. Not a stored generated column: adding one
-- rewrites the table under an ACCESS EXCLUSIVE lock (about 11 minutes per million answers with
-- every transcript read and write blocked); a plain column is added in the catalog alone, and
-- rows written before it are filled afterwards in small batches
-- (0420_backfill_answer_assessment_condensed.sql). Until then the RPC condenses such a row when
-- it reads it. Security definer, so a writer needs no privilege on `private`.
create function private.keep_answer_assessment_condensed() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  new.answer_assessment_condensed :=
    private.condense_answer_assessment(new.answer_assessment_raw_data);
  return new;
end;
$$;

-- No function in private is callable by PUBLIC (PostgreSQL's default for a new function, which a
-- schema's default privileges can't take away): only where a grant says so.
revoke execute on all functions in schema private from public;

-- Last: interview_result_questions' lock, for catalog changes only.
alter table public.interview_result_questions add column answer_assessment_condensed json;
create trigger keep_answer_assessment_condensed
  before insert or update of answer_assessment_raw_data, answer_assessment_condensed
  on public.interview_result_questions
  for each row execute function private.keep_answer_assessment_condensed();

comment on column public.interview_result_questions.answer_assessment_condensed is
  'answer_assessment_raw_data condensed for readers (view=condensed): kept on every write by the trigger keep_answer_assessment_condensed (private.condense_answer_assessment()); null only for rows not yet backfilled (npm run backfill:condensed), which the RPC condenses when read.';
