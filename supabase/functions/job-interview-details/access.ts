/**
 * The access record: one per answer that discloses a result (a 200), written by Postgres as the
 * caller (access_rpc.ts), so the reader in it is who PostgREST verified, never a value this
 * function passes. A signed read writes it while its links are signed and hands the links out
 * only once it is written; an unsigned read writes it after its answer (background.ts).
 * docs/access-log.md says what a record holds and how one that couldn't be written is replayed.
 */
import { z } from "zod";
import type { Caller } from "./auth.ts";
import { type Ctx, timed } from "./context.ts";
import type { Deps } from "./deps.ts";
import { failedStep } from "./errors.ts";
import type { DetailsInput } from "./input.ts";
import { VIEWS } from "./schemas.ts";
import { type Links, type MappedDocument, signLinks } from "./signing.ts";

/** What the function tells Postgres about a read: what was read and how, not by whom. */
export const AccessRecordSchema = z.strictObject({
  interview_result_id: z.guid(),
  view: z.enum(VIEWS),
  /** Recordings whose links went out with the answer; 0 when unsigned. */
  recordings_signed: z.number().int().min(0),
  /** The links' lifetime in seconds; null when none went out. */
  links_expire_in: z.number().int().min(1).nullable(),
  /** The answer's X-Request-Id. */
  request_id: z.string().regex(/^[\w=-]{1,128}$/),
  /** The request's Origin when it is one (scheme://host[:port]), else null. */
  origin: z.string().max(255).nullable(),
});
export type AccessRecord = z.infer<typeof AccessRecordSchema>;

/**
 * A record as the log carries it when it could not be written, replayable as it is
 * (`private.replay_interview_access`): the reader is the claims of the token PostgREST accepted
 * for the read, and `at` when it was answered.
 */
export const LoggedRecordSchema = z.strictObject({
  ...AccessRecordSchema.shape,
  reader: z.strictObject({
    sub: z.guid().nullable(),
    session_id: z.guid().nullable(),
    role: z.enum(["authenticated", "service_role"]),
  }),
  at: z.iso.datetime(),
});
export type LoggedRecord = z.infer<typeof LoggedRecordSchema>;

/** A serialised origin (RFC 6454): a scheme, a host of ASCII letters, digits, dots, an IP. */
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[a-z0-9.\-[\]:]+$/i;

/** The request's Origin header when it is an origin; anything else is no origin at all. */
export function originOf(header: string | undefined): string | null {
  return header !== undefined && header.length <= 255 && ORIGIN.test(header) ? header : null;
}

/** This answer's record: `links` recordings signed to live `expiresIn` seconds (0: unsigned). */
export function accessRecord(
  c: Ctx,
  input: DetailsInput,
  links = 0,
  expiresIn = 0,
): AccessRecord {
  return {
    interview_result_id: input.id,
    view: input.view,
    recordings_signed: links,
    links_expire_in: links > 0 ? expiresIn : null,
    request_id: c.get("requestId"),
    origin: originOf(c.req.header("origin")),
  };
}

/** The record as the log carries it: the record, the verified reader's claims, the time. */
export function loggedRecord(record: AccessRecord, caller: Caller, at: Date): LoggedRecord {
  const reader = { sub: caller.sub, session_id: caller.session_id, role: caller.role };
  return { ...record, reader, at: at.toISOString() };
}

export const NOT_VISIBLE = "the caller may no longer see the result (the record RPC answered null)";

/**
 * Signs the links and writes their record at the same time; the links are handed out only when
 * both succeeded. A record that can't be written fails the answer (500, the record step) and
 * its links are dropped. Signing that fails after the record was written fails it too: the
 * record then over-states (it says links went out that did not), and the request's log line
 * names it (`record_id`, `links_withheld`).
 */
export async function signWithRecord(
  c: Ctx,
  deps: Deps,
  doc: MappedDocument,
  input: DetailsInput,
  deadline: AbortSignal,
): Promise<Links> {
  const record = accessRecord(c, input, doc.paths.length, deps.config.signedUrlTtlSeconds);
  const [signed, written] = await Promise.all([
    signLinks(c, deps, doc, deadline).then((links) => ({ links }), (error: Error) => ({ error })),
    // Not cancelled with the client: a record written must be known, to be named if need be.
    timed(
      c,
      "record",
      () => deps.recordAccess({ caller: c.get("caller"), record, signal: deadline }),
    ),
  ]);
  const log = c.get("log");
  if (written.kind !== "recorded") {
    const signFailure = log.upstream_failure;
    const failure = written.kind === "failed"
      ? written.failure
      : { step: "record" as const, reason: NOT_VISIBLE };
    const error = failedStep(c, failure);
    if (signFailure) log.upstream_failure += `; ${signFailure}`;
    throw error;
  }
  log.record_id = written.id;
  if ("error" in signed) {
    log.links_withheld = true;
    throw signed.error;
  }
  return signed.links;
}
