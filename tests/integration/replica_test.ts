// Reads served by a read replica (the API load balancer's GETs): a session created a moment ago
// on the primary, which the replica hasn't replayed yet, is not refused: the replica says so
// (PT409) and the function asks the primary. A streaming replica of the stack's own database,
// its replay paused to hold the lag, behind a second gateway as the load balancer's endpoint.
// Needs the local stack's cluster and Debian's pg_basebackup (PostgreSQL 15).
import assert from "node:assert/strict";
import postgres from "postgres";
import { createGateway } from "../../tools/local-stack/gateway/app.ts";
import type { StackKeys } from "../../tools/local-stack/keys.ts";
import { type FunctionProcess, startFunction } from "../../tools/local-stack/function_process.ts";
import { asPostgres, binDir, removeCluster } from "../../tools/local-stack/postgres.ts";
import { freePort, run, waitFor } from "../../tools/local-stack/processes.ts";
import { apiKey, getDetails, SEED, stack } from "../support/stack.ts";
import { startProxy } from "../support/upstream_proxy.ts";

const local = Boolean(stack.STACK_DB_DIR) && stack.STACK_PG_MAJOR !== "17" &&
  Deno.env.get("REAL_STACK") !== "1";

async function signInFresh(email: string): Promise<string> {
  const res = await fetch(`${stack.SUPABASE_URL}/auth/v1/token?grant_type=password`, {
    method: "POST",
    headers: { apikey: apiKey, "content-type": "application/json" },
    body: JSON.stringify({ email, password: "password" }),
  });
  return (await res.json()).access_token;
}

Deno.test({
  name:
    "a session the replica hasn't replayed yet reads (the primary is asked); one signed out there is refused once replayed",
  ignore: !local,
  fn: async () => {
    const primaryUrl = new URL(stack.SUPABASE_DB_URL);
    const dir = await Deno.makeTempDir({ prefix: "jid-replica-" });
    if (Deno.uid() === 0) await run("chown", ["postgres:postgres", dir]);
    const port = freePort();
    const cleanups: (() => Promise<unknown>)[] = [];
    try {
      await run(...asPostgres(`${binDir(15)}/pg_basebackup`, [
        "-h",
        "127.0.0.1",
        "-p",
        primaryUrl.port,
        "-U",
        "postgres",
        "-D",
        `${dir}/data`,
        "-R",
        "-X",
        "stream",
        "--no-sync",
      ]));
      await run(...asPostgres(`${binDir(15)}/pg_ctl`, [
        "-D",
        `${dir}/data`,
        "-o",
        // A hot standby needs at least the primary's max_connections (the stack runs 200).
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off`,
        "-l",
        `${dir}/postgres.log`,
        "-w",
        "start",
      ]));
      cleanups.push(() => removeCluster(dir));
      const replicaAdmin = postgres(`postgresql://postgres@127.0.0.1:${port}/postgres`, {
        max: 1,
        onnotice: () => {},
      });
      const replica = postgres(`postgresql://authenticator@127.0.0.1:${port}/postgres`, {
        max: 4,
        onnotice: () => {},
      });
      const primary = postgres(stack.SUPABASE_DB_URL, { max: 1, onnotice: () => {} });
      cleanups.push(() => Promise.all([replicaAdmin.end(), replica.end(), primary.end()]));
      const [{ standby }] = await replicaAdmin`select pg_is_in_recovery() as standby`;
      assert.equal(standby, true, "a hot standby");

      // The load balancer's endpoint: a gateway whose PostgREST reads the replica.
      const keys = {
        jwtSecret: stack.SUPABASE_JWT_SECRET,
        anonKey: stack.SUPABASE_ANON_KEY,
        serviceRoleKey: stack.SUPABASE_SERVICE_ROLE_KEY,
        publishableKey: stack.SUPABASE_PUBLISHABLE_KEY,
        secretKey: stack.SUPABASE_SECRET_KEY,
        jwks: JSON.parse(stack.SUPABASE_JWKS),
        signingKey: {},
      } as StackKeys;
      const replicaHits: string[] = [];
      const gateway = createGateway({
        sql: replica,
        adminSql: replicaAdmin,
        keys,
        storageRoot: dir,
        functions: new Map(),
        onRequest: (method, path) => replicaHits.push(`${method} ${path}`),
        legacyKeys: stack.STACK_LEGACY_KEYS !== "0",
      });
      const server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen: () => {} },
        gateway.fetch,
      );
      cleanups.push(() => server.shutdown());
      const primaryProxy = startProxy();
      cleanups.push(() => primaryProxy.stop());
      const fn: FunctionProcess = await startFunction(stack, {
        SUPABASE_URL: primaryProxy.url,
        API_READ_URL: `http://127.0.0.1:${server.addr.port}`,
      });
      cleanups.push(() => fn.stop());
      const read = async (token: string) => {
        replicaHits.length = 0;
        primaryProxy.requests.length = 0;
        const res = await getDetails({ interview_result_id: SEED.submitted }, {
          token,
          base: fn.url,
        });
        await res.body?.cancel();
        return {
          status: res.status,
          // The reads; a 200's access record, a write, goes to the primary after the answer.
          replica: replicaHits.filter((h) => h.includes("/rpc/interview_transcript")).length,
          primary: primaryProxy.requests.filter((h) => h.includes("/rpc/interview_transcript"))
            .length,
        };
      };

      const caughtUp = async () => {
        // The insert position: with synchronous_commit off (the stack's), a commit can be ahead
        // of what has been written.
        const [{ lsn }] = await primary`select pg_current_wal_insert_lsn()::text as lsn`;
        await waitFor("the replica to catch up", async () => {
          const [{ behind }] =
            await replicaAdmin`select pg_last_wal_replay_lsn() < ${lsn}::pg_lsn as behind`;
          return !behind;
        });
      };
      const old = await signInFresh(SEED.users.emeaRecruiter);
      await caughtUp();
      assert.deepEqual(
        await read(old),
        { status: 200, replica: 1, primary: 0 },
        "a replayed session reads on the replica",
      );

      await replicaAdmin`select pg_wal_replay_pause()`;
      const fresh = await signInFresh(SEED.users.emeaRecruiter);
      assert.deepEqual(
        await read(fresh),
        { status: 200, replica: 1, primary: 1 },
        "a session the replica hasn't seen: the replica says so, the primary answers",
      );

      const signOut = await fetch(`${stack.SUPABASE_URL}/auth/v1/logout?scope=local`, {
        method: "POST",
        headers: { apikey: apiKey, authorization: `Bearer ${old}` },
      });
      assert.equal(signOut.status, 204);
      assert.equal(
        (await read(old)).status,
        200,
        "while replay is paused, the replica's lag shows",
      );

      await replicaAdmin`select pg_wal_replay_resume()`;
      await caughtUp();
      assert.deepEqual(
        await read(old),
        { status: 401, replica: 1, primary: 1 },
        "once replayed: unknown to the replica, ended on the primary",
      );
    } finally {
      for (const fn of cleanups.reverse()) await fn().catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
