import assert from "node:assert/strict";
import { createBackgroundTasks } from "../../tools/local-stack/edge_background.ts";

/** A promise with its resolve and reject, for settling by hand. */
function deferred() {
  let resolve!: (v?: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("waitUntil hands back what it is given and counts promises until they settle", async () => {
  const lines: string[] = [];
  const tasks = createBackgroundTasks({ wallClockMs: 150_000, report: (l) => lines.push(l) });
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
  assert.equal(tasks.stats().pending, 2);
  a.resolve();
  b.reject(new Error("insert refused"));
  await tick();
  const { pending, settled, rejected } = tasks.stats();
  assert.deepEqual({ pending, settled, rejected }, { pending: 0, settled: 2, rejected: 1 });
});

Deno.test("a rejection is reported once, in one line, with the hosted runtime's consequence", async () => {
  const lines: string[] = [];
  const tasks = createBackgroundTasks({ wallClockMs: 1000, report: (l) => lines.push(l) });
  tasks.waitUntil(Promise.resolve("written"));
  // Rejected before the stand-in saw it, and nothing else handles it: no unhandled rejection.
  tasks.waitUntil(Promise.reject(new Error("insert refused")));
  await tick();
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    /^EdgeRuntime\.waitUntil: a background promise rejected: Error: insert refused/,
  );
  assert.match(lines[0], /event loop error: Uncaught \(in promise\)/);
  assert.doesNotMatch(lines[0], /\n(?!\s+at )/, "one line, but for the error's stack");
});

Deno.test("a promise pending past the wall-clock limit is reported once; its age and the oldest are kept", () => {
  let t = 0;
  const lines: string[] = [];
  const tasks = createBackgroundTasks({
    wallClockMs: 150_000,
    report: (l) => lines.push(l),
    now: () => t,
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
    rejected: 0,
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
