/**
 * GET or POST /job-interview-details, once the credential middleware has put the caller on the
 * context: the input, the transcript and, when asked, the signing with its access record, each a
 * named step; an unsigned answer's record is written after it (background.ts). A step that can't
 * go on throws the AppError the caller gets (errors.ts maps it).
 */
import type { Handler } from "hono";
import { accessRecord, signWithRecord } from "./access.ts";
import { backgroundRecords } from "./background.ts";
import { answer, type Ctx, type Env } from "./context.ts";
import type { Deps } from "./deps.ts";
import { validationFailed } from "./errors.ts";
import { type DetailsInput, parseBody, parseQuery } from "./input.ts";
import { mapRecordings, splicedAnswer } from "./signing.ts";
import { readTranscript } from "./transcript.ts";

export function details(deps: Deps): Handler<Env> {
  const recordLater = backgroundRecords(deps);
  return async function details(c) {
    const input = await readInput(c, deps.config.bodyTimeoutMs);
    // One deadline bounds the upstreams together (the RPC and the signing); a client that goes
    // away cancels them.
    const deadline = AbortSignal.timeout(deps.config.upstreamTimeoutMs);
    const transcript = await readTranscript(c, deps, input, deadline);
    c.set("found", true);
    if (!input.signed || transcript.kind === "relay") {
      // The answer doesn't wait for its access record: that is written after it has gone.
      recordLater(accessRecord(c, input), c.get("caller"), deadline);
      // Deno reads a relayed body as the client takes it; Content-Length is left to chunking.
      // Either framing makes a body cut short by the upstream an error for the client, never a
      // complete-looking 200. Otherwise the RPC's bytes go out untouched: no parse.
      return transcript.kind === "relay"
        ? answer(c, transcript.body, transcript.length)
        : answer(c, transcript.body, transcript.body.length);
    }
    const doc = mapRecordings(c, transcript.body);
    const links = await signWithRecord(c, deps, doc, input, deadline);
    return splicedAnswer(c, doc, links);
  };
}

/** The query's parameters, or a POST's JSON body over them; a 422 naming the field if invalid. */
async function readInput(c: Ctx, bodyTimeoutMs: number): Promise<DetailsInput> {
  const params = new URL(c.req.url).searchParams;
  const parsed = c.req.method === "POST"
    ? await parseBody(c.req.raw, params, bodyTimeoutMs)
    : parseQuery(params);
  if (parsed.error) {
    c.set("unread", parsed.unread === true);
    throw validationFailed(parsed.error.message, parsed.error.name);
  }
  const { interview_result_id: id, view } = parsed.data;
  const signed = parsed.data.get_signed_recordings === "true";
  const log = c.get("log");
  log.view = view;
  log.signed = signed;
  return { id, view, signed };
}
