/**
 * The transcript step: the RPC called as the caller, and its answer turned into the document or
 * the error the caller gets. It is also where the caller becomes verified: PostgREST answering
 * with a document or null means it accepted the credential, and only then does the log line name
 * them.
 */
import type { Caller } from "./auth.ts";
import { type Ctx, timed } from "./context.ts";
import type { Deps } from "./deps.ts";
import { failedStep, notFound, unauthorized } from "./errors.ts";
import type { DetailsInput } from "./input.ts";
import type { RequestLog } from "./log.ts";
import type { RpcResult } from "./postgrest.ts";

/** The document: its bytes, or (unsigned) the stream still arriving, relayed as it comes. */
export type Transcript = Extract<RpcResult, { kind: "found" | "relay" }>;

export async function readTranscript(
  c: Ctx,
  deps: Deps,
  input: DetailsInput,
  deadline: AbortSignal,
): Promise<Transcript> {
  const caller = c.get("caller");
  const rpc = await timed(c, "rpc", () =>
    deps.fetchTranscript({
      caller,
      id: input.id,
      view: input.view,
      signal: deadline,
      client: c.req.raw.signal,
      // Unsigned answers are relayed as they arrive.
      relay: !input.signed,
    }));
  if (rpc.kind === "refused") throw unauthorized(rpc.message);
  if (rpc.kind === "failed") throw failedStep(c, rpc.failure);
  verified(c.get("log"), caller);
  if (rpc.kind === "not_found") throw notFound();
  return rpc;
}

/** The caller as PostgREST verified them, into the log line. */
function verified(log: Partial<RequestLog>, caller: Caller): void {
  log.verified = true;
  log.sub = caller.sub;
  log.role = caller.role;
}
