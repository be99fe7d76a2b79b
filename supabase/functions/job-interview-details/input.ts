/** Request input to a validated query, from GET parameters or a POST JSON body. */
import { z } from "zod";
import { DetailsBodySchema, type DetailsQuery, DetailsQuerySchema } from "./schemas.ts";

const MAX_BODY_BYTES = 64 * 1024;

export type InputResult = { data: DetailsQuery; error?: undefined } | {
  data?: undefined;
  error: { message: string; name?: string };
  /** The body was left partly unread: the connection can't be reused. */
  unread?: boolean;
};

/** The first issue, as the contract's `{error, name}`; a field not given at all is required. */
function firstIssue(error: z.ZodError, given: Record<string, unknown>): {
  message: string;
  name?: string;
} {
  const issue = error.issues[0];
  const name = issue.path.length ? String(issue.path[0]) : undefined;
  const missing = name !== undefined && !(name in given);
  return { message: missing ? "Field is required." : issue.message, name };
}

const FIELDS = Object.keys(DetailsQuerySchema.shape) as (keyof DetailsQuery)[];

/** The known parameters: the first value of each; unknown ones are ignored. */
function knownFields(params: URLSearchParams): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const key of FIELDS) {
    const value = params.get(key);
    if (value !== null) raw[key] = value;
  }
  return raw;
}

/** Query parameters: the first value of each wins; unknown ones are ignored. */
export function parseQuery(params: URLSearchParams): InputResult {
  const given = knownFields(params);
  const parsed = DetailsQuerySchema.safeParse(given);
  return parsed.success ? { data: parsed.data } : { error: firstIssue(parsed.error, given) };
}

type BodyText = { text: string; error?: undefined } | { text?: undefined; error: string };

/**
 * The body as text, within `max` bytes and `timeoutMs`: a declared length over `max` is refused
 * before reading, a chunked one stops being read there; a body that doesn't arrive in time, or
 * is cut off or malformed on the wire (the client's doing), is refused too. Every refusal leaves
 * the body unread: the app then closes the connection.
 */
async function readAtMost(req: Request, max: number, timeoutMs: number): Promise<BodyText> {
  if (!req.body) return { text: "" };
  if (Number(req.headers.get("content-length")) > max) {
    return { error: "Request body is too large." };
  }
  const reader = req.body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) =>
    timer = setTimeout(() => resolve("late"), timeoutMs)
  );
  const decoder = new TextDecoder();
  let text = "";
  let read = 0;
  const refuse = (error: string): BodyText => {
    reader.cancel().catch(() => {});
    return { error };
  };
  try {
    while (true) {
      const next = await Promise.race([reader.read(), late]);
      if (next === "late") return refuse("Request body did not arrive in time.");
      if (next.done) return { text: text + decoder.decode() };
      read += next.value.length;
      if (read > max) return refuse("Request body is too large.");
      text += decoder.decode(next.value, { stream: true });
    }
  } catch {
    return { error: "Request body could not be read: it ended early or was malformed." };
  } finally {
    clearTimeout(timer);
  }
}

/** A POST body: its fields win over the query's; validated by DetailsBodySchema. */
export async function parseBody(
  req: Request,
  params: URLSearchParams,
  timeoutMs: number,
): Promise<InputResult> {
  const read = await readAtMost(req, MAX_BODY_BYTES, timeoutMs);
  if (read.error !== undefined) return { error: { message: read.error }, unread: true };
  const text = read.text;
  let body: unknown = {};
  if (text.trim()) {
    try {
      body = JSON.parse(text);
    } catch {
      return { error: { message: "Request body must be valid JSON." } };
    }
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { error: { message: "Request body must be a JSON object." } };
  }
  const fields: Record<string, unknown> = knownFields(params);
  for (const key of FIELDS) {
    const value = (body as Record<string, unknown>)[key];
    if (value !== undefined) fields[key] = value;
  }
  const parsed = DetailsBodySchema.safeParse(fields);
  if (!parsed.success) return { error: firstIssue(parsed.error, fields) };
  const { get_signed_recordings, ...rest } = parsed.data;
  // The body's boolean as the query's "true" / "false": one shape for the handler.
  const signed: DetailsQuery["get_signed_recordings"] = String(get_signed_recordings) === "true"
    ? "true"
    : "false";
  return { data: { ...rest, get_signed_recordings: signed } };
}
