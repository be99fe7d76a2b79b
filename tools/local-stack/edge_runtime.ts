/**
 * Serves a staged function the way supabase/edge-runtime serves a user worker under its
 * `per_worker` policy (the hosted one): one long-lived isolate answering request after request.
 * Never deployed.
 *
 * - The runtime, not the function, owns the listening address (the function calls
 *   `Deno.serve(handler)`; Deno 2.1 ignores DENO_SERVE_ADDRESS), and the function is loaded from
 *   its own folder with its own deno.json (see function_process.ts).
 * - `EdgeRuntime.waitUntil(promise)` (edge_background.ts): the promise is handed back and counted
 *   until it settles. A rejection is reported and the process goes on (hosted, one nothing
 *   handles ends the worker); one still pending past the wall-clock limit is reported once.
 * - SIGTERM, as the hosted runtime's graceful exit: new connections are refused, a `drain` event
 *   is dispatched, answers in flight are finished and background promises waited for, up to
 *   EDGE_GRACE_SECONDS; then, with nothing pending, `beforeunload` (`detail.reason`
 *   "early_drop") and exit 0. Past the bound, what was abandoned is reported and the exit code
 *   is 1 (hosted: "did not able to terminate the workers", and they are dropped). `unload` never
 *   reaches the function: the hosted runtime doesn't dispatch it to user workers.
 *
 *   EDGE_LISTEN=127.0.0.1:8000 EDGE_ENTRY=file:///tmp/jid-fn-x/job-interview-details/index.ts
 *   EDGE_GRACE_SECONDS=15        the hosted runtime's --graceful-exit-timeout default
 *   EDGE_WALL_CLOCK_SECONDS=150  the hosted wall-clock limit (free plan; 400 paid)
 *   EDGE_MEMORY=1                the memory probe (edge_memory.ts)
 */
import { createBackgroundTasks } from "./edge_background.ts";
import { withMemoryProbe } from "./edge_memory.ts";

type Handler = (req: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>;

const [hostname, port] = (Deno.env.get("EDGE_LISTEN") ?? "127.0.0.1:8000").split(":");
const entry = Deno.env.get("EDGE_ENTRY");
if (!entry) throw new Error("EDGE_ENTRY is not set");
const graceMs = Number(Deno.env.get("EDGE_GRACE_SECONDS") ?? 15) * 1000;
const wallClockMs = Number(Deno.env.get("EDGE_WALL_CLOCK_SECONDS") ?? 150) * 1000;
const memory = Deno.env.get("EDGE_MEMORY") === "1";

const report = (line: string) => console.error(line);
const tasks = createBackgroundTasks({ wallClockMs, report });

// Defined as the hosted runtime defines it for user workers: a getter, `waitUntil` only.
const namespace = Object.freeze({ waitUntil: <T>(p: T): T => tasks.waitUntil(p) });
Object.defineProperty(globalThis, "EdgeRuntime", { get: () => namespace, configurable: true });
Deno.unrefTimer(setInterval(() => tasks.checkOverdue(), 1000));

// Deno dispatches `unload` on exit; the hosted runtime never does to a user worker. Registered
// before the function's listeners, this one stops it reaching them.
addEventListener("unload", (e) => e.stopImmediatePropagation());

let server: Deno.HttpServer | undefined;
const serve = Deno.serve;
// deno-lint-ignore no-explicit-any
(Deno as any).serve = (...args: any[]) => {
  const handler: Handler = typeof args[0] === "function"
    ? args[0]
    : typeof args[1] === "function"
    ? args[1]
    : args[0].handler;
  server = serve(
    { hostname, port: Number(port), onListen: () => {} },
    memory ? withMemoryProbe(handler, tasks.stats) : handler,
  );
  return server;
};

let stopping = false;
async function stop(): Promise<never> {
  stopping = true;
  dispatchEvent(new Event("drain"));
  const deadline = performance.now() + graceMs;
  const answered = server?.shutdown() ?? Promise.resolve();
  let finished = false;
  answered.then(() => (finished = true), () => (finished = true));
  while (performance.now() < deadline && !(finished && tasks.stats().pending === 0)) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const left = tasks.stats();
  if (finished && left.pending === 0) {
    dispatchEvent(
      new CustomEvent("beforeunload", { cancelable: true, detail: { reason: "early_drop" } }),
    );
    Deno.exit(0);
  }
  report(
    `edge runtime: stopped after ${graceMs / 1000} s with ${left.pending} background ${
      left.pending === 1 ? "promise" : "promises"
    } pending (the oldest for ${Math.round(left.oldest_ms / 1000)} s)${
      finished ? "" : " and answers still in flight"
    }: abandoned`,
  );
  Deno.exit(1);
}
Deno.addSignalListener("SIGTERM", () => {
  if (!stopping) stop();
});

await import(entry);
