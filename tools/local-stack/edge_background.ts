/**
 * `EdgeRuntime.waitUntil` as supabase/edge-runtime's user workers have it
 * (ext/runtime/js/async_hook.js, namespaces.js): `waitUntil(p)` hands `p` back, and a Promise is
 * counted as pending until it settles. Used by the Edge Runtime stand-in (edge_runtime.ts);
 * never deployed.
 *
 * The hosted runtime watches settlement with a V8 promise hook, so a promise given to it that
 * rejects with nothing handling it stays an unhandled rejection there, and ends the worker. Here
 * each promise is watched with a `.then` of its own, which handles it: every rejection is
 * reported instead (also one the function handles itself), and the process goes on. No global
 * `unhandledrejection` listener and no promise hook: the stand-in changes nothing for a function
 * that doesn't call waitUntil, and costs nothing per promise (the hosted hook runs for every
 * promise of every worker: about 150 ns each under Deno 2.1.4, measured with 1M promises).
 */

export interface BackgroundStats {
  /** Promises given to waitUntil that have not settled. */
  pending: number;
  /** Promises given to waitUntil that have settled (fulfilled or rejected). */
  settled: number;
  /** Of those, the rejected ones (each reported). */
  rejected: number;
  /** How long the oldest pending one has been waited for, in ms (0 when none). */
  oldest_ms: number;
  /** Pending ones past the wall-clock limit: the hosted worker would have ended by now. */
  overdue: number;
}

export interface BackgroundTasks {
  /** `EdgeRuntime.waitUntil`: returns what it was given; a Promise is tracked until settled. */
  waitUntil<T>(promise: T): T;
  stats(): BackgroundStats;
  /** Reports each pending promise that has just gone past the wall-clock limit, once. */
  checkOverdue(): void;
}

export interface BackgroundOptions {
  /** The hosted wall-clock limit (150 s free, 400 s paid): no worker lives longer. */
  wallClockMs: number;
  /** Where reports go (one line each). */
  report: (line: string) => void;
  now?: () => number;
}

export function createBackgroundTasks(options: BackgroundOptions): BackgroundTasks {
  const now = options.now ?? (() => performance.now());
  /** Pending promises, with when each was given. Insertion order: the oldest first. */
  const pending = new Map<Promise<unknown>, number>();
  const overdue = new WeakSet<Promise<unknown>>();
  let settled = 0;
  let rejected = 0;
  const age = (since: number) => Math.round(now() - since);
  const done = (p: Promise<unknown>) => {
    if (pending.delete(p)) settled++;
  };
  return {
    waitUntil(promise) {
      if (promise instanceof Promise && !pending.has(promise)) {
        const p: Promise<unknown> = promise;
        pending.set(p, now());
        p.then(() => done(p), (reason) => {
          rejected++;
          options.report(
            `EdgeRuntime.waitUntil: a background promise rejected: ${describe(reason)} (where ` +
              `nothing handles it the hosted runtime ends the worker, "event loop error: ` +
              `Uncaught (in promise)", and requests in flight on it fail; this stand-in goes on)`,
          );
          done(p);
        });
      }
      return promise;
    },
    stats() {
      const first = pending.values().next();
      let late = 0;
      for (const since of pending.values()) if (now() - since >= options.wallClockMs) late++;
      return {
        pending: pending.size,
        settled,
        rejected,
        oldest_ms: first.done ? 0 : age(first.value),
        overdue: late,
      };
    },
    checkOverdue() {
      for (const [p, since] of pending) {
        if (now() - since < options.wallClockMs) break;
        if (overdue.has(p)) continue;
        overdue.add(p);
        options.report(
          `EdgeRuntime.waitUntil: a background promise is still pending after ${
            Math.round(age(since) / 1000)
          } s, past the wall-clock limit (${
            Math.round(options.wallClockMs / 1000)
          } s): the hosted runtime would have ended the worker, and the promise with it`,
        );
      }
    },
  };
}

function describe(reason: unknown): string {
  if (reason instanceof Error) return reason.stack ?? `${reason.name}: ${reason.message}`;
  try {
    return typeof reason === "string" ? reason : JSON.stringify(reason) ?? String(reason);
  } catch {
    return String(reason);
  }
}
