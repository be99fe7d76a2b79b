-- One candidate's interview: its scores, the AI's analyses and the recordings' storage paths.
-- Its transcript is in interview_result_questions.
create table public.interview_results (
  id uuid primary key default gen_random_uuid(),
  interview_def_id uuid not null,
  -- Copied from the definition (and held to it by the foreign key), so that deciding access
  -- needs no join.
  merchant_id uuid not null,
  candidate_id uuid not null references auth.users (id) on delete cascade,
  coach_status text not null default 'started'
    check (coach_status in ('started', 'in_progress', 'completed', 'abandoned')),
  training_start timestamptz,
  training_end timestamptz,
  duration_ds integer check (duration_ds >= 0),
  -- Null until the candidate submits; reviewers see a result only from then on.
  submitted_at timestamptz,
  score numeric,
  score_simulation numeric,
  score_text text,
  score_sentiment numeric,
  score_words_per_minute numeric,
  score_pronunciation numeric,
  score_answer numeric,
  ai_interview_coverage_percentage numeric,
  ai_completed_reason text,
  ai_analysis text,
  ai_analysis_recruiter text,
  -- json, not jsonb: the RPC embeds these verbatim, which is 5x cheaper than re-encoding jsonb
  -- (measured on a 600 KB result: 7 ms against 37 ms a call).
  ai_analysis_other json,
  ai_analysis_recruiter_why_hire json,
  ai_analysis_recruiter_why_not_hire json,
  recruiter_risks json,
  user_feedback_recruiter text,
  -- Storage paths in the private-recordings bucket: <merchant_id>/<id>/...
  recording_local_path text,
  recording_is_video boolean,
  video_introduction_local_path text,
  created_at timestamptz not null default now(),
  foreign key (interview_def_id, merchant_id)
    references public.interview_defs (id, merchant_id) on delete cascade
);
create index interview_results_interview_def_id_idx
  on public.interview_results (interview_def_id, merchant_id);
-- Candidates find their own results, and the definitions they took, through this one.
create index interview_results_candidate_id_idx
  on public.interview_results (candidate_id, interview_def_id);
create index interview_results_merchant_id_idx on public.interview_results (merchant_id);

alter table public.interview_results enable row level security;
