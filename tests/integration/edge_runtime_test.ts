// The Edge Runtime stand-in (tools/local-stack/edge_runtime.ts) honours EdgeRuntime.waitUntil
// as supabase/edge-runtime does for a user worker under its per_worker policy: the promise is
// handed back and waited for, the answer not; a stop waits for it within a bound and then fires
// `beforeunload` (reason "early_drop"); `unload` never reaches the function; a rejection is
// reported and the process goes on. Served under FUNCTION_DENO, with a tiny function
// of this test's own (not the project's), so it needs no stack.
import assert from "node:assert/strict";
import { startFunction } from "../../tools/local-stack/function_process.ts";
import { waitFor } from "../../tools/local-stack/processes.ts";

const NAME = "edge-runtime-probe";

/**
 * Each route starts one background promise of `ms` and answers at once. The function prints
 * one JSON line per event it sees, so the order of events can be read off its output.
 */
const FUNCTION = `
const say = (event, extra = {}) => console.log(JSON.stringify({ event, ...extra }));
addEventListener("drain", () => say("drain"));
addEventListener("beforeunload", (e) => say("beforeunload", { reason: e.detail?.reason }));
addEventListener("unload", () => say("unload"));
const after = (ms, then) => new Promise((resolve) => setTimeout(resolve, ms)).then(then);

Deno.serve(async (req) => {
  const url = new URL(req.url);
  const ms = Number(url.searchParams.get("ms") ?? 0);
  const id = url.searchParams.get("id");
  switch (url.pathname.split("/").pop()) {
    case "later": {
      const task = after(ms, () => say("done", { id }));
      const handedBack = EdgeRuntime.waitUntil(task) === task;
      say("answered", { id });
      return Response.json({ handedBack, notAPromise: EdgeRuntime.waitUntil(7) });
    }
    case "reject":
      EdgeRuntime.waitUntil(after(ms, () => { throw new Error("insert refused " + id); }));
      return new Response("ok");
    case "slow":
      await after(ms, () => {});
      return new Response("slow answer");
  }
  return new Response("no such route", { status: 404 });
});
`;

interface Served {
  base: string;
  origin: string;
  events: () => Record<string, unknown>[];
  /** All it wrote: its own lines and the stand-in's reports. */
  output: () => string;
  /** SIGTERM; its exit status once it has gone. */
  stop: () => Promise<Deno.CommandStatus>;
}

async function serveProbe(env: Record<string, string> = {}): Promise<Served> {
  const dir = await Deno.makeTempDir({ prefix: "edge-runtime-test-" });
  await Deno.writeTextFile(`${dir}/index.ts`, FUNCTION);
  await Deno.writeTextFile(`${dir}/deno.json`, "{}\n");
  const fn = await startFunction(
    { SUPABASE_URL: "http://127.0.0.1:9", STACK_LEGACY_KEYS: "0" },
    env,
    {
      source: { name: NAME, dir },
      memoryProbe: true,
      ready: (url, ms) =>
        waitFor("the probe function", async () => {
          const res = await fetch(`${new URL(url).origin}/_edge/memory`);
          await res.body?.cancel();
          return res.ok;
        }, ms),
    },
  );
  await Deno.remove(dir, { recursive: true });
  return {
    base: fn.url,
    origin: new URL(fn.url).origin,
    events: () =>
      fn.lines().filter(({ line }) => line.startsWith("{")).map(({ line }) => JSON.parse(line)),
    output: fn.logs,
    stop: fn.stop,
  };
}

const background = async (origin: string) =>
  (await (await fetch(`${origin}/_edge/memory`)).json()).background;

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000) {
  await waitFor(what, async () => await ok(), ms);
}

Deno.test("waitUntil hands the promise back; the answer doesn't wait for it, the worker does", async () => {
  const fn = await serveProbe();
  try {
    const res = await fetch(`${fn.base}/later?ms=1500&id=a`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { handedBack: true, notAPromise: 7 });
    // Answered while the promise is still pending: the order of events, not a timing.
    const pending = await background(fn.origin);
    assert.deepEqual([pending.pending, pending.settled], [1, 0]);
    assert.deepEqual(fn.events(), [{ event: "answered", id: "a" }]);
    await until("the background promise", () => fn.events().length === 2);
    assert.deepEqual(fn.events()[1], { event: "done", id: "a" });
    const after = await background(fn.origin);
    assert.deepEqual([after.pending, after.settled, after.rejected], [0, 1, 0]);
  } finally {
    await fn.stop();
  }
});

Deno.test("SIGTERM: answers in flight finish, pending promises are waited for, then beforeunload (early_drop) and exit 0", async () => {
  const fn = await serveProbe();
  const slow = fetch(`${fn.base}/slow?ms=1500`);
  await (await fetch(`${fn.base}/later?ms=2500&id=b`)).body?.cancel();
  await new Promise((r) => setTimeout(r, 200));
  const stopped = fn.stop();
  const answer = await slow;
  assert.equal(answer.status, 200);
  assert.equal(await answer.text(), "slow answer");
  const status = await stopped;
  assert.equal(status.code, 0);
  // What the hosted runtime dispatches to a user worker on a termination request, in order;
  // never `unload`.
  assert.deepEqual(fn.events(), [
    { event: "answered", id: "b" },
    { event: "drain" },
    { event: "done", id: "b" },
    { event: "beforeunload", reason: "early_drop" },
  ]);
  assert.doesNotMatch(fn.output(), /abandoned/);
});

Deno.test("SIGTERM: a promise still pending at the bound is abandoned, reported, exit 1, no beforeunload", async () => {
  const fn = await serveProbe({ EDGE_GRACE_SECONDS: "1" });
  await (await fetch(`${fn.base}/later?ms=60000&id=c`)).body?.cancel();
  const status = await fn.stop();
  assert.equal(status.code, 1);
  assert.deepEqual(fn.events(), [{ event: "answered", id: "c" }, { event: "drain" }]);
  assert.match(fn.output(), /stopped after 1 s with 1 background promise pending .*: abandoned/);
});

Deno.test("a background rejection is reported and the worker goes on", async () => {
  const fn = await serveProbe();
  try {
    await (await fetch(`${fn.base}/reject?ms=10&id=7`)).body?.cancel();
    await until("the rejection's report", () => /insert refused 7/.test(fn.output()));
    assert.match(
      fn.output(),
      /EdgeRuntime\.waitUntil: a background promise rejected: Error: insert refused 7/,
    );
    // Still serving.
    const res = await fetch(`${fn.base}/slow?ms=0`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "slow answer");
    const stats = await background(fn.origin);
    assert.deepEqual([stats.rejected, stats.settled, stats.pending], [1, 1, 0]);
  } finally {
    await fn.stop();
  }
});

Deno.test("a promise pending past the wall-clock limit is reported once", async () => {
  const fn = await serveProbe({ EDGE_WALL_CLOCK_SECONDS: "1" });
  try {
    await (await fetch(`${fn.base}/later?ms=3500&id=e`)).body?.cancel();
    await until("the wall-clock report", () => /past the wall-clock limit/.test(fn.output()));
    await until("the promise", () => fn.events().some((e) => e.event === "done"));
    assert.equal(fn.output().match(/past the wall-clock limit \(1 s\)/g)?.length, 1);
  } finally {
    await fn.stop();
  }
});
