/**
 * Storage's signing and upload endpoints as supa-storage 1.11.2 answers them (compared request by
 * request with the real server, in the team's platform reference, supabase-platform.md, outside
 * this repository: "Storage: what the real server answers"): the body validated and coerced as
 * its schema does, batch and single signing checked against storage.objects under the caller's
 * role (RLS applies, the service role bypasses it), per-path error entries, `signedURL` with the
 * key raw, HS256 URL tokens. Downloads are in storage_download.ts.
 */
import type { Context } from "hono";
import { SignJWT } from "jose";
import { createHash } from "node:crypto";
import { roleOf, type Sql, withClaims } from "./db.ts";
import type { Claims, Verified } from "./jwt.ts";

export interface StorageDeps {
  sql: Sql;
  adminSql: Sql;
  jwtSecret: string;
  verify: (token: string) => Promise<Verified>;
  /** Folder holding `<bucket>/<path>` files. */
  root: string;
}

const NOT_FOUND_ENTRY = "Either the object does not exist or you do not have access to it";
/** The keys Storage accepts at upload (anything else is 400 InvalidKey). */
export const VALID_KEY = /^[A-Za-z0-9_/!.*'() &$=@;:+,?-]*$/;

/** Storage's error: HTTP 400 (or `status`) with the real status as a string in `statusCode`. */
export function storageError(
  statusCode: string,
  error: string,
  message: string,
  code: string,
  status = 400,
): Response {
  return new Response(JSON.stringify({ statusCode, error, message, code }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

/** A request validation failure, worded as Storage's schema validator words it. */
const invalid = (message: string) => storageError("400", "Error", message, "InvalidRequest");

/** The caller's claims, or Storage's refusal. `Bearer ` is optional, as on the real server. */
async function callerClaims(deps: StorageDeps, c: Context): Promise<Claims | Response> {
  const header = c.req.header("authorization");
  if (header === undefined) return invalid("headers must have required property 'authorization'");
  const { claims, error } = await deps.verify(header.replace(/^Bearer\s+/i, ""));
  if (error) {
    const message = error.expired ? '"exp" claim timestamp check failed' : error.message;
    return storageError("403", "Unauthorized", message, "AccessDenied");
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
    { role: roleOf(claims), claims },
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

/** As the real server builds it: the key raw, not encoded, so `?`, `&`, `%` keys are ambiguous. */
function signedPath(bucket: string, name: string, token: string): string {
  return `/object/sign/${bucket}/${name}?token=${token}`;
}

/** The JSON body, or Fastify's refusal of a body that is not JSON. */
async function jsonBody(c: Context): Promise<Record<string, unknown> | Response> {
  const text = await c.req.text();
  try {
    const body = text.trim() ? JSON.parse(text) : undefined;
    return body && typeof body === "object" && !Array.isArray(body) ? body : {};
  } catch {
    return storageError(
      "400",
      "FastifyError",
      "Body is not valid JSON but content-type is set to 'application/json'",
      "FST_ERR_CTP_INVALID_JSON_BODY",
    );
  }
}

/** `expiresIn` as the schema (integer, >= 1) takes it, with its type coercion: "60" and true pass. */
function expiresInOf(body: Record<string, unknown>): number | Response {
  if (!("expiresIn" in body)) return invalid("body must have required property 'expiresIn'");
  let v = body.expiresIn;
  if (typeof v === "boolean" || v === null) v = Number(v);
  if (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim())) v = Number(v);
  if (typeof v !== "number" || !Number.isInteger(v)) {
    return invalid("body/expiresIn must be integer");
  }
  if (v < 1) return invalid("body/expiresIn must be >= 1");
  if (!Number.isSafeInteger(v)) {
    return storageError(
      "400",
      "InvalidParameter",
      "Invalid Parameter expiresIn",
      "InvalidParameter",
    );
  }
  return v;
}

/** `paths` as the schema takes it: one string becomes a list, items become strings; 1 to 1,000. */
function pathsOf(body: Record<string, unknown>): string[] | Response {
  if (!("paths" in body)) return invalid("body must have required property 'paths'");
  const raw = typeof body.paths === "string" ? [body.paths] : body.paths;
  if (!Array.isArray(raw)) return invalid("body/paths must be array");
  if (raw.length < 1) return invalid("body/paths must NOT have fewer than 1 items");
  if (raw.length > 1000) return invalid("body/paths must NOT have more than 1000 items");
  const paths: string[] = [];
  for (const [i, p] of raw.entries()) {
    if (typeof p === "string") paths.push(p);
    else if (typeof p === "number" || typeof p === "boolean") paths.push(String(p));
    else return invalid(`body/paths/${i} must be string`);
  }
  return paths;
}

/** POST /storage/v1/object/sign/:bucket  {expiresIn, paths} */
export async function signMany(deps: StorageDeps, c: Context, bucket: string): Promise<Response> {
  const claims = await callerClaims(deps, c);
  if (claims instanceof Response) return claims;
  const body = await jsonBody(c);
  if (body instanceof Response) return body;
  // Required properties first, then each property's type, as the schema validator goes.
  for (const key of ["expiresIn", "paths"]) {
    if (!(key in body)) return invalid(`body must have required property '${key}'`);
  }
  const expiresIn = expiresInOf(body);
  if (expiresIn instanceof Response) return expiresIn;
  const paths = pathsOf(body);
  if (paths instanceof Response) return paths;
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
  const body = await jsonBody(c);
  if (body instanceof Response) return body;
  const expiresIn = expiresInOf(body);
  if (expiresIn instanceof Response) return expiresIn;
  const readable = await readableNames(deps, claims, c.req.raw, bucket, [path]);
  if (!readable.has(path)) return storageError("404", "not_found", "Object not found", "NoSuchKey");
  return c.json({
    signedURL: signedPath(bucket, path, await signToken(deps, `${bucket}/${path}`, expiresIn)),
  });
}

/**
 * POST /storage/v1/object/:bucket/*path with the bytes as the body: a new object (service role
 * only here; `x-upsert: true` replaces). Enough of Storage's upload for tests to put objects in
 * through the API, so the same tests run against a real stack.
 */
export async function upload(
  deps: StorageDeps,
  c: Context,
  bucket: string,
  path: string,
): Promise<Response> {
  const claims = await callerClaims(deps, c);
  if (claims instanceof Response) return claims;
  if (claims.role !== "service_role") {
    return storageError(
      "403",
      "Unauthorized",
      "new row violates row-level security policy",
      "AccessDenied",
    );
  }
  if (!VALID_KEY.test(path) || path === "") {
    return storageError("400", "InvalidKey", `Invalid key: ${path}`, "InvalidKey");
  }
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  const upsert = c.req.header("x-upsert") === "true";
  const exists = await deps.adminSql`
    select 1 from storage.objects where bucket_id = ${bucket} and name = ${path}`;
  if (exists.length && !upsert) {
    return storageError("409", "Duplicate", "The resource already exists", "Duplicate");
  }
  const file = `${deps.root}/${bucket}/${path}`;
  await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true });
  await Deno.writeFile(file, bytes);
  const metadata = {
    mimetype: c.req.header("content-type") ?? "application/octet-stream",
    size: bytes.length,
    eTag: `"${createHash("md5").update(bytes).digest("hex")}"`,
  };
  const rows = await deps.adminSql`
    insert into storage.objects (bucket_id, name, metadata) values (${bucket}, ${path}, ${
    deps.adminSql.json(metadata)
  })
    on conflict (bucket_id, name) do update set metadata = excluded.metadata, updated_at = now()
    returning id`;
  return c.json({ Key: `${bucket}/${path}`, Id: rows[0].id });
}
