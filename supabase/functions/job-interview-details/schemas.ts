/**
 * The contract as zod schemas: the one source for input validation, the response and error
 * shapes, the TypeScript types and the OpenAPI document (openapi.ts).
 */
import { z } from "zod";

export const VIEWS = ["full", "condensed", "standard", "summary"] as const;

/** Query parameters of GET (and the fields of a POST body, once normalised). */
export const DetailsQuerySchema = z.object({
  // Any canonical UUID, as Postgres accepts it (z.uuid() would refuse non-RFC variants).
  interview_result_id: z.guid({ error: "Must be a UUID." }).min(1).meta({
    description: "The interview result to fetch the transcript and details for.",
    example: "93c98d21-e04d-4a84-9afa-ed154cf73636",
  }),
  get_signed_recordings: z.enum(["true", "false"], { error: 'Must be "true" or "false".' })
    .default("false").meta({
      description:
        "When true, includes short-lived signed recording URLs for the session, the video introduction, and each transcript answer.",
      example: "false",
    }),
  view: z.enum(VIEWS, { error: 'Must be "full", "condensed", "standard" or "summary".' })
    .default("full").meta({
      description:
        "How much of each transcript item to return: full (all); condensed (all, with each answer's answer_assessment_raw_data condensed for reading: word, frame and character timings dropped, speech segments to their assessments and weakest words, dropped keys named in _omitted; about 5% of full); standard (without answer_assessment_raw_data and external_data); summary (also without the analyses, external_id, question_original and the recording).",
      example: "full",
    }),
});
export type DetailsQuery = z.infer<typeof DetailsQuerySchema>;

/**
 * A POST body (JobMojito's cookbook calls it so): the query's fields, with
 * get_signed_recordings a JSON boolean (the query's strings are taken too).
 */
export const DetailsBodySchema = DetailsQuerySchema.extend({
  get_signed_recordings: z.union([z.boolean(), z.enum(["true", "false"])], {
    error: 'Must be true or false (a JSON boolean; "true" and "false" are taken too).',
  }).default(false).meta({
    description:
      "When true, includes short-lived signed recording URLs for the session, the video introduction, and each transcript answer.",
    example: true,
  }),
});

export const ErrorSchema = z.object({
  error: z.string().meta({ example: "Field is required." }),
  name: z.string().optional().meta({ example: "interview_result_id" }),
}).meta({ id: "Error" });
export type ErrorBody = z.infer<typeof ErrorSchema>;

const num = (description: string) => z.number().nullable().optional().meta({ description });
const str = (description: string) => z.string().nullable().optional().meta({ description });
const bool = (description: string) => z.boolean().nullable().optional().meta({ description });
const any = (description: string, extra: Record<string, unknown> = {}) =>
  z.unknown().optional().meta({ description, ...extra });

export const TranscriptItemSchema = z.looseObject({
  id: z.string().optional().meta({ description: "interview_result_question id." }),
  is_answer: z.boolean().optional().meta({
    description: "True for a candidate answer turn, false for an avatar/question turn.",
  }),
  view: str("Question view/type (e.g. with listening, multiple choice, without scoring)."),
  question_original_id: str("Source interview_def_question id (null for generated follow-ups)."),
  question_original: str(
    "Original question text from the definition (when question_original_id is set).",
  ),
  question_asked: str("The question text actually asked to the candidate."),
  answer: str("The candidate answer transcript text."),
  ai_analysis: str("AI analysis of this answer."),
  ai_analysis_recruiter: str(
    "Recruiter-facing AI analysis of this answer. Null for the candidate.",
  ),
  score: num("Score for this interaction."),
  score_simulation: num("Simulated score for this interaction."),
  score_answer_ai: num("AI answer score."),
  score_answer_ai_simulation: num("Simulated AI answer score."),
  duration: num("Duration of this interaction in deciseconds (duration_ds)."),
  mojito_language_code: str("Platform language code of this interaction."),
  answer_assessment_raw_data: any(
    "Raw per-answer assessment data (pronunciation/sentiment/etc.). For the candidate reading their own result, only the candidate-facing keys (model, language, voice, assemblyai, stt_reliability, elevenlabs; _omitted names only those): proctoring signals and every key added later are left out.",
  ),
  recording_local_path: str("Storage path of this answer recording (private-recordings bucket)."),
  recording_is_video: bool("Whether this answer recording is video (vs audio)."),
  external_data: any(
    "External data carried from the question definition. For the candidate, only candidate-facing keys (none today: an empty object).",
  ),
  external_id: str(
    "External identifier carried from the question definition. Null for the candidate.",
  ),
  recording_url: str(
    "Signed URL for recording_local_path; present only when get_signed_recordings=true.",
  ),
});
export type TranscriptItem = z.infer<typeof TranscriptItemSchema>;

export const DetailsResponseSchema = z.looseObject({
  score: num("Overall interview score."),
  score_simulation: num("Overall simulated score."),
  score_text: str("Human-readable score summary."),
  score_sentiment: num("Sentiment sub-score."),
  score_words_per_minute: num("Speaking-pace (words per minute) sub-score."),
  score_pronunciation: num("Pronunciation sub-score."),
  score_answer: num("Aggregate answer sub-score."),
  status: str("Coach/interview status (coach_status), e.g. started, completed."),
  start: str("Interview start timestamp (training_start, ISO 8601)."),
  end: str("Interview end timestamp (training_end, ISO 8601)."),
  duration: num("Total duration in deciseconds (duration_ds)."),
  ai_interview_coverage_percentage: num(
    "Percentage of the intended interview the AI judged to be covered.",
  ),
  ai_completion_reason: str("Why the interview completed (ai_completed_reason)."),
  ai_analysis: str("Candidate-facing AI analysis of the whole interview."),
  ai_analysis_recruiter: str(
    "Recruiter-facing AI analysis of the whole interview. Null for the candidate.",
  ),
  ai_analysis_other: any(
    "Session-level AI analyses keyed by analysis name (jsonb). `strengths_concerns`: { strengths: string[], concerns: string[] } (0-4 items each, recruiter-facing; called `hiring_reasons` with `reasons_to_hire` / `reasons_not_to_hire` inside before 2026-09-15, and rows written before then may still carry that shape). `takeaways`: { what_went_well: string[], next_steps: { text, priority: impact | quick | longterm, guidance: { kind: say | structure | length | exercise | perspective, text }, proof? }[], fixed?: string[] } (coaching / persona sessions, learner-facing; `proof` entries are { kind: quote | ai_summary | transcript_ref | document, text, ref?: { result_question_id } }; `fixed` lists the steps from the previous attempt that the learner did this time). `multi_department`: the multi-department-selection analysis. `score_rationale`: the rubric bracket of the session score and evidenced counts. `key_statement`: { quote, result_question_id }, the one verbatim quotation a recruiter would remember the candidate by (interview / persona_interview, absent when nothing distinctive was said). Further keys may be added. For the candidate reading their own result, only the candidate-facing keys (takeaways, score_rationale); every other key, those added later included, is left out.",
  ),
  ai_analysis_recruiter_why_hire: any(
    "Reasons to hire (list). Deprecated: a copy of ai_analysis_other.strengths_concerns.strengths, kept for existing integrations. Null for the candidate.",
    { deprecated: true },
  ),
  ai_analysis_recruiter_why_not_hire: any(
    "Reasons not to hire (list). Deprecated: a copy of ai_analysis_other.strengths_concerns.concerns, kept for existing integrations. Null for the candidate.",
    { deprecated: true },
  ),
  recruiter_risks: any("Detected recruiter risk flags (jsonb). Null for the candidate."),
  user_feedback_recruiter: str("Recruiter-entered feedback note. Null for the candidate."),
  recording_local_path: str("Storage path of the full session recording."),
  recording_is_video: bool("Whether the session recording is video."),
  video_introduction_local_path: str("Storage path of the candidate video introduction."),
  recording_url: str("Signed session-recording URL; present only when get_signed_recordings=true."),
  video_introduction_url: str(
    "Signed video-introduction URL; present only when get_signed_recordings=true.",
  ),
  signed_urls_valid_until: str(
    "When the signed URLs of this answer expire (ISO 8601); present only when get_signed_recordings=true.",
  ),
  transcript: z.array(TranscriptItemSchema).optional().meta({
    description: "Ordered interactions (questions + answers) of the interview.",
  }),
}).meta({
  id: "JobInterviewDetailsResponse",
  description:
    "The interview result with its transcript, produced by the interview_transcript RPC. Additional fields may be present (passthrough).",
});
export type DetailsResponse = z.infer<typeof DetailsResponseSchema>;
