-- Seed data for trying the function by hand and for the integration tests. Every id is fixed;
-- docs/local-stack.md ("Seeded data") lists them. Passwords are all "password": sign in with it
-- (`npm run token -- <email>` does, on the local stack).
--
-- Users:   00000000-0000-4000-8000-0000000000xx   (01 admin, 11/12 Acme, 21/22 Acme EMEA,
--          31 Globex, 41 outsider, 101/102 candidates)
-- Merchants: 10000000-...-01 Acme, 02 Acme EMEA (sub-merchant of Acme), 03 Globex
-- Interviews: 20000000-...-01 Sales Engineer (Acme EMEA), 02 Support Lead (Acme),
--          03 Data Analyst (Globex)
-- Results: 93c98d21-e04d-4a84-9afa-ed154cf73636 Alice, Sales Engineer, submitted, recordings
--          30000000-...-02 Alice, Support Lead, completed but not submitted
--          30000000-...-03 Bob, Data Analyst (Globex), submitted in August: the older raw-data
--          format and the older hiring_reasons (strengths_concerns since 2026-09-15)
--          30000000-...-04 Bob, Sales Engineer, started (in progress), not submitted

insert into auth.users (instance_id, id, email, aud, role, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, confirmation_token, recovery_token,
  email_change_token_new, email_change)
select '00000000-0000-0000-0000-000000000000', id::uuid, email, 'authenticated', 'authenticated',
  extensions.crypt('password', extensions.gen_salt('bf', 4)), now(),
  '{"provider": "email", "providers": ["email"]}', json_build_object('full_name', full_name)::jsonb,
  '', '', '', ''
from (values
  ('00000000-0000-4000-8000-000000000001', 'admin@jobmojito.test', 'Ada Admin'),
  ('00000000-0000-4000-8000-000000000011', 'owner@acme.test', 'Olivia Owner'),
  ('00000000-0000-4000-8000-000000000012', 'recruiter@acme.test', 'Rick Recruiter'),
  ('00000000-0000-4000-8000-000000000021', 'recruiter@emea.acme.test', 'Emma Emea'),
  ('00000000-0000-4000-8000-000000000022', 'owner@emea.acme.test', 'Oscar Emea'),
  ('00000000-0000-4000-8000-000000000031', 'recruiter@globex.test', 'Gus Globex'),
  ('00000000-0000-4000-8000-000000000041', 'outsider@example.test', 'Otto Outsider'),
  ('00000000-0000-4000-8000-000000000101', 'alice@candidates.test', 'Alice Candidate'),
  ('00000000-0000-4000-8000-000000000102', 'bob@candidates.test', 'Bob Candidate')
) as u (id, email, full_name);

-- Email identities, which Auth needs for password sign-in.
insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at)
select id::text, id, jsonb_build_object('sub', id::text, 'email', email, 'email_verified', true),
  'email', now()
from auth.users where email like '%.test';

insert into public.platform_admins (user_id) values ('00000000-0000-4000-8000-000000000001');

insert into public.merchants (id, name, parent_merchant_id) values
  ('10000000-0000-4000-8000-000000000001', 'Acme', null),
  ('10000000-0000-4000-8000-000000000002', 'Acme EMEA', '10000000-0000-4000-8000-000000000001'),
  ('10000000-0000-4000-8000-000000000003', 'Globex', null);

insert into public.merchant_members (merchant_id, user_id, role) values
  ('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000011', 'merchant_owner'),
  ('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000012', 'merchant'),
  ('10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000021', 'merchant'),
  ('10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000022', 'merchant_owner'),
  ('10000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000031', 'merchant_owner');

insert into public.interview_defs (id, merchant_id, title) values
  ('20000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000002', 'Sales Engineer (EMEA)'),
  ('20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000001', 'Support Lead'),
  ('20000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000003', 'Data Analyst');

insert into public.interview_def_questions (id, interview_def_id, position, question) values
  ('21000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000001', 1, 'Tell us about yourself and why this role.'),
  ('21000000-0000-4000-8000-000000000002', '20000000-0000-4000-8000-000000000001', 2, 'Describe a technical demo that went wrong and what you did.'),
  ('21000000-0000-4000-8000-000000000003', '20000000-0000-4000-8000-000000000001', 3, 'How do you handle a prospect who asks for a feature you do not have?'),
  ('21000000-0000-4000-8000-000000000004', '20000000-0000-4000-8000-000000000002', 1, 'How do you prioritise a queue of urgent tickets?'),
  ('21000000-0000-4000-8000-000000000005', '20000000-0000-4000-8000-000000000002', 2, 'Tell us about an angry customer you turned around.'),
  ('21000000-0000-4000-8000-000000000006', '20000000-0000-4000-8000-000000000003', 1, 'Walk us through a dashboard you built.'),
  ('21000000-0000-4000-8000-000000000007', '20000000-0000-4000-8000-000000000003', 2, 'How do you check that a number is right?');

insert into public.interview_results (id, interview_def_id, merchant_id, candidate_id,
  coach_status, training_start, training_end, duration_ds, submitted_at,
  score, score_simulation, score_text, score_sentiment, score_words_per_minute,
  score_pronunciation, score_answer, ai_interview_coverage_percentage, ai_completed_reason,
  ai_analysis, ai_analysis_recruiter, ai_analysis_other, ai_analysis_recruiter_why_hire,
  ai_analysis_recruiter_why_not_hire, recruiter_risks, user_feedback_recruiter,
  recording_local_path, recording_is_video, video_introduction_local_path)
values
  ('93c98d21-e04d-4a84-9afa-ed154cf73636', '20000000-0000-4000-8000-000000000001',
   '10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000101',
   'completed', '2026-11-20 09:00:00+00', '2026-11-20 09:14:30+00', 8700, '2026-11-20 09:15:10+00',
   82, 79, 'Strong', 71, 138, 88, 80, 100, 'all_questions_answered',
   'You explained your demo recovery clearly. Give more numbers when you talk about results.',
   'Clear communicator with real pre-sales experience; handled the missing-feature question well. Probe depth on integrations.',
   '{"strengths_concerns": {"strengths": ["Calm under pressure in live demos", "Turns objections into discovery"], "concerns": ["Little API integration depth", "Weak on SQL; reviewer doubts seniority"]}, "key_statement": {"quote": "I stopped the demo and asked what they actually needed to see.", "result_question_id": "31000000-0000-4000-8000-000000000004"}, "score_rationale": {"bracket": "75-89", "evidenced": 4}, "multi_department": {"best_fit": "pre-sales", "also": ["solutions engineering"]}}',
   '["Calm under pressure in live demos", "Turns objections into discovery"]',
   '["Little API integration depth", "Weak on SQL; reviewer doubts seniority"]',
   '[{"kind": "reading_detected", "severity": "low", "answers": 1}]',
   'Invite to the technical round.',
   '10000000-0000-4000-8000-000000000002/93c98d21-e04d-4a84-9afa-ed154cf73636/session.ogg', false,
   '10000000-0000-4000-8000-000000000002/93c98d21-e04d-4a84-9afa-ed154cf73636/video-introduction.ogg'),
  ('30000000-0000-4000-8000-000000000002', '20000000-0000-4000-8000-000000000002',
   '10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000101',
   'completed', '2026-11-22 14:00:00+00', '2026-11-22 14:06:00+00', 3600, null,
   64, 60, 'Good', 65, 120, 74, 62, 100, 'all_questions_answered',
   'Good structure; your second answer ran long.',
   'Solid triage instincts, weaker on empathy. Not yet submitted by the candidate.',
   '{"strengths_concerns": {"strengths": ["Structured triage"], "concerns": ["Rushed the customer story"]}, "takeaways": {"what_went_well": ["You ordered the queue by customer impact."], "next_steps": [{"text": "Tell the customer story in three steps.", "priority": "quick", "guidance": {"kind": "structure", "text": "Situation, what you did, how it ended."}}]}}',
   '["Structured triage"]', '["Rushed the customer story"]', '[]', null,
   null, null, null),
  ('30000000-0000-4000-8000-000000000003', '20000000-0000-4000-8000-000000000003',
   '10000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000102',
   'completed', '2026-08-18 11:00:00+00', '2026-08-18 11:08:00+00', 4800, '2026-08-18 11:09:00+00',
   71, 70, 'Good', 68, 125, 80, 70, 90, 'time_limit_reached',
   'You checked your numbers well. Slow down when you explain a chart.',
   'Careful analyst; explanation of the dashboard lacked a business outcome.',
   '{"hiring_reasons": {"reasons_to_hire": ["Checks data quality"], "reasons_not_to_hire": ["No business framing"]}}',
   '["Checks data quality"]', '["No business framing"]', '[]', 'Maybe for the junior role.',
   '10000000-0000-4000-8000-000000000003/30000000-0000-4000-8000-000000000003/session.ogg', false,
   null),
  ('30000000-0000-4000-8000-000000000004', '20000000-0000-4000-8000-000000000001',
   '10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000102',
   'in_progress', '2026-11-27 16:30:00+00', null, null, null,
   null, null, null, null, null, null, null, null, null,
   null, null, null, null, null, null, null, null, null, null);

-- Transcripts: avatar turns (is_answer false) and candidate answers, with AI follow-ups
-- (question_original_id null).
insert into public.interview_result_questions (id, interview_result_id, position, is_answer,
  view, question_original_id, question_asked, answer, ai_analysis, ai_analysis_recruiter,
  score, score_simulation, score_answer_ai, score_answer_ai_simulation, duration_ds,
  mojito_language_code, recording_local_path, recording_is_video, external_data, external_id)
select t.id::uuid, t.result_id::uuid, t.position, t.is_answer, t.view, t.original_id::uuid,
  t.asked, t.answer, t.ai, t.ai_recruiter, t.score, t.score - 3, t.score, t.score - 2,
  t.duration_ds, 'en-US',
  case when t.recording then p.result_prefix || '/answer-' || t.position || '.ogg' end,
  case when t.recording then false end,
  case when t.original_id is not null then json_build_object('ats_question_ref', 'Q-' || t.position) end,
  case when t.original_id is not null then 'ats-' || right(t.original_id, 2) end
from (values
  ('31000000-0000-4000-8000-000000000001', '93c98d21-e04d-4a84-9afa-ed154cf73636', 1, false, 'with listening', '21000000-0000-4000-8000-000000000001',
   'Hello Alice! Tell us about yourself and why this role.', null, null, null, null, 60, false),
  ('31000000-0000-4000-8000-000000000002', '93c98d21-e04d-4a84-9afa-ed154cf73636', 2, true, 'with listening', '21000000-0000-4000-8000-000000000001',
   null, 'I have spent five years as a sales engineer for developer tools, and I enjoy turning a technical product into a story a buyer understands.',
   'Clear and confident introduction.', 'Relevant experience, motivated by the product.', 84, 310, true),
  ('31000000-0000-4000-8000-000000000003', '93c98d21-e04d-4a84-9afa-ed154cf73636', 3, false, 'with listening', '21000000-0000-4000-8000-000000000002',
   'Describe a technical demo that went wrong and what you did.', null, null, null, null, 55, false),
  ('31000000-0000-4000-8000-000000000004', '93c98d21-e04d-4a84-9afa-ed154cf73636', 4, true, 'with listening', '21000000-0000-4000-8000-000000000002',
   null, 'Our staging server went down in the middle of a demo. I stopped the demo and asked what they actually needed to see, then walked them through recorded screens while a colleague fixed it.',
   'Good recovery story; name the outcome.', 'Strong composure; converted a failure into discovery.', 88, 420, true),
  ('31000000-0000-4000-8000-000000000005', '93c98d21-e04d-4a84-9afa-ed154cf73636', 5, false, 'with listening', null,
   'What did the customer decide in the end?', null, null, null, null, 30, false),
  ('31000000-0000-4000-8000-000000000006', '93c98d21-e04d-4a84-9afa-ed154cf73636', 6, true, 'with listening', null,
   null, 'They signed a pilot two weeks later, and the recorded walkthrough became part of our standard demo kit.',
   'Concrete outcome, well told.', 'Shows follow-through.', 80, 180, true),
  ('31000000-0000-4000-8000-000000000007', '93c98d21-e04d-4a84-9afa-ed154cf73636', 7, false, 'with listening', '21000000-0000-4000-8000-000000000003',
   'How do you handle a prospect who asks for a feature you do not have?', null, null, null, null, 50, false),
  ('31000000-0000-4000-8000-000000000008', '93c98d21-e04d-4a84-9afa-ed154cf73636', 8, true, 'with listening', '21000000-0000-4000-8000-000000000003',
   null, 'I ask what problem the feature would solve, show how they can solve it today, and bring the request to product with the deal size attached.',
   'Good discovery; could mention timelines.', 'Handles objections well; honest about gaps.', 79, 350, true),
  ('31000000-0000-4000-8000-000000000009', '93c98d21-e04d-4a84-9afa-ed154cf73636', 9, false, 'without scoring', null,
   'Thank you, Alice. Anything you would like to add?', null, null, null, null, 25, false),
  ('31000000-0000-4000-8000-000000000010', '93c98d21-e04d-4a84-9afa-ed154cf73636', 10, true, 'without scoring', null,
   null, 'Only that I would love to see the integration roadmap.', null, null, null, 60, true),
  ('32000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000002', 1, false, 'with listening', '21000000-0000-4000-8000-000000000004',
   'How do you prioritise a queue of urgent tickets?', null, null, null, null, 40, false),
  ('32000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000002', 2, true, 'with listening', '21000000-0000-4000-8000-000000000004',
   null, 'By customer impact first, then by how long a fix takes, and I tell every customer when they will hear from us.',
   'Well structured.', 'Structured triage.', 70, 260, false),
  ('32000000-0000-4000-8000-000000000003', '30000000-0000-4000-8000-000000000002', 3, false, 'with listening', '21000000-0000-4000-8000-000000000005',
   'Tell us about an angry customer you turned around.', null, null, null, null, 40, false),
  ('32000000-0000-4000-8000-000000000004', '30000000-0000-4000-8000-000000000002', 4, true, 'with listening', '21000000-0000-4000-8000-000000000005',
   null, 'A customer lost a day of data. I called them, explained what happened, and we restored most of it by evening.',
   'A bit rushed.', 'Rushed; little empathy shown.', 58, 300, false),
  ('33000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000003', 1, false, 'with listening', '21000000-0000-4000-8000-000000000006',
   'Walk us through a dashboard you built.', null, null, null, null, 40, false),
  ('33000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000003', 2, true, 'with listening', '21000000-0000-4000-8000-000000000006',
   null, 'I built a churn dashboard that combined billing and support data so managers could see which accounts were at risk.',
   'Clear, but say what changed because of it.', 'No business outcome given.', 68, 330, true),
  ('33000000-0000-4000-8000-000000000003', '30000000-0000-4000-8000-000000000003', 3, false, 'multiple choice', '21000000-0000-4000-8000-000000000007',
   'How do you check that a number is right?', null, null, null, null, 30, false),
  ('33000000-0000-4000-8000-000000000004', '30000000-0000-4000-8000-000000000003', 4, true, 'multiple choice', '21000000-0000-4000-8000-000000000007',
   null, 'I reconcile it against a second source and look at the rows behind any outlier.',
   'Good habit.', 'Checks data quality.', 74, 200, true),
  ('34000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000004', 1, false, 'with listening', '21000000-0000-4000-8000-000000000001',
   'Hello Bob! Tell us about yourself and why this role.', null, null, null, null, 60, false),
  ('34000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000004', 2, true, 'with listening', '21000000-0000-4000-8000-000000000001',
   null, 'I am a solutions consultant and I', null, null, null, 90, false)
) as t (id, result_id, position, is_answer, view, original_id, asked, answer, ai, ai_recruiter,
  score, duration_ds, recording)
join lateral (
  select r.merchant_id::text || '/' || r.id::text as result_prefix
  from public.interview_results r where r.id = t.result_id::uuid
) p on true;

-- answer_assessment_raw_data shaped like the real thing: Azure pronunciation segments with
-- per-word timings, the proctor's per-frame gaze record, speech-to-text word timings and the
-- small summary keys. Bob's submitted result uses the older `[null, {...}]` form.
update public.interview_result_questions i
set answer_assessment_raw_data = case
  when i.interview_result_id = '30000000-0000-4000-8000-000000000003' then json_build_array(null, raw.doc)
  else raw.doc
end
from (
  select q.id, json_build_object(
    'model', 'azure-pronunciation-2025-06',
    'language', 'en-US',
    'proctor_status', 'ok',
    'stt_reliability', 0.94,
    'reading_stats', json_build_object('reading_ratio', 0.08, 'frames', 120),
    'voice', json_build_array(json_build_object(
      'Display', q.answer,
      'Lexical', lower(regexp_replace(q.answer, '[[:punct:]]', '', 'g')),
      'ITN', q.answer,
      'MaskedITN', lower(q.answer),
      'Confidence', 0.93,
      'PronunciationAssessment', json_build_object('AccuracyScore', 88, 'FluencyScore', 84,
        'CompletenessScore', 97, 'PronScore', 86),
      'SentimentAnalysis', json_build_object('positive', 0.62, 'neutral', 0.33, 'negative', 0.05),
      'Words', (
        select json_agg(json_build_object('Word', w.word, 'Offset', 1000000 + w.n * 4200000,
          'Duration', 3800000, 'PronunciationAssessment',
          json_build_object('AccuracyScore', 100 - (w.n * 7) % 45,
            'ErrorType', case when (w.n * 7) % 45 > 40 then 'Mispronunciation' else 'None' end))
          order by w.n)
        from regexp_split_to_table(q.answer, '\s+') with ordinality as w (word, n)
      )
    )),
    'reading_detection_results', (
      select json_agg(json_build_object('frame', f, 't_ms', f * 250,
        'gaze', json_build_object('x', round((0.5 + 0.2 * sin(f / 7.0))::numeric, 3),
          'y', round((0.45 + 0.1 * cos(f / 5.0))::numeric, 3)),
        'reading', f % 37 = 0) order by f)
      from generate_series(1, 120) as f
    ),
    'assemblyai', json_build_object('words', (
      select json_agg(json_build_object('text', w.word, 'start', 100 + w.n * 420,
        'end', 480 + w.n * 420, 'confidence', 0.9) order by w.n)
      from regexp_split_to_table(q.answer, '\s+') with ordinality as w (word, n)
    )),
    -- Per-character timings of the spoken question, snapshots of the candidate, and who spoke
    -- when (the candidate, and a few seconds of a second voice on one answer).
    'elevenlabs', json_build_object('characters', (
      select json_agg(c.ch order by c.n) from regexp_split_to_table(q.answer, '') with ordinality c (ch, n)
    ), 'character_start_times_seconds', (
      select json_agg(round(c.n * 0.055, 3) order by c.n) from generate_series(1, length(q.answer)) c (n)
    )),
    'candidate_images', json_build_array(
      q.interview_result_id || '/snapshots/' || q.position || '-1.jpg',
      q.interview_result_id || '/snapshots/' || q.position || '-2.jpg'),
    'pyannote', json_build_object(
      'diarization', json_build_array(
        json_build_object('speaker', 'SPEAKER_00', 'start', 0.4, 'end', 12.6),
        json_build_object('speaker', case when q.position = 4 then 'SPEAKER_01' else 'SPEAKER_00' end,
          'start', 12.9, 'end', 15.1)),
      'identification', json_build_array(
        json_build_object('match', 'candidate', 'start', 0.4, 'end', 12.6),
        json_build_object('match', case when q.position = 4 then null else 'candidate' end,
          'start', 12.9, 'end', 15.1)),
      'confidence', json_build_object('score', (
        select json_agg(round((0.8 + 0.15 * sin(f / 9.0))::numeric, 3) order by f)
        from generate_series(1, 300) f))),
    'audio_mp3_local_path', q.interview_result_id || '/answer-' || q.position || '.mp3'
  ) as doc
  from public.interview_result_questions q
  where q.is_answer and q.answer is not null
) raw
where raw.id = i.id;

-- The recordings. The local stack generates the audio behind each object at start-up; answer 10
-- of the seeded interview has a path but no object (its upload failed), so it gets no URL.
insert into storage.objects (bucket_id, name, metadata)
select 'private-recordings', p.path, json_build_object('mimetype', 'audio/ogg', 'size', 0)::jsonb
from (
  select recording_local_path as path from public.interview_results where recording_local_path is not null
  union all
  select video_introduction_local_path from public.interview_results where video_introduction_local_path is not null
  union all
  select recording_local_path from public.interview_result_questions
  where recording_local_path is not null and id <> '31000000-0000-4000-8000-000000000010'
) p;
