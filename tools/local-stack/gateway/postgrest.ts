/**
 * `/rest/v1/rpc/:fn` with PostgREST's semantics: JWT verified, role and claims set with
 * set_config(..., true) in one transaction, READ ONLY for stable functions, the function's JSON
 * passed through untouched, SQLSTATE mapped to HTTP status with a {code, message, details, hint}
 * body.
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

/**
 * Loads `public` functions once, like PostgREST's schema cache, and reloads them on
 * `NOTIFY pgrst, 'reload schema'` as PostgREST does.
 */
export function createSchemaCache(sql: Sql) {
  let cache: Promise<Map<string, RpcFunction[]>> | undefined;
  sql.listen("pgrst", (payload) => {
    if (payload === "" || payload === "reload schema") cache = undefined;
  }).catch(() => {});
  return function lookup(name: string): Promise<RpcFunction[]> {
    cache ??= sql<
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
    `.then((rows) => {
      const map = new Map<string, RpcFunction[]>();
      for (const r of rows) {
        const fn: RpcFunction = {
          schema: "public",
          name: r.name,
          argNames: (r.arg_names ?? []).slice(0, r.nargs),
          argTypes: r.arg_types,
          requiredArgs: r.nargs - r.ndefaults,
          volatile: r.volatility === "v",
          returnsSet: r.retset,
        };
        map.set(r.name, [...(map.get(r.name) ?? []), fn]);
      }
      return map;
    });
    return cache.then((m) => m.get(name) ?? []);
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
  lookup: (name: string) => Promise<RpcFunction[]>;
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
  const fn = pick(await deps.lookup(fnName), keys);
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
    const err = e as postgres.PostgresError;
    if (!err.code) throw e;
    return c.json(
      pgError(err.code, err.message, err.detail ?? null, err.hint ?? null),
      statusForSqlState(err.code, role) as 400,
    );
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
