/**
 * Storage's signing endpoints and signed downloads, as supa-storage answers them: batch and
 * single signing checked against storage.objects under the caller's role (RLS applies, the
 * service role bypasses it), per-path error entries, HS256 URL tokens, and bytes from a folder.
 */
import type { Context } from "hono";
import { jwtVerify, SignJWT } from "jose";
import { type Sql, withClaims } from "./db.ts";
import { bearer, type Claims, type Verified } from "./jwt.ts";

export interface StorageDeps {
  sql: Sql;
  adminSql: Sql;
  jwtSecret: string;
  verify: (token: string) => Promise<Verified>;
  /** Folder holding `<bucket>/<path>` files. */
  root: string;
}

const NOT_FOUND_ENTRY = "Either the object does not exist or you do not have access to it";

export function storageError(
  c: Context,
  statusCode: string,
  error: string,
  message: string,
  code: string,
) {
  return c.json({ statusCode, error, message, code }, 400);
}

async function callerClaims(deps: StorageDeps, c: Context): Promise<Claims | Response> {
  const token = bearer(c.req.raw);
  if (!token) {
    return storageError(
      c,
      "400",
      "Error",
      "headers must have required property 'authorization'",
      "InvalidRequest",
    );
  }
  const { claims, error } = await deps.verify(token);
  if (error) {
    return storageError(
      c,
      "403",
      "Unauthorized",
      error.expired ? '"exp" claim timestamp check failed' : "signature verification failed",
      "AccessDenied",
    );
  }
  return claims;
}

async function readableNames(
  deps: StorageDeps,
  claims: Claims,
  req: Request,
  bucket: string,
  names: string[],
) {
  const rows = await withClaims(
    deps.sql,
    claims,
    { readOnly: true, request: req },
    (tx) =>
      tx`select name from storage.objects where bucket_id = ${bucket} and name = any(${names}::text[])`,
  );
  return new Set(rows.map((r) => r.name as string));
}

async function signToken(deps: StorageDeps, url: string, expiresIn: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT({ url, scope: "download" })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt(now)
    .setExpirationTime(now + expiresIn)
    .sign(new TextEncoder().encode(deps.jwtSecret));
}

function signedPath(bucket: string, name: string, token: string): string {
  return `/object/sign/${bucket}/${
    name.split("/").map(encodeURIComponent).join("/")
  }?token=${token}`;
}

function expiresInOf(body: unknown): number | undefined {
  const v = (body as { expiresIn?: unknown })?.expiresIn;
  return typeof v === "number" && Number.isFinite(v) && v >= 1 ? Math.floor(v) : undefined;
}

/** POST /storage/v1/object/sign/:bucket  {expiresIn, paths} */
export async function signMany(deps: StorageDeps, c: Context, bucket: string): Promise<Response> {
  const claims = await callerClaims(deps, c);
  if (claims instanceof Response) return claims;
  const body = await c.req.json().catch(() => undefined);
  const expiresIn = expiresInOf(body);
  const paths = (body as { paths?: unknown })?.paths;
  if (
    !expiresIn || !Array.isArray(paths) || !paths.every((p) => typeof p === "string") ||
    paths.length === 0
  ) {
    return storageError(
      c,
      "400",
      "Error",
      "body must have required properties 'expiresIn' and 'paths'",
      "InvalidRequest",
    );
  }
  const readable = await readableNames(deps, claims, c.req.raw, bucket, paths);
  const entries = await Promise.all(
    paths.map(async (path) =>
      readable.has(path)
        ? {
          error: null,
          path,
          signedURL: signedPath(
            bucket,
            path,
            await signToken(deps, `${bucket}/${path}`, expiresIn),
          ),
        }
        : { error: NOT_FOUND_ENTRY, path, signedURL: null }
    ),
  );
  return c.json(entries);
}

/** POST /storage/v1/object/sign/:bucket/*path  {expiresIn} */
export async function signOne(
  deps: StorageDeps,
  c: Context,
  bucket: string,
  path: string,
): Promise<Response> {
  const claims = await callerClaims(deps, c);
  if (claims instanceof Response) return claims;
  const expiresIn = expiresInOf(await c.req.json().catch(() => undefined));
  if (!expiresIn) {
    return storageError(
      c,
      "400",
      "Error",
      "body must have required property 'expiresIn'",
      "InvalidRequest",
    );
  }
  const readable = await readableNames(deps, claims, c.req.raw, bucket, [path]);
  if (!readable.has(path)) {
    return storageError(c, "404", "not_found", "Object not found", "NoSuchKey");
  }
  return c.json({
    signedURL: signedPath(bucket, path, await signToken(deps, `${bucket}/${path}`, expiresIn)),
  });
}

/** GET /storage/v1/object/sign/:bucket/*path?token=T: the bytes, ranges included (media players ask). */
export async function download(
  deps: StorageDeps,
  c: Context,
  bucket: string,
  path: string,
): Promise<Response> {
  const token = c.req.query("token");
  if (!token) {
    return storageError(
      c,
      "400",
      "InvalidRequest",
      "querystring must have required property 'token'",
      "InvalidRequest",
    );
  }
  let payload: { url?: unknown; exp?: number };
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(deps.jwtSecret), {
      algorithms: ["HS256"],
    }));
  } catch (e) {
    const message = (e as { code?: string }).code === "ERR_JWT_EXPIRED"
      ? '"exp" claim timestamp check failed'
      : "signature verification failed";
    return storageError(c, "400", "InvalidJWT", message, "InvalidJWT");
  }
  if (payload.url !== `${bucket}/${path}`) {
    return storageError(c, "400", "InvalidSignature", "Invalid signature", "InvalidSignature");
  }
  const rows = await deps
    .adminSql`select metadata from storage.objects where bucket_id = ${bucket} and name = ${path}`;
  const file = `${deps.root}/${bucket}/${path}`;
  const stat = rows.length ? await Deno.stat(file).catch(() => undefined) : undefined;
  if (!stat) return storageError(c, "404", "not_found", "Object not found", "NoSuchKey");
  const size = stat.size;
  const headers: Record<string, string> = {
    "content-type": String(rows[0].metadata?.mimetype ?? "application/octet-stream"),
    "accept-ranges": "bytes",
    "etag": `"${size.toString(16)}-${(stat.mtime?.getTime() ?? 0).toString(16)}"`,
    "last-modified": (stat.mtime ?? new Date()).toUTCString(),
    "expires": new Date((payload.exp ?? 0) * 1000).toUTCString(),
    "cache-control": "no-cache",
  };
  const range = /^bytes=(\d*)-(\d*)$/.exec(c.req.header("range") ?? "");
  let start = 0;
  let end = size - 1;
  if (range && (range[1] || range[2])) {
    start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start > end || start >= size) {
      return new Response(null, {
        status: 416,
        headers: { ...headers, "content-range": `bytes */${size}` },
      });
    }
  }
  const fh = await Deno.open(file);
  await fh.seek(start, Deno.SeekMode.Start);
  const length = end - start + 1;
  const bytes = new Uint8Array(length);
  let read = 0;
  while (read < length) {
    const n = await fh.read(bytes.subarray(read));
    if (n === null) break;
    read += n;
  }
  fh.close();
  const partial = start !== 0 || end !== size - 1;
  return new Response(bytes, {
    status: partial ? 206 : 200,
    headers: {
      ...headers,
      "content-length": String(length),
      ...(partial ? { "content-range": `bytes ${start}-${end}/${size}` } : {}),
    },
  });
}
