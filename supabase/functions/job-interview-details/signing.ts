/**
 * The signing steps, for an answer with recording links: where the document's recordings are,
 * their links from Storage, and the answer with the links spliced into the RPC's bytes. Kept as
 * three steps so that work meant to run alongside the links' signing can join the middle one.
 */
import { answer, type Ctx, timed } from "./context.ts";
import type { Deps } from "./deps.ts";
import { failedStep } from "./errors.ts";
import { bodyOf } from "./http.ts";
import { type DocumentMap, mapDocument, recordingPaths, spliceSignedUrls } from "./recordings.ts";
import type { Bytes } from "./upstream.ts";

/** The document's bytes, its map, and the distinct recording paths in it. */
export type MappedDocument = { bytes: Bytes; map: DocumentMap; paths: string[] };

/** A link per path (null where Storage has no object), and until when they all hold. */
export type Links = { urls: ReadonlyMap<string, string | null>; validUntil: Date };

/** Where the recordings are; a document that can't be mapped is the rpc step failing. */
export function mapRecordings(c: Ctx, bytes: Bytes): MappedDocument {
  const map = mapDocument(bytes);
  if (!map) throw failedStep(c, { step: "rpc", reason: "malformed document" });
  const paths = recordingPaths(map);
  c.get("log").recordings = paths.length;
  return { bytes, map, paths };
}

/** Signs the recordings, within the request's deadline and while the client is there. */
export async function signLinks(
  c: Ctx,
  deps: Deps,
  doc: MappedDocument,
  deadline: AbortSignal,
): Promise<Links> {
  const expiresIn = deps.config.signedUrlTtlSeconds;
  let urls = new Map<string, string | null>();
  let expiresAt: number | undefined;
  if (doc.paths.length > 0) {
    const signal = AbortSignal.any([deadline, c.req.raw.signal]);
    const result = await timed(
      c,
      "sign",
      () => deps.signPaths({ paths: doc.paths, expiresIn, signal }),
    );
    if (result.kind === "failed") throw failedStep(c, result.failure);
    ({ urls, expiresAt } = result);
  }
  // Never later than a link's own expiry: the tokens carry whole seconds. With no token, a
  // whole second from now plus the lifetime Storage would have given them.
  const validUntil = new Date(
    expiresAt ?? Math.floor(deps.now().getTime() / 1000) * 1000 + expiresIn * 1000,
  );
  return { urls, validUntil };
}

/** The answer: slices of the RPC's bytes around the links, without a JS copy of the document. */
export function splicedAnswer(c: Ctx, doc: MappedDocument, links: Links): Response {
  const parts = spliceSignedUrls(doc.bytes, doc.map, links.urls, links.validUntil);
  const bytes = parts.reduce((n: number, part) => n + part.length, 0);
  return answer(c, bodyOf(parts, doc.bytes.buffer), bytes);
}
