/**
 * Signing: POST /storage/v1/object/sign/private-recordings with the function's secret key, in
 * batches Storage accepts, a few at once. Each link is built from the path asked for and the
 * token Storage returned, never from its raw `signedURL` (which carries the key unencoded).
 */
import { describe, fail, type Fetch, UPSTREAM_HEADERS, type UpstreamFailure } from "./upstream.ts";

export const RECORDINGS_BUCKET = "private-recordings";
/** Storage refuses a batch of more than this many paths (400, `body/paths must NOT have …`). */
export const SIGN_BATCH_MAX = 1000;
/** Batches signed at once: a 2,500-recording result takes 3 requests, in about one's time. */
const SIGN_PARALLEL = 3;
const MALFORMED_SIGNING = "Storage answered malformed JSON";

export type SignResult =
  | {
    kind: "signed";
    /** A link per path; null where Storage has no object for it. */
    urls: Map<string, string | null>;
    /** The earliest expiry (ms) of the tokens Storage returned; undefined when it returned none. */
    expiresAt?: number;
  }
  | { kind: "failed"; failure: UpstreamFailure };

/** Where and as whom recordings are signed, and the base of the links handed out. */
export type SignContext = {
  supabaseUrl: string;
  serviceKey: string;
  publicBaseUrl: string;
  fetch: Fetch;
};

export type SignRequest = { paths: string[]; expiresIn: number; signal: AbortSignal };

/**
 * Signs every path. Paths Storage can't sign (no object) map to null; any failed or malformed
 * batch fails the whole step and cancels the others, so no partial data is ever sent.
 */
export async function signPaths(ctx: SignContext, input: SignRequest): Promise<SignResult> {
  const batches: string[][] = [];
  for (let i = 0; i < input.paths.length; i += SIGN_BATCH_MAX) {
    batches.push(input.paths.slice(i, i + SIGN_BATCH_MAX));
  }
  const stop = new AbortController();
  const signal = AbortSignal.any([input.signal, stop.signal]);
  const urls = new Map<string, string | null>();
  let expiresAt: number | undefined;
  let failure: UpstreamFailure | undefined;
  let next = 0;
  const worker = async () => {
    while (next < batches.length && !failure) {
      const result = await signBatch(ctx, batches[next++], input.expiresIn, signal);
      if (result.kind === "failed") {
        failure ??= result.failure;
        stop.abort();
        return;
      }
      for (const [path, url] of result.urls) urls.set(path, url);
      expiresAt = earliest(expiresAt, result.expiresAt);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SIGN_PARALLEL, batches.length) }, worker));
  return failure ? { kind: "failed", failure } : { kind: "signed", urls, expiresAt };
}

/** One batch: Storage's answer read as one entry per path, in order (its contract). */
async function signBatch(
  ctx: SignContext,
  paths: string[],
  expiresIn: number,
  signal: AbortSignal,
): Promise<SignResult> {
  let entries: unknown;
  try {
    const res = await ctx.fetch(`${ctx.supabaseUrl}/storage/v1/object/sign/${RECORDINGS_BUCKET}`, {
      method: "POST",
      headers: {
        apikey: ctx.serviceKey,
        authorization: `Bearer ${ctx.serviceKey}`,
        "content-type": "application/json",
        ...UPSTREAM_HEADERS,
      },
      body: JSON.stringify({ expiresIn, paths }),
      signal,
    });
    const text = await res.text();
    if (!res.ok) return fail("sign", `Storage answered ${res.status}`);
    entries = JSON.parse(text);
  } catch (error) {
    return fail("sign", error instanceof SyntaxError ? MALFORMED_SIGNING : describe(error));
  }
  if (!Array.isArray(entries) || entries.length !== paths.length) {
    return fail("sign", MALFORMED_SIGNING);
  }
  return linksOf(ctx, paths, entries);
}

/** A link per path from Storage's entries, or the step failing on any entry that isn't its. */
function linksOf(ctx: SignContext, paths: string[], entries: unknown[]): SignResult {
  const base = `${ctx.publicBaseUrl}/storage/v1/object/sign/${RECORDINGS_BUCKET}/`;
  const urls = new Map<string, string | null>();
  let expiresAt: number | undefined;
  for (let i = 0; i < paths.length; i++) {
    const { path, signedURL } = (entries[i] ?? {}) as { path?: unknown; signedURL?: unknown };
    if (path !== paths[i] || (signedURL !== null && typeof signedURL !== "string")) {
      return fail("sign", MALFORMED_SIGNING);
    }
    const token = signedURL === null ? undefined : tokenOf(signedURL);
    if (signedURL !== null && !token) return fail("sign", MALFORMED_SIGNING);
    urls.set(paths[i], token ? `${base}${encodeKey(paths[i])}?token=${token}` : null);
    expiresAt = earliest(expiresAt, token ? expiryOf(token) : undefined);
  }
  return { kind: "signed", urls, expiresAt };
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return b === undefined ? a : Math.min(a ?? Infinity, b);
}

/** A key as a URL path: each segment percent-encoded, so every key Storage accepts opens. */
export function encodeKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

const TOKEN = /[?&]token=([\w-]+\.[\w-]+\.[\w-]+)(?:&|$)/;

/** The token of a `signedURL` (its path is raw and may hold `?` or `&`; the token can't). */
export function tokenOf(signedURL: string): string | undefined {
  const at = signedURL.lastIndexOf("?token=");
  return at < 0 ? undefined : TOKEN.exec(signedURL.slice(at))?.[1];
}

/** The `exp` of a token's payload in ms, or undefined when it has none. */
export function expiryOf(token: string): number | undefined {
  try {
    const part = token.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
    const exp = JSON.parse(atob(part + "=".repeat((4 - part.length % 4) % 4))).exp;
    return typeof exp === "number" ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
