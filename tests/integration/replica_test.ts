// Reads served by a read replica (the API load balancer's GETs), against a real streaming replica
// of the stack's own database behind a second gateway (the load balancer's endpoint), its replay
// paused to hold the lag:
// - a session created a moment ago on the primary, which the replica hasn't replayed yet, is not
//   refused: the replica says so (PT409, HTTP 409) and the function asks the primary;
// - a session signed out on the primary still reads through the replica until the replica has
//   replayed the sign-out (the replica's lag after a sign-out), and is refused (401 "The session
//   has ended") as soon as it has: the replica then says PT409 and the primary says PT401.
// With replay running, it prints the time from a sign-out to the first refusal: a figure, not an
// assertion. Needs the local stack's cluster and Debian's pg_basebackup (PostgreSQL 15).
import assert from "node:assert/strict";
import { decodeJwt } from "jose";
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

/** The contract's 401 for a token whose session has ended (written here, not imported). */
const ENDED = { error: "The session has ended: sign in again." };
/** The replica's answer for a session it hasn't seen, as PostgREST sends a PT409. */
const REPLICA_BEHIND = {
  code: "PT409",
  message: "This replica has not seen the session; ask the primary.",
};

async function signInFresh(email: string): Promise<string> {
  const res = await fetch(`${stack.SUPABASE_URL}/auth/v1/token?grant_type=password`, {
    method: "POST",
    headers: { apikey: apiKey, "content-type": "application/json" },
    body: JSON.stringify({ email, password: "password" }),
  });
  return (await res.json()).access_token;
}

async function signOut(token: string): Promise<void> {
  const res = await fetch(`${stack.SUPABASE_URL}/auth/v1/logout?scope=local`, {
    method: "POST",
    headers: { apikey: apiKey, authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 204, await res.text());
}

/**
 * Waits on the replica: an insert position at a page's start is reached only with the next
 * record, which an idle primary writes within 15 s (its running-transactions snapshot).
 */
const REPLAY_WAIT_MS = 30_000;
/** Sign-outs timed with replay running, for each way of committing. */
const SIGN_OUTS = 5;

const sessionOf = (token: string) => String(decodeJwt(token).session_id);

Deno.test({
  name: "a replica: a session it hasn't replayed reads (the primary is asked); " +
    "one signed out reads until the replica replays the sign-out, then is refused",
  ignore: !local,
  fn: async (t) => {
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
      const replicaApi = `http://127.0.0.1:${server.addr.port}`;
      const primaryProxy = startProxy();
      cleanups.push(() => primaryProxy.stop());
      const fn: FunctionProcess = await startFunction(stack, {
        SUPABASE_URL: primaryProxy.url,
        API_READ_URL: replicaApi,
      });
      cleanups.push(() => fn.stop());

      /** One read through the function: its status (and error), and which databases ran the RPC. */
      const read = async (token: string) => {
        replicaHits.length = 0;
        primaryProxy.requests.length = 0;
        const res = await getDetails({ interview_result_id: SEED.submitted }, {
          token,
          base: fn.url,
        });
        const error = res.status === 200 ? (await res.body?.cancel(), undefined) : await res.json();
        return {
          status: res.status,
          ...(error === undefined ? {} : { error }),
          // The reads; a 200's access record, a write, goes to the primary after the answer.
          replica: replicaHits.filter((h) => h.includes("/rpc/interview_transcript")).length,
          primary: primaryProxy.requests.filter((h) => h.includes("/rpc/interview_transcript"))
            .length,
        };
      };
      /** The RPC asked of the replica alone, as the function asks it first. */
      const askReplica = async (token: string) => {
        const query = new URLSearchParams({ p_interview_result_id: SEED.submitted });
        const res = await fetch(`${replicaApi}/rest/v1/rpc/interview_transcript?${query}`, {
          headers: { apikey: apiKey, authorization: `Bearer ${token}` },
        });
        const body = await res.json();
        return { status: res.status, code: body?.code, message: body?.message };
      };
      // The insert position: with synchronous_commit off (the stack's), a commit can be ahead of
      // what has been written.
      const primaryLsn = async () =>
        (await primary`select pg_current_wal_insert_lsn()::text as lsn`)[0].lsn as string;
      const replayed = async (lsn: string) =>
        (await replicaAdmin`select pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn as done`)[0]
          .done as boolean;
      const caughtUp = async () => {
        const lsn = await primaryLsn();
        await waitFor("the replica to catch up", () => replayed(lsn), REPLAY_WAIT_MS);
      };
      /** Whether a session row is in auth.sessions on the primary and on the replica. */
      const sessionRow = async (token: string) => {
        const id = sessionOf(token);
        const [p] = await primary`select count(*)::int as n from auth.sessions where id = ${id}`;
        const [r] =
          await replicaAdmin`select count(*)::int as n from auth.sessions where id = ${id}`;
        return { primary: p.n, replica: r.n };
      };

      const old = await signInFresh(SEED.users.emeaRecruiter);
      await caughtUp();
      await t.step("a replayed session reads on the replica alone", async () => {
        assert.deepEqual(await read(old), { status: 200, replica: 1, primary: 0 });
      });

      await replicaAdmin`select pg_wal_replay_pause()`;
      await t.step(
        "a session the replica hasn't seen: PT409 there, the primary answers",
        async () => {
          const fresh = await signInFresh(SEED.users.emeaRecruiter);
          assert.deepEqual(await sessionRow(fresh), { primary: 1, replica: 0 });
          assert.deepEqual(await askReplica(fresh), { status: 409, ...REPLICA_BEHIND });
          assert.deepEqual(await read(fresh), { status: 200, replica: 1, primary: 1 });
        },
      );

      let signOutLsn = "";
      await t.step(
        "signed out on the primary, it reads through the replica until replayed",
        async () => {
          const [{ before }] = await primary`select clock_timestamp() as before`;
          await signOut(old);
          signOutLsn = await primaryLsn();
          // Received, not replayed: what holds the session on the replica is its replay.
          await waitFor("the replica to receive the sign-out", async () => {
            const [{ received }] = await replicaAdmin`
            select pg_last_wal_receive_lsn() >= ${signOutLsn}::pg_lsn as received`;
            return received;
          }, REPLAY_WAIT_MS);
          assert.deepEqual(await sessionRow(old), { primary: 0, replica: 1 });
          assert.deepEqual(await read(old), { status: 200, replica: 1, primary: 0 });
          const [lag] = await replicaAdmin`
          select pg_is_wal_replay_paused() as paused,
            pg_last_xact_replay_timestamp() as last_replayed,
            extract(epoch from now() - pg_last_xact_replay_timestamp()) * 1000 as lag_ms,
            pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint
              as unreplayed_bytes`;
          assert.equal(lag.paused, true);
          assert.ok(lag.last_replayed < before, "the replica's last replayed commit precedes it");
          assert.ok(Number(lag.unreplayed_bytes) > 0, "received WAL not replayed");
          console.log(
            `replay paused: a signed-out session reads through the replica (200); the replica's ` +
              `replay lag as Postgres reports it: now() - pg_last_xact_replay_timestamp() = ` +
              `${Number(lag.lag_ms).toFixed(0)} ms, ${lag.unreplayed_bytes} bytes received and ` +
              `not replayed`,
          );
        },
      );

      await replicaAdmin`select pg_wal_replay_resume()`;
      await t.step("refused (401) as soon as the replica has replayed the sign-out", async () => {
        await waitFor(
          "the replica to replay the sign-out",
          () => replayed(signOutLsn),
          REPLAY_WAIT_MS,
        );
        assert.deepEqual(await sessionRow(old), { primary: 0, replica: 0 });
        // The replica can't tell an ended session from one it hasn't seen: the primary decides.
        assert.deepEqual(await askReplica(old), { status: 409, ...REPLICA_BEHIND });
        assert.deepEqual(await read(old), { status: 401, error: ENDED, replica: 1, primary: 1 });
      });

      /**
       * Signs a fresh session out with replay running and reads through the function until the
       * first refusal: the time from the sign-out's 204, and how many reads still found it. The
       * stack's primary runs synchronous_commit=off, which leaves a commit unflushed (and so
       * unsent to the replica) for up to 3 x wal_writer_delay (200 ms); under Postgres's
       * default, on, a commit is flushed before it answers. `flush` flushes the sign-out at once,
       * as that default would.
       */
      const signOutToRefusal = async (flush: boolean) => {
        const token = await signInFresh(SEED.users.emeaRecruiter);
        await caughtUp();
        assert.deepEqual(await read(token), { status: 200, replica: 1, primary: 0 });
        await signOut(token);
        const signedOut = performance.now();
        if (flush) {
          await primary.begin(async (tx) => {
            await tx`set local synchronous_commit = on`;
            // A commit that wrote WAL waits for its flush, and so for all WAL before it.
            await tx`select pg_logical_emit_message(true, 'jid-replica-test', 'flush')`;
          });
        }
        let stillRead = 0;
        let last = await read(token);
        while (last.status === 200 && performance.now() - signedOut < 15_000) {
          stillRead++;
          last = await read(token);
        }
        const ms = performance.now() - signedOut;
        assert.deepEqual(last, { status: 401, error: ENDED, replica: 1, primary: 1 });
        return { ms, stillRead };
      };
      await t.step(
        "with replay running: the time from a sign-out to the first refusal",
        async () => {
          for (const flush of [true, false]) {
            const figures = [];
            for (let i = 0; i < SIGN_OUTS; i++) figures.push(await signOutToRefusal(flush));
            const ms = figures.map((f) => f.ms).sort((a, b) => a - b);
            console.log(
              `replay running, ${
                flush ? "the sign-out flushed at once" : "the stack's synchronous_commit=off"
              }: from the sign-out's 204 to the first 401, median ` +
                `${ms[SIGN_OUTS >> 1].toFixed(0)} ms, max ${ms.at(-1)!.toFixed(0)} ms over ` +
                `${SIGN_OUTS} sign-outs; reads still 200 in between: ` +
                figures.map((f) => f.stillRead).join(", "),
            );
          }
        },
      );
    } finally {
      for (const fn of cleanups.reverse()) await fn().catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
