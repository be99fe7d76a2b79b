/** Runs queries as the platform's services do: as the JWT's role, with its claims, in one transaction. */
import type postgres from "postgres";
import type { Claims } from "./jwt.ts";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

export function roleOf(claims: Claims): string {
  return typeof claims.role === "string" ? claims.role : "anon";
}

export async function withClaims<T>(
  sql: Sql,
  claims: Claims,
  options: { readOnly: boolean; request?: Request },
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  const req = options.request;
  return await sql.begin(options.readOnly ? "read only" : "read write", async (tx) => {
    await tx.unsafe(
      `select set_config('search_path', 'public, extensions', true),
        set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
        set_config('request.method', $3, true), set_config('request.path', $4, true),
        set_config('request.headers', $5, true)`,
      [
        roleOf(claims),
        JSON.stringify(claims),
        req?.method ?? "",
        req ? new URL(req.url).pathname : "",
        req ? JSON.stringify(Object.fromEntries(req.headers)) : "{}",
      ],
    );
    return await fn(tx);
  }) as T;
}
