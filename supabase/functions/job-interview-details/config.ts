/** Typed configuration from the environment, read once at start-up. */
import { z } from "zod";
import { type LogBudget, PLATFORM_LOG_BUDGET } from "./log.ts";

const namedKeys = z.record(z.string(), z.string().min(1));

/** JSON carried in an env var; malformed JSON is a config error, not silently absent. */
function json<T extends z.ZodType>(schema: T) {
  return z.string().transform((raw, ctx) => {
    try {
      return JSON.parse(raw);
    } catch {
      ctx.addIssue({ code: "custom", message: "Must be JSON." });
      return z.NEVER;
    }
  }).pipe(schema);
}

/**
 * The longest a signed link may live. A link is a bearer credential Storage cannot revoke, so it
 * outlives a sign-out by its whole lifetime; one hour is Supabase Auth's default access-token
 * lifetime (`jwt_expiry`), the longest a token outlived a sign-out before sessions were checked.
 */
export const MAX_SIGNED_URL_TTL_SECONDS = 3600;

const origins = z.string().transform((raw) => raw.split(",").map((o) => o.trim()).filter(Boolean));

export const EnvSchema = z.object({
  SUPABASE_URL: z.url(),
  SUPABASE_ANON_KEY: z.string().min(1).optional(),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(1).optional(),
  SUPABASE_PUBLISHABLE_KEYS: json(namedKeys).optional(),
  SUPABASE_SECRET_KEYS: json(namedKeys).optional(),
  SIGNED_URL_TTL_SECONDS: z.coerce.number().int().min(1).max(MAX_SIGNED_URL_TTL_SECONDS, {
    error: `At most ${MAX_SIGNED_URL_TTL_SECONDS} s: a signed link can't be revoked, so it ` +
      "outlives a sign-out by its whole lifetime.",
  }).default(3600),
  SIGNED_URL_BASE_URL: z.url().optional(),
  SUPABASE_READ_URL: z.url().optional(),
  /** The same, under a name `supabase secrets set` accepts (it refuses SUPABASE_*). */
  API_READ_URL: z.url().optional(),
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(1).max(120_000).default(10_000),
  BODY_TIMEOUT_MS: z.coerce.number().int().min(1).max(120_000).default(5_000),
  CORS_ALLOWED_ORIGINS: origins.default(["*"]),
  LOG_EVENTS_PER_10S: z.coerce.number().int().min(2).max(1_000_000).default(
    PLATFORM_LOG_BUDGET.maxLines,
  ),
  LOG_SAMPLE_EVERY: z.coerce.number().int().min(1).max(1_000_000).default(
    PLATFORM_LOG_BUDGET.sampleEvery,
  ),
  /** Access records written in the background at once; past it, a record goes to the log. */
  ACCESS_RECORDS_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(256),
});

export interface Config {
  supabaseUrl: string;
  /** Where the RPC is read: the API load balancer, which sends GETs to read replicas. */
  readUrl: string;
  /** Sent as `apikey` to PostgREST: the default publishable key, else the legacy anon key. */
  apiKey: string;
  /** Signs recording paths: the default secret key, else the legacy service-role key. */
  serviceKey: string;
  signedUrlTtlSeconds: number;
  /** Where signed links point; browsers can't reach SUPABASE_URL inside a local Docker stack. */
  signedUrlBaseUrl: string;
  /** Deadline for the RPC and the signing together, until the document starts to arrive. */
  upstreamTimeoutMs: number;
  /** Deadline for reading a request body. */
  bodyTimeoutMs: number;
  corsAllowedOrigins: string[];
  logBudget: LogBudget;
  accessRecords: AccessRecordSettings;
}

/** How unsigned reads' access records are written after their answer (background.ts). */
export interface AccessRecordSettings {
  /** Background writes at most in flight: past it, a record goes to the log whole. */
  inFlight: number;
  /** How long records that couldn't be written wait for others to share their log line. */
  logBatchMs: number;
}

/** Long enough for a burst of failures to share lines, short enough to log them promptly. */
export const ACCESS_LOG_BATCH_MS = 1000;

export type ConfigResult = { data: Config; error?: undefined } | {
  data?: undefined;
  error: string;
};

/** Env to config. Empty strings count as unset; the new keys take precedence over the legacy ones. */
export function resolveConfig(env: Record<string, string | undefined>): ConfigResult {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { error: `Invalid configuration: ${issue.path.join(".")}: ${issue.message}` };
  }
  const e = parsed.data;
  const apiKey = e.SUPABASE_PUBLISHABLE_KEYS?.default ?? e.SUPABASE_ANON_KEY;
  const serviceKey = e.SUPABASE_SECRET_KEYS?.default ?? e.SUPABASE_SERVICE_ROLE_KEY;
  if (!apiKey) {
    return {
      error: "Invalid configuration: SUPABASE_ANON_KEY (or SUPABASE_PUBLISHABLE_KEYS) is required",
    };
  }
  if (!serviceKey) {
    return {
      error:
        "Invalid configuration: SUPABASE_SERVICE_ROLE_KEY (or SUPABASE_SECRET_KEYS) is required",
    };
  }
  const supabaseUrl = base(e.SUPABASE_URL);
  return {
    data: {
      supabaseUrl,
      readUrl: base(e.SUPABASE_READ_URL ?? e.API_READ_URL ?? supabaseUrl),
      apiKey,
      serviceKey,
      signedUrlTtlSeconds: e.SIGNED_URL_TTL_SECONDS,
      signedUrlBaseUrl: base(e.SIGNED_URL_BASE_URL ?? supabaseUrl),
      upstreamTimeoutMs: e.UPSTREAM_TIMEOUT_MS,
      bodyTimeoutMs: e.BODY_TIMEOUT_MS,
      corsAllowedOrigins: e.CORS_ALLOWED_ORIGINS,
      logBudget: {
        maxLines: e.LOG_EVENTS_PER_10S,
        windowMs: PLATFORM_LOG_BUDGET.windowMs,
        sampleEvery: e.LOG_SAMPLE_EVERY,
      },
      accessRecords: { inFlight: e.ACCESS_RECORDS_IN_FLIGHT, logBatchMs: ACCESS_LOG_BATCH_MS },
    },
  };
}

/** A base URL without trailing slashes, so paths are appended to it as they are. */
function base(url: string): string {
  return url.replace(/\/+$/, "");
}
