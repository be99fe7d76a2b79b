/**
 * `EdgeRuntime.waitUntil` as supabase/edge-runtime's user workers have it
 * (ext/runtime/js/async_hook.js, namespaces.js): `waitUntil(p)` hands `p` back, and a Promise is
 * counted as pending until it settles. The hosted runtime watches settlement with a V8 promise
 * hook rather than a `.then`, so a promise given to it that rejects with nothing handling it is
 * still an unhandled rejection; this does the same where Deno exposes the hook (2.1.4 and 2.9.6
 * do). Used by the Edge Runtime stand-in (edge_runtime.ts); never deployed.
 */

export interface BackgroundStats {
  /** Promises given to waitUntil that have not settled. */
  pending: number;
  /** Promises given to waitUntil that have settled (fulfilled or rejected). */
  settled: number;
  /** Of those, rejections nothing handled (the hosted runtime ends the worker on one). */
  unhandled: number;
  /** How long the oldest pending one has been waited for, in ms (0 when none). */
  oldest_ms: number;
  /** Pending ones past the wall-clock limit: the hosted worker would have ended by now. */
  overdue: number;
}

/** How settlement is watched: the promise hook, or (without one) a `.then` on each promise. */
export type Watch = (onSettled: (p: Promise<unknown>) => void) => {
  /** Called once per promise given to waitUntil. */
  add(p: Promise<unknown>): void;
};

/**
 * V8's resolve hook, as the hosted runtime installs it: called for every promise that settles in
 * the isolate, so it is installed only once something is given to waitUntil. Falls back to a
 * `.then` per promise (which marks it handled) where Deno doesn't expose the hook.
 */
export const promiseHookWatch: Watch = (onSettled) => {
  const core = (Deno as unknown as Record<symbol, { core?: PromiseHookCore }>)[
    (Deno as unknown as { internal: symbol }).internal
  ]?.core;
  if (typeof core?.setPromiseHooks !== "function") return thenWatch(onSettled);
  let installed = false;
  return {
    add() {
      if (installed) return;
      installed = true;
      core.setPromiseHooks(null, null, null, onSettled);
    },
  };
};

interface PromiseHookCore {
  setPromiseHooks(
    init: null,
    before: null,
    after: null,
    resolve: (p: Promise<unknown>) => void,
  ): void;
}

/** Settlement seen through a `.then` on each promise (the promise counts as handled then). */
export const thenWatch: Watch = (onSettled) => ({
  add(p) {
    const done = () => onSettled(p);
    p.then(done, done);
  },
});

export interface BackgroundTasks {
  /** `EdgeRuntime.waitUntil`: returns what it was given; a Promise is tracked until settled. */
  waitUntil<T>(promise: T): T;
  stats(): BackgroundStats;
  /**
   * For an `unhandledrejection` event: true when its promise was given to waitUntil, after
   * reporting it (the caller then prevents the default, which would end the process).
   */
  claimUnhandled(promise: Promise<unknown>, reason: unknown): boolean;
  /** Reports each pending promise that has just gone past the wall-clock limit, once. */
  checkOverdue(): void;
}

export interface BackgroundOptions {
  /** The hosted wall-clock limit (150 s free, 400 s paid): no worker lives longer. */
  wallClockMs: number;
  /** Where reports go (one line each). */
  report: (line: string) => void;
  now?: () => number;
  watch?: Watch;
}

export function createBackgroundTasks(options: BackgroundOptions): BackgroundTasks {
  const now = options.now ?? (() => performance.now());
  /** Pending promises, with when each was given. Insertion order: the oldest first. */
  const pending = new Map<Promise<unknown>, number>();
  const given = new WeakSet<Promise<unknown>>();
  const overdue = new WeakSet<Promise<unknown>>();
  let settled = 0;
  let unhandled = 0;
  const watcher = (options.watch ?? promiseHookWatch)((p) => {
    if (pending.delete(p)) settled++;
  });
  const age = (since: number) => Math.round(now() - since);
  return {
    waitUntil(promise) {
      if (promise instanceof Promise && !given.has(promise)) {
        given.add(promise);
        pending.set(promise, now());
        watcher.add(promise);
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
        unhandled,
        oldest_ms: first.done ? 0 : age(first.value),
        overdue: late,
      };
    },
    claimUnhandled(promise, reason) {
      if (!given.has(promise)) return false;
      unhandled++;
      options.report(
        `EdgeRuntime.waitUntil: a background promise rejected and nothing handled it: ${
          describe(reason)
        } (the hosted runtime ends the worker here, "event loop error: Uncaught (in promise)", ` +
          `and requests in flight on it fail; this stand-in reports it and goes on)`,
      );
      return true;
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
