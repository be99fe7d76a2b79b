-- A production-sized data set for the RPC measurement: 100,000 results with 2,000,000 transcript
-- items in all, across a merchant tree, plus the measured results:
--   bench-m: 30 answers of ~20 KB raw data each (~600 KB);
--   bench-s: 10 answers without raw data; bench-l: 40 answers, ~800 KB raw data in all.
-- Ids are md5-derived so that tools can find them: md5('bench:<name>')::uuid.
\set ON_ERROR_STOP on
set client_min_messages = warning;

create or replace function pg_temp.bid(name text) returns uuid language sql immutable
as $$ select md5('bench:' || name)::uuid $$;

insert into auth.users (id, email)
select pg_temp.bid('user:' || g), 'bench-user-' || g || '@bench.invalid' from generate_series(1, 20000) g;
insert into auth.users (id, email) values (pg_temp.bid('recruiter'), 'bench-recruiter@bench.invalid');

-- 20,000 merchants: 100 at the top, each of the others a sub-merchant of merchant (g % 100 + 1).
insert into public.merchants (id, name, parent_merchant_id)
select pg_temp.bid('merchant:' || g), 'Bench merchant ' || g,
  case when g > 100 then pg_temp.bid('merchant:' || (g % 100 + 1)) end
from generate_series(1, 20000) g order by g;
insert into public.platform_admins (user_id)
select pg_temp.bid('user:' || g) from generate_series(19901, 20000) g;
-- The measured recruiter belongs to a parent merchant: the policy walks the tree.
insert into public.merchant_members (merchant_id, user_id, role)
values (pg_temp.bid('merchant:1'), pg_temp.bid('recruiter'), 'merchant');
insert into public.merchant_members (merchant_id, user_id, role)
select pg_temp.bid('merchant:' || (g % 20000 + 1)), pg_temp.bid('user:' || g), 'merchant'
from generate_series(1, 19000) g;

insert into public.interview_defs (id, merchant_id, title)
select pg_temp.bid('def:' || g), pg_temp.bid('merchant:' || (g % 20000 + 1)), 'Bench interview ' || g
from generate_series(1, 1000) g;
insert into public.interview_def_questions (id, interview_def_id, position, question)
select pg_temp.bid('defq:' || d || ':' || p), pg_temp.bid('def:' || d), p, 'Question ' || p || ' of interview ' || d
from generate_series(1, 1000) d, generate_series(1, 10) p;

insert into public.interview_results (id, interview_def_id, merchant_id, candidate_id, coach_status,
  training_start, training_end, duration_ds, submitted_at, score, score_text, ai_analysis,
  ai_analysis_recruiter, ai_analysis_other, recording_local_path, recording_is_video)
select pg_temp.bid('result:' || g), pg_temp.bid('def:' || (g % 1000 + 1)),
  pg_temp.bid('merchant:' || ((g % 1000 + 1) % 20000 + 1)), pg_temp.bid('user:' || (g % 20000 + 1)),
  'completed', now() - interval '1 day', now() - interval '23 hours', 3600,
  case when g % 10 <> 0 then now() end, 70, 'Good', 'Analysis for the candidate.',
  'Analysis for the recruiter.', '{"hiring_reasons": {"reasons_to_hire": ["a"], "reasons_not_to_hire": ["b"]}}',
  -- JobMojito's layout: <merchant_id>/<result_id>/...
  pg_temp.bid('merchant:' || ((g % 1000 + 1) % 20000 + 1)) || '/' || pg_temp.bid('result:' || g)
    || '/session.ogg', false
from generate_series(1, 99997) g;

-- 20 items per result: 1,999,940 items, plus the measured results' own 80 below.
insert into public.interview_result_questions (interview_result_id, position, is_answer, view,
  question_original_id, question_asked, answer, ai_analysis, ai_analysis_recruiter, score,
  duration_ds, mojito_language_code, answer_assessment_raw_data, recording_local_path,
  recording_is_video, external_id)
select pg_temp.bid('result:' || r), p, p % 2 = 0, 'with listening',
  case when p % 2 = 1 and p < 19 then pg_temp.bid('defq:' || (r % 1000 + 1) || ':' || ((p + 1) / 2)) end,
  case when p % 2 = 1 then 'Question ' || p end, case when p % 2 = 0 then 'An answer of a few words.' end,
  'Fine.', 'Fine for a recruiter.', 60 + p, 120, 'en-US',
  case when p % 2 = 0 then '{"model": "bench", "stt_reliability": 0.9}'::json end,
  case when p % 2 = 0 then pg_temp.bid('merchant:' || ((r % 1000 + 1) % 20000 + 1)) || '/'
    || pg_temp.bid('result:' || r) || '/answer-' || p || '.ogg' end, false, 'ext-' || p
from generate_series(1, 99997) r, generate_series(1, 20) p;

-- The measured results: interview 199 belongs to merchant 200, a sub-merchant of the recruiter's
-- merchant 1 (200 % 100 + 1); submitted.
insert into public.interview_results (id, interview_def_id, merchant_id, candidate_id, coach_status,
  training_start, training_end, duration_ds, submitted_at, score, score_text, ai_analysis,
  ai_analysis_recruiter, ai_analysis_other, recording_local_path, recording_is_video,
  video_introduction_local_path)
select pg_temp.bid(name), pg_temp.bid('def:199'), pg_temp.bid('merchant:200'), pg_temp.bid('user:1'),
  'completed', now() - interval '1 hour', now(), 3600, now(), 81, 'Strong', 'For the candidate.',
  'For the recruiter.', '{"hiring_reasons": {"reasons_to_hire": ["a"], "reasons_not_to_hire": ["b"]}}',
  pg_temp.bid('merchant:200') || '/' || pg_temp.bid(name) || '/session.ogg', false,
  pg_temp.bid('merchant:200') || '/' || pg_temp.bid(name) || '/intro.ogg'
from unnest(array['bench-s', 'bench-m', 'bench-l']) name;

-- Raw data shaped like the real thing: Azure word timings, per-frame gaze records, STT words.
create or replace function pg_temp.raw_data(p_words int, p_frames int) returns json language sql as $$
  select json_build_object(
    'model', 'azure-pronunciation-2025-06', 'language', 'en-US', 'proctor_status', 'ok',
    'stt_reliability', 0.94, 'reading_stats', json_build_object('reading_ratio', 0.08),
    'voice', json_build_array(json_build_object(
      'Display', 'Bench answer.', 'Confidence', 0.93,
      'PronunciationAssessment', json_build_object('AccuracyScore', 88, 'FluencyScore', 84),
      'Words', (select json_agg(json_build_object('Word', substr(md5(w::text), 1, 7), 'Offset', w * 4200000,
        'Duration', 3800000 + w % 7, 'PronunciationAssessment',
        json_build_object('AccuracyScore', 60 + w % 40, 'ErrorType', 'None'))) from generate_series(1, p_words) w))),
    'reading_detection_results', (select json_agg(json_build_object('frame', f, 't_ms', f * 250,
      'gaze', json_build_object('x', round(random()::numeric, 4), 'y', round(random()::numeric, 4)),
      'reading', f % 37 = 0)) from generate_series(1, p_frames) f),
    'assemblyai', json_build_object('words', (select json_agg(json_build_object('text', substr(md5(w::text), 1, 6),
      'start', w * 420, 'end', w * 420 + 380, 'confidence', round(random()::numeric, 3))) from generate_series(1, p_words) w)))
$$;

insert into public.interview_result_questions (interview_result_id, position, is_answer, view,
  question_original_id, question_asked, answer, ai_analysis, ai_analysis_recruiter, score,
  duration_ds, mojito_language_code, answer_assessment_raw_data, recording_local_path,
  recording_is_video, external_data, external_id)
select pg_temp.bid(m.name), p, true, 'with listening', pg_temp.bid('defq:199:' || (p % 10 + 1)),
  'Question ' || p, 'An answer of a realistic length, with a few sentences about the work done.',
  'Good answer.', 'Good answer for a recruiter.', 70 + p % 20, 300, 'en-US',
  case when m.words > 0 then pg_temp.raw_data(m.words, m.frames) end,
  pg_temp.bid('merchant:200') || '/' || pg_temp.bid(m.name) || '/answer-' || p || '.ogg', false,
  '{"ats": 1}', 'ext-' || p
from (values ('bench-s', 10, 0, 0), ('bench-m', 30, 78, 40), ('bench-l', 40, 75, 38))
  as m (name, answers, words, frames),
  generate_series(1, m.answers) p;

-- A deep and wide tree for the reviewer that sees most: 5 levels, 2,000 merchants under the
-- reviewer's own (10, 40, 150, 400, 1,400 per level), and bench-m's items again in a result of
-- one of the deepest merchants (bench-m-deep). Plus a reviewer of bench-m's own merchant only.
insert into auth.users (id, email) values
  (pg_temp.bid('deep-reviewer'), 'bench-deep-reviewer@bench.invalid'),
  (pg_temp.bid('single-reviewer'), 'bench-single-reviewer@bench.invalid');
insert into public.merchants (id, name, parent_merchant_id)
values (pg_temp.bid('deep:0:1'), 'Deep root', null);
insert into public.merchants (id, name, parent_merchant_id)
select pg_temp.bid('deep:' || l.level || ':' || g), 'Deep ' || l.level || '/' || g,
  pg_temp.bid('deep:' || (l.level - 1) || ':' || ((g - 1) % l.parents + 1))
from (values (1, 10, 1), (2, 40, 10), (3, 150, 40), (4, 400, 150), (5, 1400, 400))
  as l (level, size, parents),
  generate_series(1, l.size) g
order by l.level, g;
insert into public.merchant_members (merchant_id, user_id, role) values
  (pg_temp.bid('deep:0:1'), pg_temp.bid('deep-reviewer'), 'merchant'),
  (pg_temp.bid('merchant:200'), pg_temp.bid('single-reviewer'), 'merchant');
insert into public.interview_defs (id, merchant_id, title)
values (pg_temp.bid('def:deep'), pg_temp.bid('deep:5:1400'), 'Deep interview');
-- bench-m's paths, moved to bench-m-deep's own folder.
create or replace function pg_temp.deep_path(path text) returns text language sql immutable
as $$ select replace(path, pg_temp.bid('merchant:200') || '/' || pg_temp.bid('bench-m'),
  pg_temp.bid('deep:5:1400') || '/' || pg_temp.bid('bench-m-deep')) $$;
insert into public.interview_results (id, interview_def_id, merchant_id, candidate_id, coach_status,
  training_start, training_end, duration_ds, submitted_at, score, score_text, ai_analysis,
  ai_analysis_recruiter, ai_analysis_other, recording_local_path, recording_is_video,
  video_introduction_local_path)
select pg_temp.bid('bench-m-deep'), pg_temp.bid('def:deep'), pg_temp.bid('deep:5:1400'),
  candidate_id, coach_status, training_start, training_end, duration_ds, submitted_at, score,
  score_text, ai_analysis, ai_analysis_recruiter, ai_analysis_other,
  pg_temp.deep_path(recording_local_path), recording_is_video,
  pg_temp.deep_path(video_introduction_local_path)
from public.interview_results where id = pg_temp.bid('bench-m');
insert into public.interview_result_questions (interview_result_id, position, is_answer, view,
  question_original_id, question_asked, answer, ai_analysis, ai_analysis_recruiter, score,
  duration_ds, mojito_language_code, answer_assessment_raw_data, recording_local_path,
  recording_is_video, external_data, external_id)
select pg_temp.bid('bench-m-deep'), position, is_answer, view, question_original_id,
  question_asked, answer, ai_analysis, ai_analysis_recruiter, score, duration_ds,
  mojito_language_code, answer_assessment_raw_data, pg_temp.deep_path(recording_local_path),
  recording_is_video, external_data, external_id
from public.interview_result_questions where interview_result_id = pg_temp.bid('bench-m');

analyze;

-- Storage objects behind the measured results' recordings, so signing finds them.
insert into storage.objects (bucket_id, name, metadata)
select 'private-recordings', path, '{"mimetype": "audio/ogg", "size": 1}'::jsonb
from (
  select recording_local_path as path from public.interview_results
  where id in (md5('bench:bench-s')::uuid, md5('bench:bench-m')::uuid, md5('bench:bench-l')::uuid)
  union all
  select video_introduction_local_path from public.interview_results
  where id in (md5('bench:bench-s')::uuid, md5('bench:bench-m')::uuid, md5('bench:bench-l')::uuid)
  union all
  select recording_local_path from public.interview_result_questions
  where interview_result_id in (md5('bench:bench-s')::uuid, md5('bench:bench-m')::uuid, md5('bench:bench-l')::uuid)
) p
on conflict do nothing;
analyze storage.objects;
