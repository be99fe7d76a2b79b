/**
 * PostgREST's semantics for what the project's clients send it: `/rest/v1/rpc/:fn` (JWT verified,
 * role and claims set with set_config(..., true) in one transaction, READ ONLY for stable
 * functions, the function's JSON passed through untouched) and table reads
 * (`GET /rest/v1/<table>?select=<columns>&<column>=eq.<value>&limit=<n>`, run as the caller, so
 * privileges and RLS decide), SQLSTATE mapped to HTTP status with a {code, message, details,
 * hint} body, and PostgREST 16's `Vary`.
 */
import type { Context } from "hono";
import type postgres from "postgres";
import { roleOf, type Sql, withClaims } from "./db.ts";
import type { Claims } from "./jwt.ts";

interface RpcFunction {
  schema: string;
  name: string;
  argNames: string[];
  argTypes: string[];
  requiredArgs: number;
  volatile: boolean;
  returnsSet: boolean;
}

/** PostgREST 16 adds this to its answers. */
export const VARY = "Accept, Prefer, Range";

export function pgError(
  code: string,
  message: string,
  details: string | null = null,
  hint: string | null = null,
) {
  return { code, message, details, hint };
}

/** HTTP status for a SQLSTATE, as PostgREST maps it. */
export function statusForSqlState(code: string, role: string): number {
  if (/^PT\d{3}$/.test(code)) return Number(code.slice(2));
  if (code === "P0001") return 400;
  if (code.startsWith("P0")) return 500;
  if (code === "42501") return role === "anon" ? 401 : 403;
  if (code === "42883") return 404;
  if (code === "23503" || code === "23505") return 409;
  if (code === "25006") return 405;
  if (code.startsWith("08") || code.startsWith("53")) return 503;
  if (code === "57014" || code.startsWith("XX")) return 500;
  return 400;
}

/** A query's SQL error as PostgREST answers it; anything else is not ours to answer. */
function sqlErrorAnswer(c: Context, e: unknown, role: string): Response {
  const err = e as postgres.PostgresError;
  if (!err.code) throw e;
  return c.json(
    pgError(err.code, err.message, err.detail ?? null, err.hint ?? null),
    statusForSqlState(err.code, role) as 400,
  );
}

export interface SchemaCache {
  functions(name: string): Promise<RpcFunction[]>;
  /** A table's (or view's) columns, or undefined when `public` has no such relation. */
  table(name: string): Promise<string[] | undefined>;
}

/**
 * Loads `public`'s functions and tables once, like PostgREST's schema cache (every relation,
 * whatever the roles may do with it: privileges are Postgres's to enforce on the query), and
 * reloads them on `NOTIFY pgrst, 'reload schema'` as PostgREST does.
 */
export function createSchemaCache(sql: Sql): SchemaCache {
  let cache:
    | Promise<{ fns: Map<string, RpcFunction[]>; tables: Map<string, string[]> }>
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
        }[]
      >`
        select p.proname as name, p.proargnames as arg_names,
          array(select format_type(t, null) from unnest(p.proargtypes) t) as arg_types,
          p.pronargs as nargs, p.pronargdefaults as ndefaults, p.provolatile as volatility,
          p.proretset as retset
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
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
      const fns = new Map<string, RpcFunction[]>();
      for (const r of fnRows) {
        const fn: RpcFunction = {
          schema: "public",
          name: r.name,
          argNames: (r.arg_names ?? []).slice(0, r.nargs),
          argTypes: r.arg_types,
          requiredArgs: r.nargs - r.ndefaults,
          volatile: r.volatility === "v",
          returnsSet: r.retset,
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

function pick(candidates: RpcFunction[], keys: string[]): RpcFunction | undefined {
  return candidates.find((f) =>
    keys.every((k) => f.argNames.includes(k)) &&
    f.argNames.slice(0, f.requiredArgs).every((a) => keys.includes(a))
  );
}

export interface RpcDeps {
  sql: Sql;
  lookup: SchemaCache;
}

/** Runs the call; `claims` decide the role. Returns the HTTP answer. */
export async function callRpc(
  deps: RpcDeps,
  c: Context,
  fnName: string,
  args: Record<string, unknown>,
  claims: Claims,
): Promise<Response> {
  const role = roleOf(claims);
  const keys = Object.keys(args);
  const fn = pick(await deps.lookup.functions(fnName), keys);
  if (!fn) {
    return c.json(
      pgError(
        "PGRST202",
        `Could not find the function public.${fnName}(${
          keys.sort().join(", ")
        }) in the schema cache`,
        `Searched for the function public.${fnName} with parameters ${
          keys.sort().join(", ")
        } or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
      ),
      404,
    );
  }
  if (c.req.method === "GET" && fn.volatile) {
    return c.json(
      pgError("PGRST101", "Cannot use the GET method on RPC with volatile functions"),
      405,
    );
  }
  const params = keys.map((k) => {
    const v = args[k];
    return v === null ? null : typeof v === "object" ? JSON.stringify(v) : String(v);
  });
  const call = `public.${quoteIdent(fn.name)}(${
    keys.map((k, i) => `${quoteIdent(k)} := $${i + 1}::${fn.argTypes[fn.argNames.indexOf(k)]}`)
      .join(", ")
  })`;
  const query = fn.returnsSet
    ? `select coalesce(json_agg(t), '[]')::text as body from ${call} t`
    : `select to_json(${call})::text as body`;
  try {
    const rows = await withClaims(
      deps.sql,
      claims,
      { readOnly: !fn.volatile, request: c.req.raw },
      (tx) => tx.unsafe(query, params),
    );
    const body = (rows[0]?.body as string | null) ?? "null";
    return new Response(body, {
      status: 200,
      headers: { "content-type": "application/json; charset=utf-8", "content-range": "0-0/*" },
    });
  } catch (e) {
    return sqlErrorAnswer(c, e, role);
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Query parameters PostgREST reads itself; every other one is a filter on a column. */
const RESERVED = new Set(["select", "limit", "offset"]);

/**
 * GET /rest/v1/<table>: the columns asked for (`select`, `*` by default), rows matching
 * `<column>=eq.<value>` filters, `limit` and `offset`, as a JSON array, run as the caller in a
 * read-only transaction: a role without the privilege gets Postgres's 42501 (401 for anon, 403
 * otherwise), RLS decides the rows. Embedding, other operators and ordering are not served here.
 */
export async function readTable(
  deps: RpcDeps,
  c: Context,
  table: string,
  claims: Claims,
): Promise<Response> {
  const role = roleOf(claims);
  if (!(await deps.lookup.table(table))) {
    return c.json(
      pgError("PGRST205", `Could not find the table 'public.${table}' in the schema cache`),
      404,
    );
  }
  const params = new URL(c.req.url).searchParams;
  const select = (params.get("select") ?? "*").split(",").map((s) => s.trim());
  if (!select.every((col) => col === "*" || IDENTIFIER.test(col))) {
    return c.json(
      pgError("PGRST100", `"failed to parse select parameter (${params.get("select")})"`),
      400,
    );
  }
  const values: string[] = [];
  const where: string[] = [];
  for (const [key, value] of params) {
    if (RESERVED.has(key)) continue;
    if (!IDENTIFIER.test(key) || !value.startsWith("eq.")) {
      return c.json(
        pgError("PGRST100", `"failed to parse filter (${value})" (line 1, column 1)`),
        400,
      );
    }
    values.push(value.slice(3));
    where.push(`${quoteIdent(key)}::text = $${values.length}`);
  }
  const count = (name: string) => {
    const raw = params.get(name);
    return raw !== null && /^\d+$/.test(raw) ? ` ${name} ${raw}` : "";
  };
  const columns = select.map((col) => (col === "*" ? "*" : quoteIdent(col))).join(", ");
  const query = `select coalesce(json_agg(t), '[]')::text as body, count(*)::int as rows
    from (select ${columns} from public.${quoteIdent(table)}
      ${where.length ? `where ${where.join(" and ")}` : ""}${count("limit")}${count("offset")}) t`;
  try {
    const rows = await withClaims(
      deps.sql,
      claims,
      { readOnly: true, request: c.req.raw },
      (tx) => tx.unsafe(query, values),
    );
    const n = Number(rows[0]?.rows ?? 0);
    return new Response(rows[0]?.body as string, {
      status: 200,
      headers: {
        "content-type": "application/json; charset=utf-8",
        "content-range": n ? `0-${n - 1}/*` : "*/*",
      },
    });
  } catch (e) {
    return sqlErrorAnswer(c, e, role);
  }
}
