/**
 * The contract's error answers: every non-200 body is `{error, name?}`; the code (below) travels
 * in the request's log line, not to the caller.
 */
import { answerJson, type Ctx } from "./context.ts";
import type { ErrorBody } from "./schemas.ts";
import type { UpstreamFailure } from "./upstream.ts";

export const ERROR_CODES = {
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  VALIDATION_FAILED: 422,
  UPSTREAM_FAILED: 500,
  INTERNAL: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

/** What a caller is told about their credential: every 401's message. */
export const CREDENTIAL_ERRORS = {
  missing: "Missing access token.",
  malformed: 'The Authorization header must be "Bearer <access token>".',
  invalid: "Invalid or expired access token.",
  expired: "The access token has expired.",
  notYetValid: "The access token is not valid yet.",
  issuedInFuture: "The access token was issued in the future.",
  notAUser: "A signed-in user's access token is required.",
  sessionEnded: "The session has ended: sign in again.",
  secretKeyFromBrowser: "A secret key can't be used from a browser: call from a server.",
} as const;

/** An answer the app gives on purpose. */
export class AppError extends Error {
  readonly status: (typeof ERROR_CODES)[ErrorCode];
  constructor(readonly code: ErrorCode, readonly body: ErrorBody, options?: { cause?: unknown }) {
    super(body.error, options);
    this.status = ERROR_CODES[code];
  }
}

export const unauthorized = (message: string) => new AppError("UNAUTHORIZED", { error: message });

export const notFound = () => new AppError("NOT_FOUND", { error: "Interview result not found." });

export const validationFailed = (error: string, name?: string) =>
  new AppError("VALIDATION_FAILED", name ? { error, name } : { error });

export const upstreamFailed = (step: string, requestId: string) =>
  new AppError("UPSTREAM_FAILED", {
    error:
      `Could not load the interview result: the ${step} step failed (request id ${requestId}).`,
  });

export const internalError = (requestId: string) =>
  new AppError("INTERNAL", { error: `Internal error (request id ${requestId}).` });

/** An upstream step's failure: the log keeps why, the caller gets the step and the request id. */
export function failedStep(c: Ctx, failure: UpstreamFailure): AppError {
  c.get("log").upstream_failure = `${failure.step}: ${failure.reason}`;
  return upstreamFailed(failure.step, c.get("requestId"));
}

/**
 * The error mapping (the app's onError): an AppError is answered as it says; anything else is a
 * bare 500 with the request id, its name and message logged in the request's own line, which is
 * always written: one event, not two.
 */
export function answerError(err: Error, c: Ctx): Response {
  const known = err instanceof AppError ? err : internalError(c.get("requestId"));
  const log = c.get("log");
  log.code = known.code;
  if (!(err instanceof AppError)) {
    log.error = err.name;
    log.message = err.message;
  }
  return answerJson(c, known.body, known.status);
}
