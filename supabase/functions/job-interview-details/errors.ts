/** The contract's error answers. Every non-200 body is `{error, name?}`. */
import type { ErrorBody } from "./schemas.ts";

export const ERROR_CODES = {
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  VALIDATION_FAILED: 422,
  UPSTREAM_FAILED: 500,
  INTERNAL: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

/** An answer the app gives on purpose; `code` travels in the log and the X-Error-Code header. */
export class AppError extends Error {
  readonly status: (typeof ERROR_CODES)[ErrorCode];
  constructor(readonly code: ErrorCode, readonly body: ErrorBody, options?: { cause?: unknown }) {
    super(body.error, options);
    this.status = ERROR_CODES[code];
  }
}

export const unauthorized = (message = "Missing, expired or invalid access token.") =>
  new AppError("UNAUTHORIZED", { error: message });

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
