// The stand-in runs a stable function in a READ ONLY transaction and a volatile one read-write,
// as PostgREST does; new functions appear after `NOTIFY pgrst, 'reload schema'`. Needs the
// database URL (in .local/stack.env; `supabase status` shows it for a real stack).
import assert from "node:assert/strict";
import postgres from "postgres";
import { serviceHeaders, stack } from "../support/stack.ts";

Deno.test({
  name: "POST /rest/v1/rpc: stable → read only (25006 → 405), volatile → read-write (200)",
  ignore: !stack.SUPABASE_DB_URL,
  fn: async () => {
    const db = postgres(stack.SUPABASE_DB_URL, { max: 1, onnotice: () => {} });
    try {
      await db.unsafe(`
        create sequence if not exists public.jid_probe_seq;
        grant usage on sequence public.jid_probe_seq to service_role;
        create or replace function public.jid_probe_stable() returns bigint language plpgsql stable
          as $$ begin return nextval('public.jid_probe_seq'); end $$;
        create or replace function public.jid_probe_volatile() returns bigint language plpgsql volatile
          as $$ begin return nextval('public.jid_probe_seq'); end $$;
        notify pgrst, 'reload schema';`);
      const call = async (fn: string) => {
        const res = await fetch(`${stack.SUPABASE_URL}/rest/v1/rpc/${fn}`, {
          method: "POST",
          headers: { ...serviceHeaders, "content-type": "application/json" },
          body: "{}",
        });
        return { status: res.status, body: await res.json() };
      };
      // The schema cache reloads asynchronously after the notification.
      let stable = await call("jid_probe_stable");
      for (let i = 0; i < 40 && stable.status === 404; i++) {
        await new Promise((r) => setTimeout(r, 50));
        stable = await call("jid_probe_stable");
      }
      assert.equal(stable.status, 405);
      assert.equal(
        stable.body.code,
        "25006",
        "cannot execute nextval() in a read-only transaction",
      );
      const volatile = await call("jid_probe_volatile");
      assert.equal(volatile.status, 200);
      assert.equal(typeof volatile.body, "number");
      // GET, as the function calls its RPC: read only whatever the volatility, so a volatile
      // function that writes fails in Postgres (PostgREST runs it; Plan.hs `callReadPlan`).
      const get = async (fn: string) => {
        const res = await fetch(`${stack.SUPABASE_URL}/rest/v1/rpc/${fn}`, {
          headers: serviceHeaders,
        });
        return { status: res.status, body: await res.json() };
      };
      assert.deepEqual(
        [(await get("jid_probe_stable")).status, (await get("jid_probe_stable")).body.code],
        [405, "25006"],
      );
      assert.deepEqual(
        [(await get("jid_probe_volatile")).status, (await get("jid_probe_volatile")).body.code],
        [405, "25006"],
      );
    } finally {
      await db.unsafe(`
        drop function if exists public.jid_probe_stable();
        drop function if exists public.jid_probe_volatile();
        drop sequence if exists public.jid_probe_seq;
        notify pgrst, 'reload schema';`);
      await db.end();
    }
  },
});
