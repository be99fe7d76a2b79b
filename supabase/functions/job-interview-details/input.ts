/** Request input to a validated query, from GET parameters or a POST JSON body. */
import { z } from "zod";
import { readBody } from "./body.ts";
import { DetailsBodySchema, type DetailsQuery, DetailsQuerySchema } from "./schemas.ts";

const MAX_BODY_BYTES = 64 * 1024;

/** What the handler's steps need of the input, once valid. */
export type DetailsInput = {
  id: DetailsQuery["interview_result_id"];
  view: DetailsQuery["view"];
  signed: boolean;
};

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

const BODY_REFUSED = {
  too_large: "Request body is too large.",
  late: "Request body did not arrive in time.",
  broken: "Request body could not be read: it ended early or was malformed.",
} as const;

/** The body as text, within MAX_BODY_BYTES and `timeoutMs`; any refusal leaves it unread. */
async function bodyText(req: Request, timeoutMs: number): Promise<BodyText> {
  const decoder = new TextDecoder();
  let text = "";
  const end = await readBody(req, MAX_BODY_BYTES, timeoutMs, (chunk) => {
    text += decoder.decode(chunk, { stream: true });
  });
  return end === "done" ? { text: text + decoder.decode() } : { error: BODY_REFUSED[end] };
}

/** A POST body: its fields win over the query's; validated by DetailsBodySchema. */
export async function parseBody(
  req: Request,
  params: URLSearchParams,
  timeoutMs: number,
): Promise<InputResult> {
  const read = await bodyText(req, timeoutMs);
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
