// The load tool's replica (tools/local-stack/replica.ts, `npm run load -- --replica`): a hot
// standby of the stack's database that streams from it, behind a gateway whose RPC reads it.
// Needs the local stack's cluster and Debian's pg_basebackup (PostgreSQL 15).
import assert from "node:assert/strict";
import postgres from "postgres";
import { startReplica } from "../../tools/local-stack/replica.ts";
import { apiKey, SEED, signIn, stack } from "../support/stack.ts";

const local = Boolean(stack.STACK_DB_DIR) && stack.STACK_PG_MAJOR !== "17" &&
  Deno.env.get("REAL_STACK") !== "1";

Deno.test({
  name: "startReplica: a streaming hot standby, and a gateway that serves the RPC from it",
  ignore: !local,
  fn: async () => {
    const replica = await startReplica(stack);
    const primary = postgres(stack.SUPABASE_DB_URL, { max: 1, onnotice: () => {} });
    const standby = postgres(replica.dbUrl, { max: 1, onnotice: () => {} });
    try {
      const [{ recovery }] = await standby`select pg_is_in_recovery() as recovery`;
      assert.equal(recovery, true);
      // A session made now on the primary: the RPC checks it, so the replica must have it.
      const token = await signIn(SEED.users.emeaRecruiter);
      // Streaming: it replays up to where the primary is now.
      const [{ lsn }] = await primary`select pg_current_wal_insert_lsn()::text as lsn`;
      let caughtUp = false;
      for (let i = 0; i < 100 && !caughtUp; i++) {
        [{ caughtUp }] = await standby`
          select pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn as "caughtUp"`;
        if (!caughtUp) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(caughtUp, true, "the replica replays the primary's WAL");
      // The same answer as the primary's gateway gives.
      const rpc = `/rest/v1/rpc/interview_transcript?p_interview_result_id=${SEED.submitted}`;
      const headers = { apikey: apiKey, authorization: `Bearer ${token}` };
      const res = await fetch(`${replica.url}${rpc}`, { headers });
      assert.equal(res.status, 200);
      const fromPrimary = await fetch(`${stack.SUPABASE_URL}${rpc}`, { headers });
      assert.deepEqual(await res.json(), await fromPrimary.json());
      assert.equal(replica.rpcReads(), 1);
    } finally {
      await Promise.all([primary.end(), standby.end()]);
      await replica.stop();
    }
  },
});
