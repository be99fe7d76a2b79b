-- JobMojito-shaped schema: merchants (with sub-merchants), their members, platform admins,
-- interview definitions and their questions, interview results and their transcript items.
-- Access rules live in the next migration; every table here gets RLS there.

create table public.merchants (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  -- A sub-merchant's parent. Members of a parent see the interviews of every merchant below it.
  parent_merchant_id uuid references public.merchants (id) on delete restrict,
  created_at timestamptz not null default now(),
  constraint merchants_not_own_parent check (parent_merchant_id is distinct from id)
);
create index merchants_parent_merchant_id_idx on public.merchants (parent_merchant_id);

create table public.merchant_members (
  merchant_id uuid not null references public.merchants (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null check (role in ('merchant_owner', 'merchant')),
  created_at timestamptz not null default now(),
  primary key (merchant_id, user_id)
);
-- Policies look members up by user, never by merchant first.
create index merchant_members_user_id_idx on public.merchant_members (user_id, merchant_id);

create table public.platform_admins (
  user_id uuid primary key references auth.users (id) on delete cascade,
  created_at timestamptz not null default now()
);

create table public.interview_defs (
  id uuid primary key default gen_random_uuid(),
  merchant_id uuid not null references public.merchants (id) on delete cascade,
  title text not null,
  created_at timestamptz not null default now(),
  -- Target of interview_results' composite key, which keeps results' merchant_id truthful.
  unique (id, merchant_id)
);
create index interview_defs_merchant_id_idx on public.interview_defs (merchant_id);

create table public.interview_def_questions (
  id uuid primary key default gen_random_uuid(),
  interview_def_id uuid not null references public.interview_defs (id) on delete cascade,
  position integer not null,
  question text not null,
  unique (interview_def_id, position)
);

create table public.interview_results (
  id uuid primary key default gen_random_uuid(),
  interview_def_id uuid not null,
  -- Copied from the definition (and held to it by the foreign key) so that the access policy
  -- needs no join per row.
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
  recording_local_path text,
  recording_is_video boolean,
  -- Carried from the question definition when the interview was taken.
  external_data json,
  external_id text,
  unique (interview_result_id, position)
);
create index interview_result_questions_question_original_id_idx
  on public.interview_result_questions (question_original_id);
