import assert from "node:assert/strict";
import {
  createBackgroundTasks,
  promiseHookWatch,
  thenWatch,
} from "../../tools/local-stack/edge_background.ts";

/** A promise with its resolve and reject, for settling by hand. */
function deferred() {
  let resolve!: (v?: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

for (const [name, watch] of [["promise hook", promiseHookWatch], [".then", thenWatch]] as const) {
  Deno.test(`waitUntil (${name}): hands back what it is given and counts promises until they settle`, async () => {
    const tasks = createBackgroundTasks({ wallClockMs: 150_000, report: () => {}, watch });
    const a = deferred();
    const b = deferred();
    assert.equal(tasks.waitUntil(a.promise), a.promise);
    assert.equal(tasks.waitUntil(b.promise), b.promise);
    // Not a promise: handed back, not counted (the hosted runtime checks `instanceof Promise`).
    const thenable = { then() {} };
    assert.equal(tasks.waitUntil(thenable), thenable);
    assert.equal(tasks.waitUntil(42), 42);
    // The same promise twice is one task.
    tasks.waitUntil(a.promise);
    assert.deepEqual(tasks.stats().pending, 2);
    a.resolve();
    b.promise.catch(() => {});
    b.reject(new Error("handled by the caller"));
    await tick();
    const { pending, settled, unhandled } = tasks.stats();
    assert.deepEqual({ pending, settled, unhandled }, { pending: 0, settled: 2, unhandled: 0 });
  });
}

Deno.test("a rejection nothing handled is claimed only for a promise given to waitUntil, and reported", () => {
  const lines: string[] = [];
  const tasks = createBackgroundTasks({ wallClockMs: 1000, report: (l) => lines.push(l) });
  const given = Promise.resolve();
  const other = Promise.resolve();
  tasks.waitUntil(given);
  assert.equal(tasks.claimUnhandled(other, new Error("not ours")), false);
  assert.equal(lines.length, 0);
  assert.equal(tasks.claimUnhandled(given, new Error("insert refused")), true);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^EdgeRuntime\.waitUntil: a background promise rejected/);
  assert.match(lines[0], /Error: insert refused/);
  assert.match(lines[0], /event loop error: Uncaught \(in promise\)/);
  assert.equal(tasks.stats().unhandled, 1);
});

Deno.test("a promise pending past the wall-clock limit is reported once; its age and the oldest are kept", () => {
  let t = 0;
  const lines: string[] = [];
  const tasks = createBackgroundTasks({
    wallClockMs: 150_000,
    report: (l) => lines.push(l),
    now: () => t,
    watch: thenWatch,
  });
  tasks.waitUntil(new Promise(() => {}));
  t = 100_000;
  tasks.waitUntil(new Promise(() => {}));
  t = 149_999;
  tasks.checkOverdue();
  assert.equal(lines.length, 0);
  assert.deepEqual(tasks.stats(), {
    pending: 2,
    settled: 0,
    unhandled: 0,
    oldest_ms: 149_999,
    overdue: 0,
  });
  t = 150_000;
  tasks.checkOverdue();
  tasks.checkOverdue();
  assert.equal(lines.length, 1);
  assert.match(lines[0], /still pending after 150 s, past the wall-clock limit \(150 s\)/);
  t = 250_000;
  tasks.checkOverdue();
  assert.equal(lines.length, 2);
  assert.match(lines[1], /still pending after 150 s/);
  assert.equal(tasks.stats().overdue, 2);
});
