/** Request input to a validated query, from GET parameters or a POST JSON body. */
import { z } from "zod";
import { type DetailsQuery, DetailsQuerySchema } from "./schemas.ts";

const MAX_BODY_BYTES = 64 * 1024;

export type InputResult = { data: DetailsQuery; error?: undefined } | {
  data?: undefined;
  error: { message: string; name?: string };
};

/** The first issue, as the contract's `{error, name}`. */
function firstIssue(error: z.ZodError): { message: string; name?: string } {
  const issue = error.issues[0];
  const name = issue.path.length ? String(issue.path[0]) : undefined;
  const missing = issue.code === "invalid_type" && issue.input === undefined;
  return { message: missing ? "Field is required." : issue.message, name };
}

/** Query parameters: the first value of each wins; unknown ones are ignored. */
export function parseQuery(params: URLSearchParams): InputResult {
  const raw: Record<string, string> = {};
  for (const key of ["interview_result_id", "get_signed_recordings", "view"]) {
    const value = params.get(key);
    if (value !== null) raw[key] = value;
  }
  const parsed = DetailsQuerySchema.safeParse(raw);
  return parsed.success ? { data: parsed.data } : { error: firstIssue(parsed.error) };
}

/** A POST body: JobMojito's cookbook sends `get_signed_recordings` as a JSON boolean. */
export async function parseBody(req: Request, params: URLSearchParams): Promise<InputResult> {
  const text = await req.text();
  if (text.length > MAX_BODY_BYTES) return { error: { message: "Request body is too large." } };
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
  const fields = body as Record<string, unknown>;
  const merged = new URLSearchParams(params);
  for (const key of ["interview_result_id", "get_signed_recordings", "view"]) {
    const value = fields[key];
    if (value === undefined) continue;
    if (typeof value === "boolean" && key === "get_signed_recordings") {
      merged.set(key, String(value));
    } else if (typeof value === "string") merged.set(key, value);
    else return { error: { message: "Must be a string.", name: key } };
  }
  return parseQuery(merged);
}
