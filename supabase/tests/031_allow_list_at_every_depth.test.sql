-- The allow-list holds at every depth and for every shape a writer may store: keys nobody named,
-- inside shown values at every level; `_omitted` and `_unreadable` as an object, a string, a
-- number, an array of mixed values; arrays of objects inside shown values; values shown whole;
-- JSON written as a string where the list names keys inside; keys with a dot in their name.
-- Each candidate value is compared with a document written here by hand from the list's rows,
-- and a reviewer's with the value as stored.
begin;
select tests.create_world();
select plan(34);

update public.interview_results set ai_analysis_other = $${
  "strengths_concerns": {"strengths": ["Calm"], "concerns": ["Slow"]},
  "takeaways": {
    "what_went_well": ["Clear", {"secret": "s"}, ["nested", {"deep": 1}], 7],
    "recruiter_only": "Do not hire",
    "next_steps": [
      {"text": "Breathe", "priority": "quick", "internal_score": 9,
        "guidance": {"kind": "say", "text": "Say it slower", "coach_note": "Weak"},
        "proof": [{"kind": "quote", "text": "um", "reviewer": "Bob",
          "ref": {"result_question_id": "q1", "offset": 3}}]},
      "not an object"
    ],
    "fixed": ["Posture"]
  },
  "score_rationale": {"bracket": "60-74", "evidenced": 3, "rubric_internal": {"weights": [1, 2]}},
  "key_statement": {"quote": "I stopped the demo"},
  "multi_department": {"best_fit": "sales"},
  "not_yet_named": {"note": "for recruiters"}
}$$
where id = tests.uid('submitted');

update public.interview_result_questions set answer_assessment_raw_data = $${
  "model": "azure",
  "voice": [
    {"Display": "Hello", "Confidence": 0.9, "SegmentSecret": "s",
      "Words": [{"Word": "Hello", "VendorExtra": 1}],
      "PronunciationAssessment": {"AccuracyScore": 80, "NewVendorScore": 1},
      "LowAccuracyWords": [{"Word": "Hello", "AccuracyScore": 50, "Flag": "x"}]},
    "not an object",
    [{"Display": "in a nested array", "Hidden": 1}]
  ],
  "_omitted": {"proctor_note": "looked away"},
  "_unreadable": "gaze lost",
  "proctor_status": "flagged",
  "not_yet_named": {"a": 1},
  "assemblyai": {"words": [1], "anything": {"x": 1}}
}$$,
  external_data = '{"ats_question_ref": "Q-1", "not_yet_named": {"x": 1}}'
where id = tests.uid('submitted:2');

-- The same data condensed, planted as a writer's bug might leave it (triggers off, so it stays).
alter table public.interview_result_questions disable trigger keep_answer_assessment_condensed;
update public.interview_result_questions set answer_assessment_condensed = $${
  "model": "azure",
  "candidate_images_count": 2,
  "_omitted": ["assemblyai", "reading_detection_results", 3, {"a": "model"}, "model", null, ["voice"], "no_such_key"],
  "_unreadable": ["proctor_status", "pyannote"]
}$$
where id = tests.uid('submitted:2');
update public.interview_result_questions set answer_assessment_condensed = '{"model": "m", "_omitted": 42, "_unreadable": {"voice": true}}'
where id = tests.uid('submitted:3');
alter table public.interview_result_questions enable trigger keep_answer_assessment_condensed;

create temp table doc on commit drop as
select v.view, tests.rpc_as('candidate', tests.uid('submitted'), v.view) as candidate,
  tests.rpc_as('mid_recruiter', tests.uid('submitted'), v.view) as reviewer
from unnest(array['full', 'condensed', 'standard', 'summary']) v (view);

-- ai_analysis_other, in every view: only what the list names, at every depth; arrays walked
-- element by element, an object where a string was expected emptied of its unnamed keys, a
-- string where the list names keys (an object was expected) left out.
select is((d.candidate -> 'ai_analysis_other')::jsonb, $${
  "takeaways": {
    "what_went_well": ["Clear", {}, ["nested", {}], 7],
    "next_steps": [
      {"text": "Breathe", "priority": "quick",
        "guidance": {"kind": "say", "text": "Say it slower"},
        "proof": [{"kind": "quote", "text": "um", "ref": {"result_question_id": "q1"}}]}
    ],
    "fixed": ["Posture"]
  },
  "score_rationale": {"bracket": "60-74", "evidenced": 3}
}$$::jsonb, format('%s: the candidate''s ai_analysis_other holds only what the list names, at every depth', d.view))
from doc d order by d.view;
select is((select (reviewer -> 'ai_analysis_other' -> 'takeaways' ->> 'recruiter_only') from doc where view = 'full'),
  'Do not hire', 'a reviewer gets ai_analysis_other as stored');

-- The raw data in full: voice segments key by key, Words and PronunciationAssessment whole,
-- _omitted and _unreadable in shapes that name nothing removed, unnamed keys removed.
select is((select (candidate -> 'transcript' -> 1 -> 'answer_assessment_raw_data')::jsonb from doc where view = 'full'), $${
  "model": "azure",
  "voice": [
    {"Display": "Hello", "Confidence": 0.9,
      "Words": [{"Word": "Hello", "VendorExtra": 1}],
      "PronunciationAssessment": {"AccuracyScore": 80, "NewVendorScore": 1},
      "LowAccuracyWords": [{"Word": "Hello", "AccuracyScore": 50}]},
    [{"Display": "in a nested array"}]
  ],
  "assemblyai": {"words": [1], "anything": {"x": 1}}
}$$::jsonb, 'full: the candidate''s raw data holds only what the list names, whole where it says whole');
select is((select array(select json_object_keys(candidate -> 'transcript' -> 1 -> 'answer_assessment_raw_data')) from doc where view = 'full'),
  array['model', 'voice', 'assemblyai'], 'full: in the order they are stored');
select is((select reviewer -> 'transcript' -> 1 -> 'answer_assessment_raw_data' ->> '_unreadable' from doc where view = 'full'),
  'gaze lost', 'a reviewer gets the raw data as stored');

-- The condensed copy: _omitted and _unreadable keep only strings naming keys shown beside them.
select is((select (candidate -> 'transcript' -> 1 -> 'answer_assessment_raw_data')::jsonb from doc where view = 'condensed'),
  '{"model": "azure", "_omitted": ["assemblyai", "model"]}'::jsonb,
  'condensed: _omitted keeps the names of shown keys only; _unreadable naming only hidden keys goes');
select is((select (candidate -> 'transcript' -> 2 -> 'answer_assessment_raw_data')::jsonb from doc where view = 'condensed'),
  '{"model": "m"}'::jsonb, 'condensed: _omitted as a number and _unreadable as an object are hidden');
select is((select (reviewer -> 'transcript' -> 1 -> 'answer_assessment_raw_data' -> '_unreadable')::jsonb from doc where view = 'condensed'),
  '["proctor_status", "pyannote"]'::jsonb, 'a reviewer gets the condensed copy as stored');

-- external_data: nothing in it is candidate-facing today.
select is((select (candidate -> 'transcript' -> 1 -> 'external_data')::jsonb from doc where view = 'full'),
  '{}'::jsonb, 'external_data: a key nobody named, nested or not, is hidden');

-- A whole item in each view, written by hand: the view's fields, hidden ones null.
select is((select (candidate -> 'transcript' -> 1)::jsonb - 'answer_assessment_raw_data' from doc where view = 'full'),
  jsonb_build_object('id', tests.uid('submitted:2'), 'is_answer', true, 'view', null,
    'question_original_id', tests.uid('defq'), 'question_original', 'Original question?',
    'question_asked', 'asked 2', 'answer', 'answer 2', 'ai_analysis', 'analysis 2',
    'ai_analysis_recruiter', null, 'score', null, 'score_simulation', null, 'score_answer_ai', null,
    'score_answer_ai_simulation', null, 'duration', null, 'mojito_language_code', null,
    'recording_local_path', tests.uid('m:mid') || '/' || tests.uid('submitted') || '/answer-2.ogg',
    'recording_is_video', false, 'external_data', '{}'::jsonb,
    'external_id', null),
  'full: an item as the candidate gets it');
select is((select (candidate -> 'transcript' -> 1)::jsonb from doc where view = 'standard'),
  jsonb_build_object('id', tests.uid('submitted:2'), 'is_answer', true, 'view', null,
    'question_original_id', tests.uid('defq'), 'question_original', 'Original question?',
    'question_asked', 'asked 2', 'answer', 'answer 2', 'ai_analysis', 'analysis 2',
    'ai_analysis_recruiter', null, 'score', null, 'score_simulation', null, 'score_answer_ai', null,
    'score_answer_ai_simulation', null, 'duration', null, 'mojito_language_code', null,
    'recording_local_path', tests.uid('m:mid') || '/' || tests.uid('submitted') || '/answer-2.ogg',
    'recording_is_video', false, 'external_id', null),
  'standard: an item as the candidate gets it, without raw data nor external_data');
select is((select (candidate -> 'transcript' -> 1)::jsonb from doc where view = 'summary'),
  jsonb_build_object('id', tests.uid('submitted:2'), 'is_answer', true, 'view', null,
    'question_original_id', tests.uid('defq'), 'question_asked', 'asked 2', 'answer', 'answer 2',
    'score', null, 'score_simulation', null, 'score_answer_ai', null,
    'score_answer_ai_simulation', null, 'duration', null, 'mojito_language_code', null),
  'summary: an item as the candidate gets it, the conversation and its scores only');

-- JSON written twice (a writer's JSON.stringify): a string where the list names keys inside is
-- hidden, whole, in every view (the field stays, as null); what it holds was never judged.
update public.interview_results
set ai_analysis_other = to_json('{"strengths_concerns": {"concerns": ["Weak on SQL"]}, "takeaways": {"fixed": ["x"]}}'::text)
where id = tests.uid('submitted');
update public.interview_result_questions
set answer_assessment_raw_data = to_json('{"proctor_status": "FLAGGED: second person"}'::text),
  answer_assessment_condensed = null,
  external_data = to_json('ATS note: reject'::text)
where id = tests.uid('submitted:2');

create temp table encoded on commit drop as
select v.view, tests.rpc_as('candidate', tests.uid('submitted'), v.view) as candidate,
  tests.rpc_as('mid_recruiter', tests.uid('submitted'), v.view) as reviewer
from unnest(array['full', 'condensed', 'standard', 'summary']) v (view);

select is((d.candidate -> 'ai_analysis_other')::jsonb, 'null'::jsonb,
  format('%s: ai_analysis_other stored as a JSON string is hidden from the candidate', d.view))
from encoded d order by d.view;
select is(array(select d.candidate -> 'transcript' -> 1 ->> k from encoded d,
    unnest(array['answer_assessment_raw_data', 'external_data']) k
    where d.view in ('full', 'condensed') order by d.view, k),
  array[null, null, null, null]::text[],
  'full, condensed: raw data and external_data stored as JSON strings are hidden from the candidate');
select is((select reviewer ->> 'ai_analysis_other' from encoded where view = 'full'),
  '{"strengths_concerns": {"concerns": ["Weak on SQL"]}, "takeaways": {"fixed": ["x"]}}',
  'a reviewer gets the string as stored');

-- Keys with a dot in their name pass for no place of the list: a top-level "voice.Words" is not
-- the voice segments' Words (shown whole), "takeaways.fixed" not the takeaways' fixed steps.
update public.interview_results
set ai_analysis_other = '{"takeaways.fixed": ["LEAK-3"], "takeaways": {"fixed": ["ok"], "next_steps.text": "LEAK-4"}}'
where id = tests.uid('submitted');
update public.interview_result_questions
set answer_assessment_raw_data = $${
  "model": "azure",
  "voice.Words": {"recruiter_only": "LEAK-1"},
  "voice.PronunciationAssessment": {"proctor": "LEAK-2"},
  "voice": [{"Display": "hi", "Words.x": "LEAK-5"}],
  "_omitted": ["voice.Words", "model"]
}$$,
  external_data = '{"ats_question_ref.x": "LEAK-6"}'
where id = tests.uid('submitted:2');

create temp table dotted on commit drop as
select v.view, tests.rpc_as('candidate', tests.uid('submitted'), v.view) as candidate
from unnest(array['full', 'condensed', 'standard', 'summary']) v (view);

select is((select (candidate -> 'ai_analysis_other')::jsonb from dotted where view = 'full'),
  '{"takeaways": {"fixed": ["ok"]}}'::jsonb, 'ai_analysis_other: keys with a dot are removed at every depth');
select is((select (candidate -> 'transcript' -> 1 -> 'answer_assessment_raw_data')::jsonb from dotted where view = 'full'),
  '{"model": "azure", "voice": [{"Display": "hi"}], "_omitted": ["model"]}'::jsonb,
  'full: raw data keys with a dot are removed, and _omitted names none of them');
select is((select (candidate -> 'transcript' -> 1 -> 'external_data')::jsonb from dotted where view = 'full'),
  '{}'::jsonb, 'external_data: a key with a dot is removed');
select ok(strpos(d.candidate::text, 'LEAK') = 0, format('%s: nothing under a dotted key reaches the candidate', d.view))
from dotted d order by d.view;

-- A string where the list names keys, deeper down: inside takeaways' steps and as the voice
-- segments; left out like the top-level ones, their shown neighbours kept.
update public.interview_results
set ai_analysis_other = $${"takeaways": {"what_went_well": ["ok"],
  "next_steps": [{"text": "t", "guidance": "{\"coach_note\": \"LEAK-7\"}", "proof": "LEAK-8"}]},
  "score_rationale": "LEAK-9"}$$
where id = tests.uid('submitted');
update public.interview_result_questions
set answer_assessment_raw_data = '{"model": "azure", "voice": "LEAK-10"}', external_data = null
where id = tests.uid('submitted:2');

create temp table nested on commit drop as
select v.view, tests.rpc_as('candidate', tests.uid('submitted'), v.view) as candidate
from unnest(array['full', 'condensed', 'standard', 'summary']) v (view);

select is((select (candidate -> 'ai_analysis_other')::jsonb from nested where view = 'full'),
  '{"takeaways": {"what_went_well": ["ok"], "next_steps": [{"text": "t"}]}}'::jsonb,
  'a string at a place whose keys the list names is left out at any depth');
select is((select (candidate -> 'transcript' -> 1 -> 'answer_assessment_raw_data')::jsonb from nested where view = 'full'),
  '{"model": "azure"}'::jsonb, 'voice stored as a string is left out of the raw data');
select ok(strpos(d.candidate::text, 'LEAK') = 0, format('%s: no string where keys were expected reaches the candidate', d.view))
from nested d order by d.view;

select * from finish();
rollback;
