/** Recording paths of a transcript document, and the signed URLs put back beside them. Pure. */
import type { DetailsResponse } from "./schemas.ts";

const isPath = (v: unknown): v is string => typeof v === "string" && v.length > 0;

/** Every distinct non-empty path: the session, the video introduction, each answer. */
export function recordingPaths(doc: DetailsResponse): string[] {
  const paths = new Set<string>();
  if (isPath(doc.recording_local_path)) paths.add(doc.recording_local_path);
  if (isPath(doc.video_introduction_local_path)) paths.add(doc.video_introduction_local_path);
  for (const item of doc.transcript ?? []) {
    if (isPath(item.recording_local_path)) paths.add(item.recording_local_path);
  }
  return [...paths];
}

/**
 * Adds `recording_url`, `video_introduction_url`, each item's `recording_url` (items of views
 * that carry `recording_local_path`) and `signed_urls_valid_until`. Mutates `doc`.
 */
export function attachSignedUrls(
  doc: DetailsResponse,
  urls: ReadonlyMap<string, string | null>,
  validUntil: Date,
): DetailsResponse {
  const urlOf = (path: unknown) => (isPath(path) ? urls.get(path) ?? null : null);
  doc.recording_url = urlOf(doc.recording_local_path);
  doc.video_introduction_url = urlOf(doc.video_introduction_local_path);
  for (const item of doc.transcript ?? []) {
    if ("recording_local_path" in item) item.recording_url = urlOf(item.recording_local_path);
  }
  doc.signed_urls_valid_until = validUntil.toISOString();
  return doc;
}
