/**
 * When PostgREST (or the gateway in front of it) has refused the caller's credential, and the 401
 * message the caller gets for it. Only these are the caller's 401; everything else PostgREST
 * answers is the rpc step failing (a 500), since telling a client its token is bad makes it sign
 * its user out. Kept in one table: it follows what PostgREST really sends for each cause.
 */
import type { Caller } from "./auth.ts";
import { CREDENTIAL_ERRORS } from "./errors.ts";

/**
 * PostgREST's refusals of a token (v14 and v16 alike; docs/local-stack.md, "Token errors"):
 * PGRST301, a token it can't decode; PGRST303, claims it refuses, each cause told as what it is
 * (beyond its 30 s of skew), claims that don't parse told as invalid. And the RPC's own PT401:
 * the token's Auth session has ended (signed out, revoked, user deleted). PGRST302 (anonymous
 * access disabled) never comes from a Supabase project, whose anon role is configured.
 */
const BY_CODE: Record<string, string> = {
  PGRST301: CREDENTIAL_ERRORS.invalid,
  PGRST303: CREDENTIAL_ERRORS.invalid,
  PT401: CREDENTIAL_ERRORS.sessionEnded,
};
/** PGRST303's messages for the claims a token can be refused on, as PostgREST words them. */
const CLAIM_REFUSED: Record<string, string> = {
  "JWT expired": CREDENTIAL_ERRORS.expired,
  "JWT not yet valid": CREDENTIAL_ERRORS.notYetValid,
  "JWT issued at future": CREDENTIAL_ERRORS.issuedInFuture,
};

/**
 * The caller's 401 message for an answer of `status` with PostgREST's error `code` ("" when the
 * body had none) and `message`, or undefined when the answer is not a refusal of the caller's
 * credential.
 */
export function refusal(
  status: number,
  code: string,
  message: string,
  credential: Caller["credential"],
): string | undefined {
  if (status !== 401 && status !== 403) return undefined;
  if (code === "PGRST303" && Object.hasOwn(CLAIM_REFUSED, message)) {
    return CLAIM_REFUSED[message];
  }
  if (Object.hasOwn(BY_CODE, code)) return BY_CODE[code];
  if (status !== 401) return undefined;
  // PostgREST ran the call as anon: the credential is the anon or a publishable key.
  if (code === "42501") return CREDENTIAL_ERRORS.notAUser;
  // The gateway refused an API key. The caller's own secret key is the caller's fault; the
  // function's key (deleted, or legacy keys turned off) is not, and stays a 500.
  if (code === "" && credential === "secret_key") return CREDENTIAL_ERRORS.invalid;
  return undefined;
}
