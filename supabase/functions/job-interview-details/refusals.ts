/**
 * When PostgREST (or the gateway in front of it) has refused the caller's credential, and the 401
 * message the caller gets for it. Only these are the caller's 401; everything else PostgREST
 * answers is the rpc step failing (a 500), since telling a client its token is bad makes it sign
 * its user out. Kept in one table: it follows what PostgREST really sends for each cause.
 */
import type { Caller } from "./auth.ts";
import { CREDENTIAL_ERRORS } from "./errors.ts";

/** PostgREST's codes for a refused token (401), and the RPC's own for an ended session. */
const BY_CODE: Record<string, string> = {
  PGRST301: CREDENTIAL_ERRORS.invalid,
  PGRST302: CREDENTIAL_ERRORS.invalid,
  PGRST303: CREDENTIAL_ERRORS.expired,
  // Raised by the RPC: the token's Auth session has ended (signed out, revoked, user deleted).
  PT401: CREDENTIAL_ERRORS.sessionEnded,
};

/**
 * The caller's 401 message for an answer of `status` with PostgREST's error `code` ("" when the
 * body had none), or undefined when the answer is not a refusal of the caller's credential.
 */
export function refusal(
  status: number,
  code: string,
  credential: Caller["credential"],
): string | undefined {
  if (status !== 401 && status !== 403) return undefined;
  if (Object.hasOwn(BY_CODE, code)) return BY_CODE[code];
  if (status !== 401) return undefined;
  // PostgREST ran the call as anon: the credential is the anon or a publishable key.
  if (code === "42501") return CREDENTIAL_ERRORS.notAUser;
  // The gateway refused an API key. The caller's own secret key is the caller's fault; the
  // function's key (deleted, or legacy keys turned off) is not, and stays a 500.
  if (code === "" && credential === "secret_key") return CREDENTIAL_ERRORS.invalid;
  return undefined;
}
