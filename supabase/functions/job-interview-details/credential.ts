/**
 * The credential as Hono middleware, as @supabase/server's Hono adapter does it: the caller goes
 * on the context (`c.var.caller`) for the steps after it, or the request is refused with a 401
 * before any body is read or any upstream called. What it checks needs no key (auth.ts): the
 * signature is PostgREST's to verify when the transcript is read, and until then the log line
 * names no caller (transcript.ts), so a forged token is never logged as its victim.
 */
import type { MiddlewareHandler } from "hono";
import { checkCredential, credentialsFrom, fromBrowser } from "./auth.ts";
import type { Env } from "./context.ts";
import { CREDENTIAL_ERRORS, unauthorized } from "./errors.ts";

export function credential(now: () => Date): MiddlewareHandler<Env> {
  return async function credential(c, next) {
    const sent = credentialsFrom(c.req.header("authorization"), c.req.header("apikey"));
    if (sent.error !== undefined) throw unauthorized(sent.error);
    const checked = checkCredential(sent.token, Math.floor(now().getTime() / 1000));
    if (!checked.caller) throw unauthorized(checked.error);
    // The gateway refuses a secret key from a browser; passed on with the function's own
    // User-Agent, it would undo the platform's rule.
    if (checked.caller.credential === "secret_key" && fromBrowser(c.req.header("user-agent"))) {
      throw unauthorized(CREDENTIAL_ERRORS.secretKeyFromBrowser);
    }
    c.set("caller", checked.caller);
    c.get("log").verified = false;
    await next();
  };
}
