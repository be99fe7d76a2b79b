-- What the candidate sees of their own result: one row per decision, with its reason. Everyone
-- else who may read a result (its merchant's members, platform admins, the service role) sees it
-- all. docs/who-sees-what.md explains the rule and shows this list; a database test holds that
-- page to this table.
--
-- A path names a place in the document the RPC returns: a field of the document (`score`), of
-- each transcript item (`transcript.answer`), or a key inside an open JSON value, at any depth
-- (`ai_analysis_other.takeaways.next_steps.text`); an array is walked through, element by
-- element, under its own path. `candidate` says what reaches the candidate:
--   shown   an object only with the keys the list names inside it, each by its own row: a key
--           added inside later stays hidden; where rows name keys inside the place, any value
--           there but an object (or a list of them) is hidden; elsewhere a value as it is;
--   whole   the value as stored, whatever it holds inside (the reason says why that is right);
--   names   `_omitted` and `_unreadable`: a list of key names, of which only the names of keys
--           the candidate is shown stay; any other shape is hidden;
--   hidden  a recorded decision to hide, with its reason.
-- A place the list does not name is hidden, as if a row said so: data added tomorrow stays hidden
-- from candidates until a row shows it. A hidden field of the document or of an item stays, as
-- null (the contract's shape); a hidden key of an open value is removed, name and all.
--
-- To show or hide something, a migration inserts or updates a row (and edits this file).
create table private.candidate_visibility (
  path text primary key
    check (path ~ '^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$'),
  candidate text not null check (candidate in ('shown', 'whole', 'names', 'hidden')),
  check (candidate <> 'names' or path ~ '\._(omitted|unreadable)$'),
  reason text not null check (reason <> ''),
  -- The value a path is inside: every nested path's parent is named too.
  parent text generated always as (substring(path from '^(.*)\.[^.]+$')) stored
    references private.candidate_visibility (path)
);
alter table private.candidate_visibility enable row level security;

insert into private.candidate_visibility (path, candidate, reason) values
  -- The document.
  ('score', 'shown', 'Their own overall score.'),
  ('score_simulation', 'shown', 'Their own simulated score.'),
  ('score_text', 'shown', 'Their own score, in words.'),
  ('score_sentiment', 'shown', 'Their own sentiment sub-score.'),
  ('score_words_per_minute', 'shown', 'Their own speaking pace.'),
  ('score_pronunciation', 'shown', 'Their own pronunciation sub-score.'),
  ('score_answer', 'shown', 'Their own answer sub-score.'),
  ('status', 'shown', 'Where their interview stands.'),
  ('start', 'shown', 'When they started.'),
  ('end', 'shown', 'When they finished.'),
  ('duration', 'shown', 'How long they took.'),
  ('ai_interview_coverage_percentage', 'shown', 'How much of the interview they covered.'),
  ('ai_completion_reason', 'shown', 'Why their interview ended.'),
  ('ai_analysis', 'shown', 'Candidate-facing analysis, by the contract.'),
  ('ai_analysis_recruiter', 'hidden', 'Recruiter-facing analysis, by the contract.'),
  ('ai_analysis_other', 'shown', 'The session''s analyses, key by key.'),
  ('ai_analysis_recruiter_why_hire', 'hidden', 'A copy of strengths_concerns.strengths (recruiter-facing).'),
  ('ai_analysis_recruiter_why_not_hire', 'hidden', 'A copy of strengths_concerns.concerns (recruiter-facing).'),
  ('recruiter_risks', 'hidden', 'Risk flags for the recruiter, computed from proctoring.'),
  ('user_feedback_recruiter', 'hidden', 'The recruiter''s own note.'),
  ('recording_local_path', 'shown', 'Their own session recording.'),
  ('recording_is_video', 'shown', 'Their own session recording.'),
  ('video_introduction_local_path', 'shown', 'Their own video introduction.'),
  ('transcript', 'shown', 'Their own conversation, item by item.'),
  -- ai_analysis_other: the session's analyses, as the contract describes them.
  ('ai_analysis_other.hiring_reasons', 'hidden', 'Reasons to hire or not: recruiter-facing, by the contract (rows before 2026-09-15).'),
  ('ai_analysis_other.hiring_reasons.reasons_to_hire', 'hidden', 'Recruiter-facing, by the contract.'),
  ('ai_analysis_other.hiring_reasons.reasons_not_to_hire', 'hidden', 'Recruiter-facing, by the contract.'),
  ('ai_analysis_other.strengths_concerns', 'hidden', 'Strengths and concerns: recruiter-facing, by the contract (since 2026-09-15).'),
  ('ai_analysis_other.strengths_concerns.strengths', 'hidden', 'Recruiter-facing; copied to ai_analysis_recruiter_why_hire.'),
  ('ai_analysis_other.strengths_concerns.concerns', 'hidden', 'Recruiter-facing; copied to ai_analysis_recruiter_why_not_hire.'),
  ('ai_analysis_other.takeaways', 'shown', 'Coaching for the learner: learner-facing, by the contract.'),
  ('ai_analysis_other.takeaways.what_went_well', 'shown', 'What they did well: a list of sentences.'),
  ('ai_analysis_other.takeaways.next_steps', 'shown', 'What to work on next, step by step.'),
  ('ai_analysis_other.takeaways.next_steps.text', 'shown', 'The step.'),
  ('ai_analysis_other.takeaways.next_steps.priority', 'shown', 'impact, quick or longterm.'),
  ('ai_analysis_other.takeaways.next_steps.guidance', 'shown', 'How to take the step.'),
  ('ai_analysis_other.takeaways.next_steps.guidance.kind', 'shown', 'say, structure, length, exercise or perspective.'),
  ('ai_analysis_other.takeaways.next_steps.guidance.text', 'shown', 'The guidance.'),
  ('ai_analysis_other.takeaways.next_steps.proof', 'shown', 'What in their own interview the step rests on.'),
  ('ai_analysis_other.takeaways.next_steps.proof.kind', 'shown', 'quote, ai_summary, transcript_ref or document.'),
  ('ai_analysis_other.takeaways.next_steps.proof.text', 'shown', 'The evidence.'),
  ('ai_analysis_other.takeaways.next_steps.proof.ref', 'shown', 'Where in their transcript.'),
  ('ai_analysis_other.takeaways.next_steps.proof.ref.result_question_id', 'shown', 'An item of their own transcript.'),
  ('ai_analysis_other.takeaways.fixed', 'shown', 'The steps from their previous attempt that they took this time.'),
  ('ai_analysis_other.multi_department', 'hidden', 'Which departments they would suit: the merchant''s routing, not said to be candidate-facing.'),
  ('ai_analysis_other.score_rationale', 'shown', 'Why their session score is what it is; they see the score.'),
  ('ai_analysis_other.score_rationale.bracket', 'shown', 'The rubric bracket of their score.'),
  ('ai_analysis_other.score_rationale.evidenced', 'shown', 'How many of the rubric''s points their answers evidenced.'),
  ('ai_analysis_other.key_statement', 'hidden', 'The quote a recruiter would remember them by: recruiter-facing, by the contract.'),
  -- Each transcript item.
  ('transcript.id', 'shown', 'Identifies the turn.'),
  ('transcript.is_answer', 'shown', 'Whose turn it is.'),
  ('transcript.view', 'shown', 'The kind of question they were asked.'),
  ('transcript.question_original_id', 'shown', 'Which question of the interview was asked.'),
  ('transcript.question_original', 'shown', 'The question as written.'),
  ('transcript.question_asked', 'shown', 'The question they were asked.'),
  ('transcript.answer', 'shown', 'Their own answer.'),
  ('transcript.ai_analysis', 'shown', 'Candidate-facing analysis of the answer.'),
  ('transcript.ai_analysis_recruiter', 'hidden', 'Recruiter-facing analysis of the answer, by the contract.'),
  ('transcript.score', 'shown', 'Their own score for the answer.'),
  ('transcript.score_simulation', 'shown', 'Their own simulated score for the answer.'),
  ('transcript.score_answer_ai', 'shown', 'Their own AI score for the answer.'),
  ('transcript.score_answer_ai_simulation', 'shown', 'Their own simulated AI score.'),
  ('transcript.duration', 'shown', 'How long the turn took.'),
  ('transcript.mojito_language_code', 'shown', 'The language of the turn.'),
  ('transcript.answer_assessment_raw_data', 'shown', 'The assessment of their answer (raw, or condensed), key by key.'),
  ('transcript.recording_local_path', 'shown', 'Their own recording of the answer.'),
  ('transcript.recording_is_video', 'shown', 'Their own recording of the answer.'),
  ('transcript.external_data', 'shown', 'Data the merchant attached to the question, key by key.'),
  ('transcript.external_id', 'hidden', 'The merchant''s own identifier for the question (its ATS).'),
  -- An answer's raw assessment data, and its condensed form (view=condensed).
  ('transcript.answer_assessment_raw_data.model', 'shown', 'Which model assessed their speech.'),
  ('transcript.answer_assessment_raw_data.language', 'shown', 'The language their answer was assessed in.'),
  ('transcript.answer_assessment_raw_data.voice', 'shown', 'The speech vendor''s assessment of their answer, segment by segment.'),
  ('transcript.answer_assessment_raw_data.voice.Display', 'shown', 'What they said, as displayed.'),
  ('transcript.answer_assessment_raw_data.voice.Lexical', 'shown', 'What they said, as recognised.'),
  ('transcript.answer_assessment_raw_data.voice.ITN', 'shown', 'What they said, numbers and dates written out.'),
  ('transcript.answer_assessment_raw_data.voice.MaskedITN', 'shown', 'The same, profanity masked.'),
  ('transcript.answer_assessment_raw_data.voice.Confidence', 'shown', 'How sure the recogniser was of what they said.'),
  ('transcript.answer_assessment_raw_data.voice.PronunciationAssessment', 'whole', 'The vendor''s scores of their own pronunciation, which their scores come from: its payload about their answer, shown as it gives it.'),
  ('transcript.answer_assessment_raw_data.voice.SentimentAnalysis', 'whole', 'The vendor''s reading of their own answer''s sentiment: its payload about their answer, shown as it gives it.'),
  ('transcript.answer_assessment_raw_data.voice.Words', 'whole', 'The vendor''s word by word assessment of their own answer (timings, scores, errors): its payload about what they said, shown as it gives it.'),
  ('transcript.answer_assessment_raw_data.voice.LowAccuracyWords', 'shown', 'Condensed: their weakest words.'),
  ('transcript.answer_assessment_raw_data.voice.LowAccuracyWords.Word', 'shown', 'The word.'),
  ('transcript.answer_assessment_raw_data.voice.LowAccuracyWords.AccuracyScore', 'shown', 'How well they pronounced it.'),
  ('transcript.answer_assessment_raw_data.voice.LowAccuracyWords.ErrorType', 'shown', 'What went wrong with it.'),
  ('transcript.answer_assessment_raw_data.assemblyai', 'whole', 'The speech-to-text vendor''s timings of their own words: its payload about what they said, shown as it gives it.'),
  ('transcript.answer_assessment_raw_data.stt_reliability', 'shown', 'How reliable the transcript of their answer is.'),
  ('transcript.answer_assessment_raw_data.elevenlabs', 'whole', 'The voice vendor''s timings of the question as the avatar spoke it to them: its payload about what they heard, shown as it gives it.'),
  ('transcript.answer_assessment_raw_data._omitted', 'names', 'Names what condensing left out: only names of keys shown to them.'),
  ('transcript.answer_assessment_raw_data._unreadable', 'names', 'Names what condensing could not read: only names of keys shown to them.'),
  ('transcript.answer_assessment_raw_data.proctor_status', 'hidden', 'The proctor''s verdict (recruiter_risks is computed from proctoring).'),
  ('transcript.answer_assessment_raw_data.reading_stats', 'hidden', 'Proctoring: how much of the answer was read.'),
  ('transcript.answer_assessment_raw_data.reading_detection_results', 'hidden', 'Proctoring: gaze, frame by frame.'),
  ('transcript.answer_assessment_raw_data.candidate_images', 'hidden', 'Proctoring: snapshots of the candidate.'),
  ('transcript.answer_assessment_raw_data.candidate_images_count', 'hidden', 'Proctoring: how many snapshots (condensed).'),
  ('transcript.answer_assessment_raw_data.pyannote', 'hidden', 'Who spoke when: tells a second speaker (proctoring).'),
  ('transcript.answer_assessment_raw_data.audio_mp3_local_path', 'hidden', 'A storage path of a copy made for processing; their recording is recording_local_path.'),
  ('transcript.external_data.ats_question_ref', 'hidden', 'The merchant''s reference for the question in its ATS.');
