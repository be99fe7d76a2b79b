-- The transcript of a result: the avatar's turns and the candidate's answers, in order.
create table public.interview_result_questions (
  id uuid primary key default gen_random_uuid(),
  interview_result_id uuid not null references public.interview_results (id) on delete cascade,
  position integer not null,
  is_answer boolean not null,
  view text,
  -- Null for follow-up questions the AI generated during the interview.
  question_original_id uuid references public.interview_def_questions (id) on delete set null,
  question_asked text,
  answer text,
  ai_analysis text,
  ai_analysis_recruiter text,
  score numeric,
  score_simulation numeric,
  score_answer_ai numeric,
  score_answer_ai_simulation numeric,
  duration_ds integer check (duration_ds >= 0),
  mojito_language_code text,
  -- Up to ~800 KB a result: TOASTed out of line, so views that leave it out never read it.
  answer_assessment_raw_data json,
  -- A storage path in the private-recordings bucket: <merchant_id>/<interview_result_id>/...
  recording_local_path text,
  recording_is_video boolean,
  -- Carried from the question definition when the interview was taken.
  external_data json,
  external_id text,
  -- answer_assessment_raw_data condensed, kept by a trigger (0410_answer_assessment_condensed).
  -- Last: the project adds it to JobMojito's table (a catalog-only change).
  answer_assessment_condensed json,
  unique (interview_result_id, position)
);
create index interview_result_questions_question_original_id_idx
  on public.interview_result_questions (question_original_id);

alter table public.interview_result_questions enable row level security;
