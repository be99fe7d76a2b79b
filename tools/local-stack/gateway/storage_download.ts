/**
 * Signed downloads (GET /storage/v1/object/sign/:bucket/*path?token=T) as the real Storage server
 * answers them, which the viewer's playback and caching depend on: no Cache-Control but `Expires`
 * at the token's expiry, an md5 ETag and 304 on If-None-Match, `X-Robots-Tag: none`,
 * `Content-Disposition: attachment` when `download` is given, single byte ranges (206) and 416
 * with a JSON body for anything else.
 */
import type { Context } from "hono";
import { jwtVerify } from "jose";
import { createHash } from "node:crypto";
import { type StorageDeps, storageError } from "./storage.ts";

const etags = new Map<string, string>();

/** The object's md5 ETag: from its metadata (as uploads record it), else of its bytes, cached. */
async function etagOf(file: string, stat: Deno.FileInfo, metadata: { eTag?: unknown }) {
  if (typeof metadata?.eTag === "string") return metadata.eTag;
  const key = `${file}:${stat.size}:${stat.mtime?.getTime()}`;
  if (!etags.has(key)) {
    etags.set(key, `"${createHash("md5").update(await Deno.readFile(file)).digest("hex")}"`);
  }
  return etags.get(key)!;
}

const invalidRange = () =>
  storageError("416", "invalid_range", "invalid range provided", "InvalidRange", 416);

/** One `bytes=a-b` range within `size`, or undefined for none, or a 416 for anything else. */
function rangeOf(
  header: string | undefined,
  size: number,
): [number, number] | undefined | Response {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (!m[1] && !m[2])) return invalidRange();
  const start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]));
  const end = m[1] && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  if (start > end || start >= size) return invalidRange();
  return [start, end];
}

/**
 * Storage 1.90's `?download`: RFC 6266 with RFC 8187's `filename*` for the name as given, and a
 * quoted ASCII `filename` for clients that read only that (other characters as `_`).
 */
export function contentDisposition(download: string | undefined): Record<string, string> {
  if (download === undefined) return {};
  if (download === "") return { "content-disposition": "attachment" };
  const ascii = download.replace(/[^\x20-\x7e]|["\\]/g, "_");
  const encoded = encodeURIComponent(download).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return {
    "content-disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`,
  };
}

async function readRange(
  file: string,
  start: number,
  end: number,
): Promise<Uint8Array<ArrayBuffer>> {
  using fh = await Deno.open(file);
  await fh.seek(start, Deno.SeekMode.Start);
  const bytes = new Uint8Array(end - start + 1);
  for (let read = 0; read < bytes.length;) {
    const n = await fh.read(bytes.subarray(read));
    if (n === null) return bytes.subarray(0, read).slice();
    read += n;
  }
  return bytes;
}

export async function download(
  deps: StorageDeps,
  c: Context,
  bucket: string,
  path: string | undefined,
): Promise<Response> {
  const token = c.req.query("token");
  if (token === undefined) {
    return storageError(
      "400",
      "Error",
      "querystring must have required property 'token'",
      "InvalidRequest",
    );
  }
  if (path === undefined) {
    return storageError("404", "Bucket not found", "Bucket not found", "NoSuchBucket");
  }
  let exp: number;
  let url: unknown;
  try {
    ({ payload: { exp = 0, url } } = await jwtVerify(
      token,
      new TextEncoder().encode(deps.jwtSecret),
      { algorithms: ["HS256"] },
    ));
  } catch (e) {
    // jose words its errors as the real server (which uses jose) does.
    return storageError("400", "InvalidJWT", (e as Error).message, "InvalidJWT");
  }
  if (url !== `${bucket}/${path}`) {
    return storageError("400", "InvalidSignature", "Invalid signature", "InvalidSignature");
  }
  const rows = await deps
    .adminSql`select metadata from storage.objects where bucket_id = ${bucket} and name = ${path}`;
  const file = `${deps.root}/${bucket}/${path}`;
  const stat = rows.length ? await Deno.stat(file).catch(() => undefined) : undefined;
  if (!stat) return storageError("404", "not_found", "Object not found", "NoSuchKey");

  const etag = await etagOf(file, stat, rows[0].metadata ?? {});
  if (c.req.header("if-none-match") === etag) return new Response(null, { status: 304 });
  const range = rangeOf(c.req.header("range"), stat.size);
  if (range instanceof Response) return range;
  const [start, end] = range ?? [0, stat.size - 1];
  const headers: Record<string, string> = {
    "content-type": String(rows[0].metadata?.mimetype ?? "application/octet-stream"),
    "content-length": String(end - start + 1),
    "accept-ranges": "bytes",
    etag,
    "last-modified": (stat.mtime ?? new Date()).toUTCString(),
    expires: new Date(exp * 1000).toUTCString(),
    ...contentDisposition(c.req.query("download")),
    ...(range ? { "content-range": `bytes ${start}-${end}/${stat.size}` } : {}),
  };
  return new Response(await readRange(file, start, end), { status: range ? 206 : 200, headers });
}
