/**
 * PostgREST as the project's clients meet it behind `/rest/v1`, copied from PostgREST v16.5
 * (and v14, where it differs: `Vary`), source read at v16.2 and v14.17 (docs/local-stack.md):
 * the token checked first (postgrest_jwt.ts), then `rpc/<fn>` by GET, HEAD and POST and table
 * reads, run as the token's role in one transaction with the request's settings, READ ONLY for
 * GET and HEAD and for STABLE and IMMUTABLE functions. Errors are `{code, details, hint,
 * message}` with PostgREST's status for each code and SQLSTATE (Error.hs), `Proxy-Status` on
 * every one and `WWW-Authenticate` on 401s; successful answers carry `Content-Range` and, from
 * v16, `Vary: Accept, Prefer, Range`.
 */
import type postgres from "postgres";
import { type Sql, withClaims } from "./db.ts";
import { bearerAuth, type Claims, type TokenCheck } from "./postgrest_jwt.ts";
import { type Filter, parseFilter, whereSql } from "./postgrest_filters.ts";

export type PostgrestVersion = 14 | 16;

/** What PostgREST 16 adds to its successful answers (App.hs, `varyHeader`). */
export const VARY = "Accept, Prefer, Range";
const JSON_TYPE = "application/json; charset=utf-8";
const OBJECT_TYPE = "application/vnd.pgrst.object+json; charset=utf-8";
/** db-anon-role, as Supabase configures it. */
const ANON = "anon";

export interface PgrstError {
  code: string;
  message: string;
  details: string | null;
  hint: string | null;
}

export const pgError = (
  code: string,
  message: string,
  details: string | null = null,
  hint: string | null = null,
): PgrstError => ({ code, details, hint, message });

/** errorResponseFor: the body, its type and length, Proxy-Status, and the error's own headers. */
export function errorResponse(
  status: number,
  error: PgrstError,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(error), {
    status,
    headers: {
      "content-type": JSON_TYPE,
      "proxy-status": `PostgREST; error=${error.code}`,
      ...headers,
    },
  });
}

/** A JWT error: 401, and `WWW-Authenticate` with the message (invalidTokenHeader). */
export function tokenRefusal(error: PgrstError): Response {
  return errorResponse(401, error, {
    "www-authenticate": `Bearer error="invalid_token", error_description=${
      JSON.stringify(error.message)
    }`,
  });
}

/** mapSQLtoHTTP: the HTTP status of a SQLSTATE; `authed` when the role is not the anon role. */
export function statusForSqlState(code: string, message: string, authed: boolean): number {
  const exact: Record<string, number> = {
    "23503": 409,
    "23505": 409,
    "25006": 405,
    "21000": message.endsWith("requires a WHERE clause") ? 400 : 500,
    "22023": /^role .* does not exist$/.test(message) ? 401 : 400,
    "53400": 500,
    "57P01": 503,
    P0001: 400,
    "42883": message.startsWith("function xmlagg(") ? 406 : 404,
    "42P01": 404,
    "42P17": 500,
    "42501": authed ? 403 : 401,
  };
  if (code in exact) return exact[code];
  if (code.startsWith("PT")) {
    const status = /^\d+$/.test(code.slice(2)) ? Number(code.slice(2)) : 500;
    // Deno can't send a status outside 200-599 (PostgREST sends what it reads).
    return status >= 200 && status <= 599 ? status : 500;
  }
  const byClass: Record<string, number> = {
    "08": 503,
    "09": 500,
    "0L": 403,
    "0P": 403,
    "25": 500,
    "28": 403,
    "2D": 500,
    "38": 500,
    "39": 500,
    "3B": 500,
    "40": 500,
    "53": 503,
    "54": 500,
    "55": 500,
    "57": 500,
    "58": 500,
    F0: 500,
    HV: 500,
    P0: 500,
    XX: 500,
  };
  return byClass[code.slice(0, 2)] ?? 400;
}

/** A `RAISE SQLSTATE 'PGRST'`: the caller's own code, message, status and headers. */
function raisedPgrst(err: postgres.PostgresError): Response {
  const parseError = (details: string, hint: string) =>
    errorResponse(
      500,
      pgError(
        "PGRST121",
        `Could not parse JSON in the "RAISE SQLSTATE 'PGRST'" error`,
        details,
        hint,
      ),
    );
  const messageHint =
    "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'.";
  const detailHint =
    "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'.";
  const parse = (s: string) => {
    try {
      const v = JSON.parse(s);
      return v && typeof v === "object" && !Array.isArray(v) ? v : undefined;
    } catch {
      return undefined;
    }
  };
  const m = parse(err.message);
  if (!m || typeof m.code !== "string" || typeof m.message !== "string") {
    return parseError(`Invalid JSON value for MESSAGE: '${err.message}'`, messageHint);
  }
  if (err.detail === undefined) {
    return parseError("DETAIL is missing in the RAISE statement", detailHint);
  }
  const d = parse(err.detail);
  if (!d || typeof d.status !== "number" || !d.headers || typeof d.headers !== "object") {
    return parseError(`Invalid JSON value for DETAIL: '${err.detail}'`, detailHint);
  }
  return errorResponse(
    d.status,
    pgError(m.code, m.message, m.details ?? null, m.hint ?? null),
    Object.fromEntries(Object.entries(d.headers).map(([k, v]) => [k, String(v)])),
  );
}

/** A query's SQL error as PostgREST answers it; anything else is not ours to answer. */
export function sqlErrorResponse(e: unknown, role: string): Response {
  const err = e as postgres.PostgresError;
  if (!err?.code || typeof err.code !== "string") throw e;
  if (err.code === "PGRST") return raisedPgrst(err);
  const status = statusForSqlState(err.code, err.message, role !== ANON);
  return errorResponse(
    status,
    pgError(err.code, err.message, err.detail ?? null, err.hint ?? null),
    status === 401 ? { "www-authenticate": "Bearer" } : {},
  );
}

interface Routine {
  name: string;
  argNames: string[];
  argTypes: string[];
  requiredArgs: number;
  volatile: boolean;
  returnsSet: boolean;
  returnsVoid: boolean;
  /** Its rows are composite (a table's row type, a record of OUT or TABLE columns). */
  composite: boolean;
}

export interface SchemaCache {
  functions(name: string): Promise<Routine[]>;
  /** A table's (or view's) columns, or undefined when `public` has no such relation. */
  table(name: string): Promise<string[] | undefined>;
}

/**
 * `public`'s functions and relations, loaded once like PostgREST's schema cache (whatever the
 * roles may do with them: privileges are Postgres's to enforce) and reloaded on
 * `NOTIFY pgrst, 'reload schema'`.
 */
export function createSchemaCache(sql: Sql): SchemaCache {
  let cache:
    | Promise<{ fns: Map<string, Routine[]>; tables: Map<string, string[]> }>
    | undefined;
  sql.listen("pgrst", (payload) => {
    if (payload === "" || payload === "reload schema") cache = undefined;
  }).catch(() => {});
  const load = () =>
    cache ??= Promise.all([
      sql<
        {
          name: string;
          arg_names: string[] | null;
          arg_types: string[];
          nargs: number;
          ndefaults: number;
          volatility: string;
          retset: boolean;
          returns_void: boolean;
          composite: boolean;
        }[]
      >`
        select p.proname as name, p.proargnames as arg_names,
          array(select format_type(t, null) from unnest(p.proargtypes) t) as arg_types,
          p.pronargs as nargs, p.pronargdefaults as ndefaults, p.provolatile as volatility,
          p.proretset as retset, p.prorettype = 'void'::regtype as returns_void,
          (t.typtype = 'c' or p.prorettype = 'record'::regtype
            or coalesce(p.proargmodes && array['o', 'b', 't']::"char"[], false)) as composite
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          join pg_type t on t.oid = p.prorettype
        where n.nspname = 'public' and p.prokind = 'f'
      `,
      sql<{ name: string; columns: string[] }[]>`
        select c.relname as name,
          array(select a.attname::text from pg_attribute a
            where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped order by a.attnum) as columns
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'v', 'm', 'f', 'p')
      `,
    ]).then(([fnRows, tableRows]) => {
      const fns = new Map<string, Routine[]>();
      for (const r of fnRows) {
        const fn: Routine = {
          name: r.name,
          argNames: (r.arg_names ?? []).slice(0, r.nargs),
          argTypes: r.arg_types,
          requiredArgs: r.nargs - r.ndefaults,
          volatile: r.volatility === "v",
          returnsSet: r.retset,
          returnsVoid: r.returns_void,
          composite: r.composite,
        };
        fns.set(r.name, [...(fns.get(r.name) ?? []), fn]);
      }
      return { fns, tables: new Map(tableRows.map((t) => [t.name, t.columns])) };
    });
  return {
    functions: (name) => load().then((c) => c.fns.get(name) ?? []),
    table: (name) => load().then((c) => c.tables.get(name)),
  };
}

export interface PostgrestDeps {
  sql: Sql;
  lookup: SchemaCache;
  check: (token: string) => Promise<TokenCheck>;
  version: PostgrestVersion;
}

/** The request as PostgREST sees it, the token checked: its role, claims and query. */
interface Call {
  req: Request;
  url: URL;
  role: string;
  claims: Claims;
  prefer: Preferences;
}

/** The token of the request checked (an absent one is anon); a refusal, or who is calling. */
export async function authenticate(
  deps: PostgrestDeps,
  req: Request,
): Promise<Response | Omit<Call, "prefer">> {
  const token = bearerAuth(req.headers.get("authorization"));
  let claims: Claims = {};
  if (token !== undefined) {
    const checked = await deps.check(token);
    if (checked.error) {
      return tokenRefusal(
        pgError(checked.error.code, checked.error.message, checked.error.details),
      );
    }
    claims = checked.claims;
  }
  // jwt-role-claim-key `.role`, else db-anon-role.
  const role = typeof claims.role === "string"
    ? claims.role
    : claims.role === undefined || claims.role === null
    ? ANON
    : JSON.stringify(claims.role);
  return { req, url: new URL(req.url), role, claims };
}

interface Preferences {
  count: boolean;
  applied: string[];
  invalid: string[];
  strict: boolean;
}

const KNOWN_PREFS = [
  "resolution=merge-duplicates",
  "resolution=ignore-duplicates",
  "return=representation",
  "return=minimal",
  "return=headers-only",
  "count=exact",
  "count=planned",
  "count=estimated",
  "tx=commit",
  "tx=rollback",
  "missing=default",
  "missing=null",
  "handling=strict",
  "handling=lenient",
];

/** Preferences.fromHeaders, as far as reads and calls use them (db-tx-end is commit: no tx=). */
function preferences(req: Request): Preferences {
  const prefs = (req.headers.get("prefer") ?? "").split(",").map((p) => p.trim()).filter(Boolean);
  const first = (...values: string[]) => prefs.find((p) => values.includes(p));
  const count = first("count=exact", "count=planned", "count=estimated");
  const handling = first("handling=strict", "handling=lenient");
  const invalid = prefs.filter((p) =>
    !KNOWN_PREFS.includes(p) && !p.startsWith("timezone=") && !p.startsWith("max-affected=")
  );
  return {
    count: count !== undefined,
    applied: [count, handling].filter((p): p is string => p !== undefined),
    invalid,
    strict: handling === "handling=strict",
  };
}

/** The media type answered for an Accept header, or the 406 refusal. */
function negotiate(req: Request): { type: string; singular: boolean } | Response {
  const accept = req.headers.get("accept");
  if (accept === null) return { type: JSON_TYPE, singular: false };
  const types = accept.split(",").map((t) => {
    const [type, ...params] = t.split(";").map((s) => s.trim());
    const q = params.find((p) => p.startsWith("q="));
    return { type: type.toLowerCase(), q: q ? Number(q.slice(2)) : 1 };
  }).filter((t) => t.type).sort((a, b) => b.q - a.q);
  for (const { type } of types) {
    if (["application/json", "*/*", "application/*"].includes(type)) {
      return { type: JSON_TYPE, singular: false };
    }
    if (["application/vnd.pgrst.object+json", "application/vnd.pgrst.object"].includes(type)) {
      return { type: OBJECT_TYPE, singular: true };
    }
  }
  return errorResponse(
    406,
    pgError(
      "PGRST107",
      `None of these media types are available: ${types.map((t) => t.type).join(", ")}`,
    ),
  );
}

/** A success: the body with its framing, Content-Range, and the version's Vary. */
function success(
  deps: PostgrestDeps,
  call: Call,
  status: number,
  body: string | null,
  headers: Record<string, string>,
): Response {
  const out = new Headers(headers);
  if (call.prefer.applied.length) out.set("preference-applied", call.prefer.applied.join(", "));
  if (deps.version >= 16) out.set("vary", VARY);
  return new Response(call.req.method === "HEAD" ? null : body, { status, headers: out });
}

/** rangeStatusHeader: `lower-upper/total` (`*` where unknown), and 206 when partial. */
function range(offset: number, page: number, total: number | undefined) {
  const upper = offset + page - 1;
  const span = total !== 0 && offset <= upper ? `${offset}-${upper}` : "*";
  const status = total !== undefined && page < total ? 206 : 200;
  return { status, contentRange: `${span}/${total ?? "*"}` };
}

/** Parameters PostgREST reads itself (QueryParams.hs: `reserved`, `reservedEmbeddable`). */
function reserved(key: string): boolean {
  return ["select", "columns", "on_conflict"].includes(key) ||
    ["order", "limit", "offset", "and", "or"].includes(key.split(".").at(-1)!);
}
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `select=a,b` as columns, `*` by default; undefined when it doesn't parse here. */
function selectColumns(url: URL): string[] | undefined {
  const select = (url.searchParams.get("select") ?? "*").split(",").map((s) => s.trim());
  return select.every((c) => c === "*" || IDENTIFIER.test(c)) ? select : undefined;
}

function pageOf(url: URL, name: "limit" | "offset"): number | undefined {
  const raw = url.searchParams.get(name);
  return raw !== null && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/**
 * The query's filters and, for a GET or HEAD call, its arguments: a value that reads as a
 * filter is one, any other is an argument (the last of a repeated name wins). A filter that
 * doesn't parse is PostgREST's PGRST100.
 */
function queryParams(
  url: URL,
  rpcRead: boolean,
): { filters: Filter[]; args: Record<string, unknown> } | Response {
  const filters: Filter[] = [];
  const args: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) {
    if (reserved(key)) continue;
    const parsed = parseFilter(key, value);
    if (!("error" in parsed)) filters.push(parsed);
    else if (rpcRead) args[key] = value;
    else return errorResponse(400, pgError("PGRST100", parsed.error.message, parsed.error.details));
  }
  return { filters, args };
}

/** POST rpc's body as PostgREST's Payload reads it; undefined for PGRST102's refusal. */
async function postArgs(req: Request, url: URL): Promise<Record<string, unknown> | Response> {
  const type = (req.headers.get("content-type") ?? "application/json").split(";")[0].trim()
    .toLowerCase();
  const text = await req.text();
  let args: Record<string, unknown>;
  if (type === "application/x-www-form-urlencoded") {
    args = Object.fromEntries(new URLSearchParams(text));
  } else if (type === "application/json") {
    let body: unknown = {};
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        return errorResponse(400, pgError("PGRST102", "Empty or invalid json"));
      }
    }
    // An array: its first object's keys (all must share them); anything else: no arguments.
    if (Array.isArray(body)) {
      const first = body[0];
      const keys = (o: unknown) =>
        o && typeof o === "object" && !Array.isArray(o) ? Object.keys(o).sort().join() : undefined;
      if (
        first !== undefined && body.some((o) => keys(o) === undefined || keys(o) !== keys(first))
      ) {
        return errorResponse(400, pgError("PGRST102", "All object keys must match"));
      }
      body = first ?? {};
    }
    args = body && typeof body === "object" ? body as Record<string, unknown> : {};
  } else {
    return errorResponse(400, pgError("PGRST102", `Content-Type not acceptable: ${type}`));
  }
  const columns = url.searchParams.get("columns");
  if (columns !== null) {
    const keep = columns.split(",").map((c) => c.trim());
    args = Object.fromEntries(Object.entries(args).filter(([k]) => keep.includes(k)));
  }
  return args;
}

/** findProc: every key an argument, every required argument given; the exact fit first. */
function findRoutine(candidates: Routine[], keys: string[]): Routine[] {
  const fits = candidates.filter((f) =>
    keys.every((k) => f.argNames.includes(k)) &&
    f.argNames.slice(0, f.requiredArgs).every((a) => keys.includes(a))
  );
  const exact = fits.filter((f) => f.argNames.length === keys.length);
  return exact.length ? exact : fits;
}

function noRoutine(name: string, keys: string[], post: boolean): Response {
  const sorted = [...keys].sort();
  const fn = `public.${name}`;
  const params = sorted.length
    ? ` with parameter${sorted.length > 1 ? "s" : ""} ${sorted.join(", ")}`
    : " without parameters";
  return errorResponse(
    404,
    pgError(
      "PGRST202",
      `Could not find the function ${fn}${
        sorted.length ? `(${sorted.join(", ")})` : " without parameters"
      } in the schema cache`,
      `Searched for the function ${fn}${params}${
        post ? " or with a single unnamed json/jsonb parameter" : ""
      }, but no matches were found in the schema cache.`,
    ),
  );
}

/**
 * An argument as a parameter, sent as text and cast to the argument's type (as json_to_record
 * reads PostgREST's body): JSON arrays for array types, any value as JSON for json and jsonb,
 * objects as JSON, the rest as text.
 */
function argument(value: unknown, type: string, n: number): { sql: string; param: string | null } {
  if (value === null || value === undefined) return { sql: `$${n}::text::${type}`, param: null };
  if (Array.isArray(value) && type.endsWith("[]")) {
    return {
      sql:
        `coalesce((select array_agg(e) from json_array_elements_text($${n}::text::json) e), '{}')::${type}`,
      param: JSON.stringify(value),
    };
  }
  const json = typeof value === "object" || type === "json" || type === "jsonb";
  return { sql: `$${n}::text::${type}`, param: json ? JSON.stringify(value) : String(value) };
}

/** The schemas the Data API exposes (config.toml `[api] schemas`). */
const EXPOSED_SCHEMAS = ["public"];

/**
 * A profile naming a schema the Data API doesn't expose (`Accept-Profile` on GET and HEAD,
 * `Content-Profile` on the others): 406 PGRST106, as PostgREST's ApiRequest refuses it once the
 * token is checked (MultipleSchemaSpec). Undefined when the profile is absent or exposed.
 */
function unexposedProfile(req: Request): Response | undefined {
  const read = req.method === "GET" || req.method === "HEAD";
  const schema = req.headers.get(read ? "accept-profile" : "content-profile");
  if (schema === null || EXPOSED_SCHEMAS.includes(schema)) return undefined;
  return errorResponse(
    406,
    pgError(
      "PGRST106",
      `Invalid schema: ${schema}`,
      null,
      `Only the following schemas are exposed: ${EXPOSED_SCHEMAS.join(", ")}`,
    ),
  );
}

/** `/rest/v1/rpc/<fn>`: PostgREST's call of a function, by GET, HEAD or POST. */
export async function callRpc(
  deps: PostgrestDeps,
  req: Request,
  fnName: string,
): Promise<Response> {
  const who = await authenticate(deps, req);
  if (who instanceof Response) return who;
  const profile = unexposedProfile(req);
  if (profile) return profile;
  if (!["GET", "HEAD", "POST"].includes(req.method)) {
    return errorResponse(
      405,
      pgError("PGRST101", `Cannot use the ${req.method} method on RPC`),
    );
  }
  const call: Call = { ...who, prefer: preferences(req) };
  const { url } = call;
  const read = req.method !== "POST";
  const query = queryParams(url, read);
  if (query instanceof Response) return query;
  const { filters } = query;
  let args = query.args;
  if (!read) {
    const parsed = await postArgs(req, url);
    if (parsed instanceof Response) return parsed;
    args = parsed;
  }
  const candidates = await deps.lookup.functions(fnName);
  const keys = Object.keys(args);
  const found = findRoutine(candidates, keys);
  if (!found.length) return noRoutine(fnName, keys, !read);
  if (found.length > 1) {
    return errorResponse(
      300,
      pgError(
        "PGRST203",
        `Could not choose the best candidate function between: ${
          found.map((f) =>
            `public.${f.name}(${f.argNames.map((a, i) => `${a} => ${f.argTypes[i]}`).join(", ")})`
          ).join(", ")
        }`,
        null,
        "Try renaming the parameters or the function itself in the database so function overloading can be resolved",
      ),
    );
  }
  const fn = found[0];
  const media = negotiate(req);
  if (media instanceof Response) return media;
  if (call.prefer.strict && call.prefer.invalid.length) {
    return errorResponse(
      400,
      pgError(
        "PGRST122",
        "Invalid preferences given with handling=strict",
        `Invalid preferences: ${call.prefer.invalid.join(", ")}`,
      ),
    );
  }
  const params: (string | null)[] = [];
  const named = keys.map((k) => {
    const a = argument(args[k], fn.argTypes[fn.argNames.indexOf(k)], params.length + 1);
    params.push(a.param);
    return `${quoteIdent(k)} := ${a.sql}`;
  });
  const invocation = `public.${quoteIdent(fn.name)}(${named.join(", ")})`;
  const readOnly = read || !fn.volatile;
  return await run(deps, call, { fn, invocation, params, filters, media, readOnly });
}

interface Plan {
  fn: Routine;
  invocation: string;
  params: (string | null)[];
  filters: Filter[];
  media: { type: string; singular: boolean };
  readOnly: boolean;
}

/** The call's query: its rows counted and paged (sets), or its one value; and the GUC overrides. */
function callQuery(plan: Plan, url: URL, count: boolean): string {
  const { fn, invocation } = plan;
  const total = count ? "1" : "null";
  if (fn.returnsVoid) {
    return `select null::text as body, 1 as page, null::bigint as total from ${invocation} pgrst_call`;
  }
  // A composite's rows are read through `select *`, so OUT and TABLE columns keep their names.
  const rows = fn.composite
    ? `(select * from ${invocation}) pgrst_call`
    : `${invocation} pgrst_call`;
  if (!fn.returnsSet) {
    return `select to_json(pgrst_call)::text as body, 1 as page, ${total}::bigint as total
      from ${rows}`;
  }
  const columns = selectColumns(url) ?? ["*"];
  const row = fn.composite && !columns.includes("*")
    ? `json_build_object(${columns.map((c) => `'${c}', pgrst_call.${quoteIdent(c)}`).join(", ")})`
    : "pgrst_call";
  const where = whereSql(plan.filters, "pgrst_call", plan.params);
  const limit = pageOf(url, "limit");
  const offset = pageOf(url, "offset") ?? 0;
  return `with pgrst_source as (select ${row} as pgrst_row from ${rows} ${where})
    select coalesce(json_agg(p.pgrst_row), '[]')::text as body, count(p.*)::int as page,
      ${count ? "(select count(*) from pgrst_source)" : "null::bigint"} as total
    from (select pgrst_row from pgrst_source ${limit !== undefined ? `limit ${limit}` : ""}
      offset ${offset}) p`;
}

async function run(deps: PostgrestDeps, call: Call, plan: Plan): Promise<Response> {
  const query = callQuery(plan, call.url, call.prefer.count);
  let result: {
    body: string | null;
    page: number;
    total: number | null;
    status: string;
    headers: string;
  };
  try {
    result = await withClaims(
      deps.sql,
      { role: call.role, claims: call.claims },
      { readOnly: plan.readOnly, request: call.req },
      async (tx) => {
        const [row] = await tx.unsafe(query, plan.params);
        const [guc] = await tx.unsafe(
          `select coalesce(current_setting('response.status', true), '') as status,
            coalesce(current_setting('response.headers', true), '') as headers`,
        );
        return { ...row, ...guc } as unknown as typeof result;
      },
    );
  } catch (e) {
    return sqlErrorResponse(e, call.role);
  }
  const offset = plan.fn.returnsSet ? pageOf(call.url, "offset") ?? 0 : 0;
  const total = result.total === null ? undefined : Number(result.total);
  const { status, contentRange } = range(offset, Number(result.page), total);
  let body = result.body ?? "null";
  if (plan.media.singular && plan.fn.returnsSet) {
    const rows = JSON.parse(body) as unknown[];
    if (rows.length !== 1) {
      return errorResponse(
        406,
        pgError(
          "PGRST116",
          "JSON object requested, multiple (or no) rows returned",
          `The result contains ${rows.length} rows`,
        ),
      );
    }
    body = JSON.stringify(rows[0]);
  }
  const overrides = gucOverrides(result.status, result.headers);
  if (overrides instanceof Response) return overrides;
  if (plan.fn.returnsVoid) {
    return success(deps, call, overrides.status ?? 204, null, {
      "content-range": contentRange,
      ...overrides.headers,
    });
  }
  return success(deps, call, overrides.status ?? status, body, {
    "content-type": plan.media.type,
    "content-range": contentRange,
    ...overrides.headers,
  });
}

/** `response.status` and `response.headers` set by the function (GucHeader.hs). */
function gucOverrides(
  status: string,
  headers: string,
): { status?: number; headers: Record<string, string> } | Response {
  const out: Record<string, string> = {};
  if (headers) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(headers);
    } catch { /* refused below */ }
    if (
      !Array.isArray(parsed) ||
      !parsed.every((h) => h && typeof h === "object" && !Array.isArray(h))
    ) {
      return errorResponse(
        500,
        pgError(
          "PGRST111",
          `response.headers guc must be a JSON array composed of objects with a single key and a string value`,
        ),
      );
    }
    for (const h of parsed) {
      for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = String(v);
    }
  }
  if (!status) return { headers: out };
  if (!/^\d+$/.test(status)) {
    return errorResponse(
      500,
      pgError("PGRST112", "response.status guc must be a valid status code"),
    );
  }
  return { status: Number(status), headers: out };
}

/**
 * GET /rest/v1/<table>: `select` (columns), filters (`eq`, `neq`, `gt`, `gte`, `lt`, `lte`,
 * `like`, `ilike`, `is`, `in`, each with `not.`), `limit` and `offset`, as a JSON array, run as
 * the caller in a READ ONLY transaction, the values sent untyped as PostgREST sends them, so
 * Postgres answers what it answers (a privilege, a type, an operator). Embedding and ordering
 * are not served here.
 */
export async function readTable(
  deps: PostgrestDeps,
  req: Request,
  table: string,
): Promise<Response> {
  const who = await authenticate(deps, req);
  if (who instanceof Response) return who;
  const profile = unexposedProfile(req);
  if (profile) return profile;
  const call: Call = { ...who, prefer: preferences(req) };
  const { url } = call;
  const columns = selectColumns(url);
  if (!columns) {
    return errorResponse(
      400,
      pgError("PGRST100", `"failed to parse select parameter (${url.searchParams.get("select")})"`),
    );
  }
  const parsed = queryParams(url, false);
  if (parsed instanceof Response) return parsed;
  const { filters } = parsed;
  if (!(await deps.lookup.table(table))) {
    return errorResponse(
      404,
      pgError("PGRST205", `Could not find the table 'public.${table}' in the schema cache`),
    );
  }
  const media = negotiate(req);
  if (media instanceof Response) return media;
  const params: (string | null)[] = [];
  const where = whereSql(filters, "t", params);
  const limit = pageOf(url, "limit");
  const offset = pageOf(url, "offset") ?? 0;
  const list = columns.map((c) => (c === "*" ? "t.*" : `t.${quoteIdent(c)}`)).join(", ");
  const query = `with pgrst_source as (select ${list} from public.${quoteIdent(table)} t ${where})
    select coalesce(json_agg(p), '[]')::text as body, count(p.*)::int as page,
      ${call.prefer.count ? "(select count(*) from pgrst_source)" : "null::bigint"} as total
    from (select * from pgrst_source ${
    limit !== undefined ? `limit ${limit}` : ""
  } offset ${offset}) p`;
  let row: { body: string; page: number; total: number | null };
  try {
    [row] = await withClaims(
      deps.sql,
      { role: call.role, claims: call.claims },
      { readOnly: true, request: req },
      (tx) => tx.unsafe(query, params),
    ) as typeof row[];
  } catch (e) {
    return sqlErrorResponse(e, call.role);
  }
  const { status, contentRange } = range(
    offset,
    Number(row.page),
    row.total === null ? undefined : Number(row.total),
  );
  return success(deps, call, status, row.body, {
    "content-type": JSON_TYPE,
    "content-range": contentRange,
  });
}

/** A path with no resource behind it (`/a/b/c`): 404 PGRST125, after the token is checked. */
export async function invalidPath(deps: PostgrestDeps, req: Request): Promise<Response> {
  const who = await authenticate(deps, req);
  if (who instanceof Response) return who;
  return errorResponse(404, pgError("PGRST125", "Invalid path specified in request URL"));
}
