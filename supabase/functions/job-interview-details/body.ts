/**
 * The one timed reader of a request body. Both bodies the function reads go through it: a POST's
 * input (input.ts), and a body an early answer didn't need, drained before the answer leaves
 * (middleware.ts).
 */

/** How a read ended. Any end but `done` leaves the body cancelled: the connection must close. */
export type BodyEnd = "done" | "too_large" | "late" | "broken";

/**
 * Reads `req`'s body, handing each chunk to `onChunk`, within `max` bytes and `timeoutMs`. A
 * declared length over `max` is refused before reading, an undeclared one stops being read
 * there; a body that doesn't arrive in time is refused, and one cut off or malformed on the wire
 * (the client's doing) is `broken`.
 */
export async function readBody(
  req: Request,
  max: number,
  timeoutMs: number,
  onChunk: (chunk: Uint8Array) => void = () => {},
): Promise<BodyEnd> {
  if (!req.body) return "done";
  if (Number(req.headers.get("content-length")) > max) {
    await req.body.cancel().catch(() => {});
    return "too_large";
  }
  const reader = req.body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) =>
    timer = setTimeout(() => resolve("late"), timeoutMs)
  );
  const refuse = async (end: BodyEnd) => {
    await reader.cancel().catch(() => {});
    return end;
  };
  let read = 0;
  try {
    while (true) {
      const next = await Promise.race([reader.read(), late]);
      if (next === "late") return await refuse("late");
      if (next.done) return "done";
      read += next.value.length;
      if (read > max) return await refuse("too_large");
      onChunk(next.value);
    }
  } catch {
    return "broken";
  } finally {
    clearTimeout(timer);
  }
}

/** A request body up to this size is read and dropped when unanswered; larger ones close. */
const DRAIN_MAX_BYTES = 64 * 1024;
/** How long an answer waits for the rest of a body it didn't need before closing instead. */
const DRAIN_MS = 200;

/**
 * A request body the answer did not need is read and dropped (up to DRAIN_MAX_BYTES, for at most
 * DRAIN_MS) so the connection stays usable: Deno 2.1, the hosted runtime's, otherwise closes a
 * keep-alive connection without saying so and the client's next request on it fails. A larger,
 * unsized or late body is cancelled instead. Returns whether the connection must close.
 */
export async function drainUnread(req: Request): Promise<boolean> {
  if (!req.body || req.bodyUsed) return false;
  if (!req.headers.has("content-length")) {
    await req.body.cancel().catch(() => {});
    return true;
  }
  return await readBody(req, DRAIN_MAX_BYTES, DRAIN_MS) !== "done";
}
