/**
 * A streaming read replica of a local stack's database, behind a gateway of its own: what
 * Supabase's API load balancer endpoint is to a project with read replicas (its GETs of the Data
 * API go to a replica). Made with Debian's pg_basebackup, so PostgreSQL 15 only. Used by the load
 * tool (`npm run load -- --replica`).
 */
import postgres from "postgres";
import { createGateway } from "./gateway/app.ts";
import type { StackKeys } from "./keys.ts";
import { asPostgres, binDir, removeCluster } from "./postgres.ts";
import { freePort, run } from "./processes.ts";

export interface Replica {
  /** The gateway whose PostgREST reads the replica: set it as the function's API_READ_URL. */
  url: string;
  /** The replica's own database URL (as postgres). */
  dbUrl: string;
  /** RPC calls its gateway has served so far. */
  rpcReads(): number;
  stop(): Promise<void>;
}

/**
 * The stack's keys as its published env (.local/stack.env) carries them: enough for a gateway
 * to verify tokens and map API keys, not to sign user tokens.
 */
export function keysFromEnv(env: Record<string, string>): StackKeys {
  return {
    jwtSecret: env.SUPABASE_JWT_SECRET,
    anonKey: env.SUPABASE_ANON_KEY,
    serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY,
    publishableKey: env.SUPABASE_PUBLISHABLE_KEY,
    secretKey: env.SUPABASE_SECRET_KEY,
    jwks: JSON.parse(env.SUPABASE_JWKS),
    signingKey: {},
  };
}

/** A hot standby of the cluster at `env.SUPABASE_DB_URL`, streaming, and a gateway over it. */
export async function startReplica(
  env: Record<string, string>,
  keys = keysFromEnv(env),
): Promise<Replica> {
  if (env.STACK_PG_MAJOR === "17") {
    throw new Error("A replica needs PostgreSQL 15 (Debian's pg_basebackup): unset STACK_PG_MAJOR");
  }
  const primary = new URL(env.SUPABASE_DB_URL);
  const dir = await Deno.makeTempDir({ prefix: "jid-replica-" });
  const cleanups: (() => Promise<unknown>)[] = [() => removeCluster(dir)];
  const stop = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
    cleanups.length = 0;
  };
  try {
    if (Deno.uid() === 0) await run("chown", ["postgres:postgres", dir]);
    const port = freePort();
    await run(...asPostgres(`${binDir(15)}/pg_basebackup`, [
      ...["-h", "127.0.0.1", "-p", primary.port, "-U", "postgres"],
      ...["-D", `${dir}/data`, "-R", "-X", "stream", "--no-sync"],
    ]));
    // A hot standby needs at least the primary's max_connections (the stack runs 200).
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
    await run(...asPostgres(`${binDir(15)}/pg_ctl`, [
      ...["-D", `${dir}/data`, "-o", `${options} -c fsync=off`],
      ...["-l", `${dir}/postgres.log`, "-w", "start"],
    ]));
    const dbUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
    const admin = postgres(dbUrl, { max: 1, onnotice: () => {} });
    const sql = postgres(dbUrl.replace("postgres@", "authenticator@"), {
      max: 20,
      onnotice: () => {},
    });
    cleanups.push(() => Promise.all([admin.end(), sql.end()]));
    const [{ standby }] = await admin`select pg_is_in_recovery() as standby`;
    if (!standby) throw new Error("the replica is not in recovery");
    let reads = 0;
    const gateway = createGateway({
      sql,
      adminSql: admin,
      keys,
      storageRoot: env.STACK_STORAGE_ROOT,
      functions: new Map(),
      legacyKeys: env.STACK_LEGACY_KEYS !== "0",
      onRequest: (_method, path) => {
        if (path.startsWith("/rest/v1/rpc/")) reads++;
      },
    });
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      gateway.fetch,
    );
    cleanups.push(() => server.shutdown());
    return { url: `http://127.0.0.1:${server.addr.port}`, dbUrl, rpcReads: () => reads, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
