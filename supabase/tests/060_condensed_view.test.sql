-- view=condensed: each rule of private.condense_answer_assessment() pinned on crafted blobs (the
-- rules of JobMojito's MCP server, raw_assessment.py), the column kept in step with the raw data by
-- its trigger, writes that condensing never fails, and the view through the RPC: full's document,
-- condensed, never reading the raw data, and a row not yet filled condensed when read.
begin;
select plan(39);

create function pg_temp.c(p json) returns json language sql as
$$ select private.condense_answer_assessment(p) $$;
-- A word of an Azure segment.
create function pg_temp.w(p_word text, p_score numeric, p_error text default 'None') returns json
language sql as $$
  select json_build_object('Word', p_word, 'Offset', 1, 'Duration', 2,
    'PronunciationAssessment', json_build_object('AccuracyScore', p_score, 'ErrorType', p_error))
$$;

-- The bulky arrays and the local path are dropped and named; small keys stay, in their order.
create temp table bulky on commit drop as select pg_temp.c('{"model": "azure", "assemblyai": {"words": [1]}, "stt_reliability": 0.9, "elevenlabs": [1], "reading_detection_results": [{"frame": 1}], "audio_mp3_local_path": "a.mp3", "reading_stats": {"reading_ratio": 0.1}, "proctor_status": "ok"}') as c;
select is(
  (select array(select json_object_keys(c)) from bulky),
  array['model', 'stt_reliability', 'reading_stats', 'proctor_status', '_omitted'],
  'drops assemblyai, elevenlabs, reading_detection_results and audio_mp3_local_path; keeps the rest in order');
select is((select c -> '_omitted' from bulky)::jsonb,
  '["assemblyai", "elevenlabs", "reading_detection_results", "audio_mp3_local_path"]'::jsonb,
  'and names what it dropped, in order');

select is(pg_temp.c('{"model": "azure", "stt_reliability": 0.9}') ->> '_omitted', null,
  'no _omitted when nothing was dropped');

select is(pg_temp.c(json_build_object('new_summary', json_build_object('score', 3), 'new_series',
    (select json_agg(g) from generate_series(1, 2000) g)))::jsonb,
  '{"new_summary": {"score": 3}, "_omitted": ["new_series"]}'::jsonb,
  'a new small key is kept as it is; a new key over 4,000 characters is dropped and named');

select is(private.compact_json_length('{"a" : [1, 2,  3], "b": "x y"}'), length('{"a":[1,2,3],"b":"x y"}'),
  'sizes are compact JSON''s, as the MCP server counts them (spaces inside strings count)');
select is(pg_temp.c(json_build_object('edge', repeat('x', 3998))) ->> '_omitted', null,
  'a key of exactly 4,000 characters stays');
select is((pg_temp.c(json_build_object('edge', repeat('x', 3999))) -> '_omitted')::jsonb, '["edge"]'::jsonb,
  'one more and it goes');

-- voice: per segment Display, Confidence, PronunciationAssessment, SentimentAnalysis, and the
-- weakest words.
select is(
  (pg_temp.c(json_build_object('voice', json_build_array(json_build_object(
    'Id', 1, 'Lexical', 'hi there', 'ITN', 'hi there', 'Display', 'Hi there.', 'Confidence', 0.93,
    'PronunciationAssessment', json_build_object('AccuracyScore', 88),
    'SentimentAnalysis', json_build_object('positive', 0.7),
    'Words', json_build_array(pg_temp.w('hi', 95), pg_temp.w('there', 90)))))) -> 'voice' -> 0)::jsonb,
  '{"Display": "Hi there.", "Confidence": 0.93, "PronunciationAssessment": {"AccuracyScore": 88}, "SentimentAnalysis": {"positive": 0.7}}'::jsonb,
  'a segment keeps Display, Confidence and its assessments; no LowAccuracyWords when none is weak');

select is(
  (pg_temp.c(json_build_object('voice', json_build_array(json_build_object('Display', 'x',
    'Words', json_build_array(pg_temp.w('a', 95), pg_temp.w('b', 40), pg_temp.w('c', 99, 'Omission'),
      pg_temp.w('d', 59), pg_temp.w('e', 60)))))) -> 'voice' -> 0 -> 'LowAccuracyWords')::jsonb,
  '[{"Word": "b", "AccuracyScore": 40}, {"Word": "c", "AccuracyScore": 99, "ErrorType": "Omission"}, {"Word": "d", "AccuracyScore": 59}]'::jsonb,
  'fewer than 15 weak words: all of them (below 60, or an ErrorType other than None), in spoken order');

select is(
  (select json_agg(x ->> 'Word') from json_array_elements(
    pg_temp.c(json_build_object('voice', json_build_array(json_build_object('Display', 'x',
      'Words', (select json_agg(pg_temp.w('w' || g, case when g % 2 = 0 then 10 + g else 50 end) order by g)
        from generate_series(1, 30) g))))) -> 'voice' -> 0 -> 'LowAccuracyWords') x)::text,
  '["w2", "w4", "w6", "w8", "w10", "w12", "w14", "w16", "w18", "w20", "w22", "w24", "w26", "w28", "w30"]',
  'more than 15: the 15 lowest (here the even ones, 12 to 40, under the odd ones'' 50), listed in spoken order');

select is(
  (select json_agg(x ->> 'Word') from json_array_elements(
    pg_temp.c(json_build_object('voice', json_build_array(json_build_object('Display', 'x',
      'Words', (select json_agg(pg_temp.w('t' || g, 30) order by g) from generate_series(1, 20) g))))) -> 'voice' -> 0 -> 'LowAccuracyWords') x)::text,
  '["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9", "t10", "t11", "t12", "t13", "t14", "t15"]',
  'ties keep spoken order: the first 15 of 20 equally weak words');

select is(
  (pg_temp.c(json_build_object('voice', json_build_array(json_build_object('Display', 'x',
    'Words', json_build_array(
      json_build_object('Word', 'q', 'PronunciationAssessment', json_build_object('ErrorType', 'Insertion')),
      pg_temp.w('r', 20)))))) -> 'voice' -> 0 -> 'LowAccuracyWords')::jsonb,
  '[{"Word": "q", "AccuracyScore": null, "ErrorType": "Insertion"}, {"Word": "r", "AccuracyScore": 20}]'::jsonb,
  'a word with an error but no score counts as the weakest, its score null');

select is((pg_temp.c('{"voice": "not a list"}') -> 'voice')::text, '"not a list"',
  'voice that is not a list stays as it is');

-- candidate_images becomes a count; pyannote becomes seconds per speaker.
select is(pg_temp.c('{"candidate_images": ["a.jpg", "b.jpg", "c.jpg"], "model": "m"}')::text,
  '{ "candidate_images_count" : 3, "model" : "m", "_omitted" : ["candidate_images"] }',
  'candidate_images becomes candidate_images_count, where it stood, and is named');

select is(
  (pg_temp.c('{"pyannote": {"diarization": [{"speaker": "SPEAKER_00", "start": 0.0, "end": 4.25}, {"speaker": "SPEAKER_01", "start": 4.3, "end": 5.0}, {"speaker": "SPEAKER_00", "start": 5.2, "end": 9.0}], "identification": [{"match": "candidate", "start": 0, "end": 4.25}, {"match": null, "start": 4.3, "end": 5.0}], "confidence": {"score": [0.9, 0.8]}, "voiceprints": [{"speaker": "candidate"}]}}') -> 'pyannote')::text,
  '{ "speaker_seconds" : { "SPEAKER_00" : 8.1, "SPEAKER_01" : 0.7 }, "turns" : 3, "identified_seconds" : { "candidate" : 4.3, "unmatched" : 0.7 }, "voiceprints" : [{"speaker": "candidate"}], "_omitted" : ["confidence"] }',
  'pyannote: seconds per speaker (one decimal) and turns, identified seconds with unmatched, confidence dropped and named, small keys kept');

-- The older form, and what isn't an object.
select is(pg_temp.c('[null, {"assemblyai": [1], "model": "m"}]')::text,
  '[null, { "model" : "m", "_omitted" : ["assemblyai"] }]',
  'the older [null, {...}] form is condensed element by element');
select is(pg_temp.c('"a string"')::text, '"a string"', 'a string stays as it is');
select is(pg_temp.c('42')::text, '42', 'a number stays as it is');
select is(pg_temp.c(null)::text, null, 'null stays null');

-- The stored column follows the raw data.
select tests.create_world();
select is(
  (select answer_assessment_condensed ->> '_omitted' from public.interview_result_questions
   where id = tests.uid('submitted:1')),
  '["reading_detection_results","candidate_images","assemblyai"]',
  'the stored column is the condensed raw data of each row');
update public.interview_result_questions
set answer_assessment_raw_data = '{"assemblyai": [1], "kept": true}' where id = tests.uid('submitted:1');
select is(
  (select answer_assessment_condensed::text from public.interview_result_questions
   where id = tests.uid('submitted:1')),
  '{ "kept" : true, "_omitted" : ["assemblyai"] }',
  'and follows each update of it');
update public.interview_result_questions set answer_assessment_condensed = '{"by": "hand"}'
where id = tests.uid('submitted:2');
select is(
  (select answer_assessment_condensed ->> 'by' from public.interview_result_questions
   where id = tests.uid('submitted:2')),
  null, 'a value written by hand is replaced by the condensed raw data');
select is(
  (select answer_assessment_condensed ->> 'model' from public.interview_result_questions
   where id = tests.uid('submitted:2')),
  'azure', 'and so a backfill fills a row by writing the column');

-- A write never fails because of condensing: what json keeps and json_each() refuses, and data
-- nested past the stack, are condensed as far as they can be and marked.
create function pg_temp.write(p_raw text) returns json language sql as $$
  update public.interview_result_questions set answer_assessment_raw_data = p_raw::json
  where id = tests.uid('submitted:3')
  returning answer_assessment_condensed
$$;
select is(pg_temp.write('{"model": "x", "note": "nul \u0000 here"}')::text,
  '{ "model" : "x", "note" : "nul \ufffd here" }',
  'a \u0000 in the raw data: the write succeeds, the condensed copy has U+FFFD in its place');
select is(pg_temp.write('{"model": "x", "note": "lone \ud800", "pair": "\ud83d\ude00"}')::text,
  '{ "model" : "x", "note" : "lone \ufffd", "pair" : "\ud83d\ude00" }',
  'a lone surrogate: the same, and a surrogate pair stays');
select is(
  (select answer_assessment_raw_data::text from public.interview_result_questions where id = tests.uid('submitted:3')),
  '{"model": "x", "note": "lone \ud800", "pair": "\ud83d\ude00"}', 'the raw data is stored as given');
select is(left(pg_temp.write(repeat('[', 1000) || '1' || repeat(']', 1000))::text, 5), '[[[[[',
  'an array nested a thousand levels deep: condensed element by element, no recursion');
select is(pg_temp.write('{"model": "x", "deep": ' || repeat('{"a": ', 3000) || '1' || repeat('}', 3000) || '}')::text,
  '{ "model" : "x", "_omitted" : ["deep"] }', 'an object nested three thousand levels deep: condensed');
select is((pg_temp.write('{"k\u0000": 1, "pyannote": {"diarization": [{"speaker": "S\u0000", "start": 0, "end": 1}]}}') -> 'pyannote' -> 'speaker_seconds')::jsonb,
  jsonb_build_object('S' || chr(65533), 1.0), 'a \u0000 in a key or a speaker''s label: condensed from the readable copy');
select is(
  (select private.condensed_object('{"voice": [{"Words": "not a list"}], "pyannote": {"diarization": [{"speaker": "s", "start": "x", "end": 1}]}, "model": "m"}', true)::text),
  '{ "voice" : [{}], "pyannote" : { "speaker_seconds" : {}, "turns" : 1 }, "model" : "m" }',
  'odd shapes condense without error');
select is(private.condense_answer_assessment('{"model": "x"}'::json)::text, '{ "model" : "x" }',
  'and plain data is untouched by any of it');
select pg_temp.write(tests.raw_data('submitted3')::text) is not null;

-- Through the RPC.
select is(
  (select array(select json_object_keys(tests.rpc_as('admin', tests.uid('submitted'), 'condensed') -> 'transcript' -> 1))),
  (select array(select json_object_keys(tests.rpc_as('admin', tests.uid('submitted'), 'full') -> 'transcript' -> 1))),
  'condensed items have full''s keys, in full''s order');
select is(
  (tests.rpc_as('admin', tests.uid('submitted'), 'condensed') -> 'transcript' -> 1 -> 'answer_assessment_raw_data' -> 'voice')::jsonb,
  '[{"Display": "An answer.", "Confidence": 0.9, "LowAccuracyWords": [{"Word": "an", "AccuracyScore": 42}]}]'::jsonb,
  'through the RPC, a reviewer gets each answer''s voice condensed');
select is(
  (tests.rpc_as('admin', tests.uid('submitted'), 'condensed') -> 'transcript' -> 1 -> 'answer_assessment_raw_data' ->> 'candidate_images_count'),
  '1', 'a reviewer gets the proctoring counts');
select is(
  (select array(select json_object_keys(tests.rpc_as('candidate', tests.uid('submitted'), 'condensed') -> 'transcript' -> 1 -> 'answer_assessment_raw_data')))
    || (tests.rpc_as('candidate', tests.uid('submitted'), 'condensed') -> 'transcript' -> 1 -> 'answer_assessment_raw_data' ->> '_omitted'),
  array['model', 'voice', 'stt_reliability', '_omitted', '["assemblyai"]'],
  'the candidate''s condensed raw data carries no proctoring signal, nor its name in _omitted');

-- A row whose copy is not filled yet (a database that reached this design without it) is
-- condensed when read, the same as when kept.
update public.interview_result_questions set answer_assessment_raw_data = tests.raw_data('submitted1')
where id = tests.uid('submitted:1');
create temp table filled on commit drop as
select tests.rpc_as('admin', tests.uid('submitted'), 'condensed') -> 'transcript' -> 0 -> 'answer_assessment_raw_data' as doc;
alter table public.interview_result_questions disable trigger keep_answer_assessment_condensed;
update public.interview_result_questions set answer_assessment_condensed = null where id = tests.uid('submitted:1');
alter table public.interview_result_questions enable trigger keep_answer_assessment_condensed;
select is((tests.rpc_as('admin', tests.uid('submitted'), 'condensed') -> 'transcript' -> 0 -> 'answer_assessment_raw_data')::text,
  (select doc::text from filled), 'a row not yet filled reads as it will once filled');
select ok((select answer_assessment_condensed is null from public.interview_result_questions where id = tests.uid('submitted:1')),
  'and reading it writes nothing (the RPC is read-only)');

create temp table toast_reads (step text, blocks bigint) on commit drop;
create function pg_temp.toast_blocks() returns bigint language sql as $$
  select pg_stat_get_xact_blocks_fetched(c.reltoastrelid)
  from pg_class c where c.oid = 'public.interview_result_questions'::regclass
$$;
insert into toast_reads select 'before', pg_temp.toast_blocks();
select tests.rpc_as('admin', tests.uid('others'), 'condensed') is not null;
insert into toast_reads select 'condensed', pg_temp.toast_blocks();
select is((select blocks from toast_reads where step = 'condensed') - (select blocks from toast_reads where step = 'before'),
  0::bigint, 'the condensed view reads no raw data from disk');
select throws_ok(format('select public.interview_transcript(%L, %L)', tests.uid('submitted'), 'condensed '),
  '22023', null, 'an unknown view is still refused');

select * from finish();
rollback;
