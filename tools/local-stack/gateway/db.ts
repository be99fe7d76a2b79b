/**
 * Runs queries as PostgREST and Storage do (Query/PreQuery.hs `txVarQuery`): as the token's role,
 * in one transaction whose settings carry the claims (with `role` added), the method, the path as
 * the service sees it (after the gateway's `/rest/v1` or `/storage/v1`), the headers (names in
 * lower case, the cookie apart) and the cookies.
 */
import type postgres from "postgres";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

/** The role a token's claims run as: its `role`, else the anon role. */
export function roleOf(claims: Record<string, unknown>): string {
  return typeof claims.role === "string" ? claims.role : "anon";
}

function cookies(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (header ?? "").split(";")) {
    const i = pair.indexOf("=");
    if (i > 0) out[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  return out;
}

export async function withClaims<T>(
  sql: Sql,
  who: { role: string; claims: Record<string, unknown> },
  options: { readOnly: boolean; request?: Request },
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  const req = options.request;
  const headers = req ? Object.fromEntries([...req.headers].filter(([k]) => k !== "cookie")) : {};
  const path = req ? new URL(req.url).pathname.replace(/^\/(rest|storage)\/v1(?=\/)/, "") : "";
  return await sql.begin(options.readOnly ? "read only" : "read write", async (tx) => {
    await tx.unsafe(
      `select set_config('search_path', 'public, public, extensions', true),
        set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
        set_config('request.method', $3, true), set_config('request.path', $4, true),
        set_config('request.headers', $5, true), set_config('request.cookies', $6, true)`,
      [
        who.role,
        JSON.stringify({ ...who.claims, role: who.role }),
        req?.method ?? "",
        path,
        JSON.stringify(headers),
        JSON.stringify(cookies(req?.headers.get("cookie") ?? null)),
      ],
    );
    return await fn(tx);
  }) as T;
}
