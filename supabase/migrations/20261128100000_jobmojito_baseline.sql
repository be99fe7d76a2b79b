-- JobMojito's tables as its production project already has them, in the form `supabase db pull`
-- writes them (pg-delta, Supabase CLI 3.1): the tables with their keys, checks and indexes, RLS
-- enabled, and the private-recordings bucket. On JobMojito's project this file is never run: it
-- is marked applied with
--   supabase migration repair --status applied 20261128100000 --remote
-- and `db push` applies the files after it. On a new project `db push` runs it first.
-- Grants are left out: each project's default privileges decide them, and 20261206120000 sets
-- the ones this project needs (docs/database.md).
-- Its integer columns (positions, deciseconds) are production's types, far from 2^31:
-- squawk-ignore-file prefer-bigint-over-int
set local lock_timeout = '750ms';
set local statement_timeout = '60s';

CREATE TABLE "public"."merchants" (
  "id"                 uuid                     NOT NULL DEFAULT gen_random_uuid(),
  "name"               text                     NOT NULL,
  "parent_merchant_id" uuid,
  "created_at"         timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT "merchants_not_own_parent" CHECK ((parent_merchant_id IS DISTINCT FROM id)),
  CONSTRAINT "merchants_pkey" PRIMARY KEY (id),
  CONSTRAINT "merchants_parent_merchant_id_fkey" FOREIGN KEY (parent_merchant_id) REFERENCES public.merchants(id) ON DELETE RESTRICT
);

ALTER TABLE "public"."merchants"
  ENABLE ROW LEVEL SECURITY;

CREATE INDEX merchants_parent_merchant_id_idx ON public.merchants USING btree (parent_merchant_id);

CREATE TABLE "public"."merchant_members" (
  "merchant_id" uuid                     NOT NULL,
  "user_id"     uuid                     NOT NULL,
  "role"        text                     NOT NULL,
  "created_at"  timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT "merchant_members_pkey" PRIMARY KEY (merchant_id, user_id),
  CONSTRAINT "merchant_members_role_check" CHECK ((role = ANY (ARRAY['merchant_owner'::text, 'merchant'::text]))),
  CONSTRAINT "merchant_members_user_id_fkey" FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE,
  CONSTRAINT "merchant_members_merchant_id_fkey" FOREIGN KEY (merchant_id) REFERENCES public.merchants(id) ON DELETE CASCADE
);

ALTER TABLE "public"."merchant_members"
  ENABLE ROW LEVEL SECURITY;

CREATE INDEX merchant_members_user_id_idx ON public.merchant_members USING btree (user_id, merchant_id);

CREATE TABLE "public"."platform_admins" (
  "user_id"    uuid                     NOT NULL,
  "created_at" timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT "platform_admins_pkey" PRIMARY KEY (user_id),
  CONSTRAINT "platform_admins_user_id_fkey" FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE
);

ALTER TABLE "public"."platform_admins"
  ENABLE ROW LEVEL SECURITY;

CREATE TABLE "public"."interview_defs" (
  "id"          uuid                     NOT NULL DEFAULT gen_random_uuid(),
  "merchant_id" uuid                     NOT NULL,
  "title"       text                     NOT NULL,
  "created_at"  timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT "interview_defs_id_merchant_id_key" UNIQUE (id, merchant_id),
  CONSTRAINT "interview_defs_pkey" PRIMARY KEY (id),
  CONSTRAINT "interview_defs_merchant_id_fkey" FOREIGN KEY (merchant_id) REFERENCES public.merchants(id) ON DELETE CASCADE
);

ALTER TABLE "public"."interview_defs"
  ENABLE ROW LEVEL SECURITY;

CREATE INDEX interview_defs_merchant_id_idx ON public.interview_defs USING btree (merchant_id);

CREATE TABLE "public"."interview_def_questions" (
  "id"               uuid    NOT NULL DEFAULT gen_random_uuid(),
  "interview_def_id" uuid    NOT NULL,
  "position"         integer NOT NULL,
  "question"         text    NOT NULL,
  CONSTRAINT "interview_def_questions_interview_def_id_position_key" UNIQUE (interview_def_id, "position"),
  CONSTRAINT "interview_def_questions_pkey" PRIMARY KEY (id),
  CONSTRAINT "interview_def_questions_interview_def_id_fkey" FOREIGN KEY (interview_def_id) REFERENCES public.interview_defs(id) ON DELETE CASCADE
);

ALTER TABLE "public"."interview_def_questions"
  ENABLE ROW LEVEL SECURITY;

CREATE TABLE "public"."interview_results" (
  "id"                                 uuid                     NOT NULL DEFAULT gen_random_uuid(),
  "interview_def_id"                   uuid                     NOT NULL,
  "merchant_id"                        uuid                     NOT NULL,
  "candidate_id"                       uuid                     NOT NULL,
  "coach_status"                       text                     NOT NULL DEFAULT 'started'::text,
  "training_start"                     timestamp with time zone,
  "training_end"                       timestamp with time zone,
  "duration_ds"                        integer,
  "submitted_at"                       timestamp with time zone,
  "score"                              numeric,
  "score_simulation"                   numeric,
  "score_text"                         text,
  "score_sentiment"                    numeric,
  "score_words_per_minute"             numeric,
  "score_pronunciation"                numeric,
  "score_answer"                       numeric,
  "ai_interview_coverage_percentage"   numeric,
  "ai_completed_reason"                text,
  "ai_analysis"                        text,
  "ai_analysis_recruiter"              text,
  "ai_analysis_other"                  json,
  "ai_analysis_recruiter_why_hire"     json,
  "ai_analysis_recruiter_why_not_hire" json,
  "recruiter_risks"                    json,
  "user_feedback_recruiter"            text,
  "recording_local_path"               text,
  "recording_is_video"                 boolean,
  "video_introduction_local_path"      text,
  "created_at"                         timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT "interview_results_candidate_id_fkey" FOREIGN KEY (candidate_id) REFERENCES auth.users(id) ON DELETE CASCADE,
  CONSTRAINT "interview_results_coach_status_check" CHECK ((coach_status = ANY (ARRAY['started'::text, 'in_progress'::text, 'completed'::text, 'abandoned'::text]))),
  CONSTRAINT "interview_results_duration_ds_check" CHECK ((duration_ds >= 0)),
  CONSTRAINT "interview_results_interview_def_id_merchant_id_fkey" FOREIGN KEY (interview_def_id, merchant_id) REFERENCES public.interview_defs(id, merchant_id) ON DELETE CASCADE,
  CONSTRAINT "interview_results_pkey" PRIMARY KEY (id)
);

ALTER TABLE "public"."interview_results"
  ENABLE ROW LEVEL SECURITY;

CREATE INDEX interview_results_candidate_id_idx ON public.interview_results USING btree (candidate_id, interview_def_id);

CREATE INDEX interview_results_interview_def_id_idx ON public.interview_results USING btree (interview_def_id, merchant_id);

CREATE INDEX interview_results_merchant_id_idx ON public.interview_results USING btree (merchant_id);

CREATE TABLE "public"."interview_result_questions" (
  "id"                         uuid    NOT NULL DEFAULT gen_random_uuid(),
  "interview_result_id"        uuid    NOT NULL,
  "position"                   integer NOT NULL,
  "is_answer"                  boolean NOT NULL,
  "view"                       text,
  "question_original_id"       uuid,
  "question_asked"             text,
  "answer"                     text,
  "ai_analysis"                text,
  "ai_analysis_recruiter"      text,
  "score"                      numeric,
  "score_simulation"           numeric,
  "score_answer_ai"            numeric,
  "score_answer_ai_simulation" numeric,
  "duration_ds"                integer,
  "mojito_language_code"       text,
  "answer_assessment_raw_data" json,
  "recording_local_path"       text,
  "recording_is_video"         boolean,
  "external_data"              json,
  "external_id"                text,
  CONSTRAINT "interview_result_questions_duration_ds_check" CHECK ((duration_ds >= 0)),
  CONSTRAINT "interview_result_questions_interview_result_id_position_key" UNIQUE (interview_result_id, "position"),
  CONSTRAINT "interview_result_questions_pkey" PRIMARY KEY (id),
  CONSTRAINT "interview_result_questions_question_original_id_fkey" FOREIGN KEY (question_original_id) REFERENCES public.interview_def_questions(id) ON DELETE SET NULL,
  CONSTRAINT "interview_result_questions_interview_result_id_fkey" FOREIGN KEY (interview_result_id) REFERENCES public.interview_results(id) ON DELETE CASCADE
);

ALTER TABLE "public"."interview_result_questions"
  ENABLE ROW LEVEL SECURITY;

CREATE INDEX interview_result_questions_question_original_id_idx ON public.interview_result_questions USING btree (question_original_id);

INSERT INTO "storage"."buckets" ("id", "name", "public")
VALUES ('private-recordings', 'private-recordings', false)
ON CONFLICT ("id") DO NOTHING;
