/**
 * Serves a staged function the way supabase/edge-runtime does: the runtime, not the function,
 * owns the listening address (the function calls `Deno.serve(handler)`; Deno 2.1 ignores
 * DENO_SERVE_ADDRESS), and the function is loaded from its own folder with its own deno.json
 * (see function_process.ts). Never deployed.
 *
 *   EDGE_LISTEN=127.0.0.1:8000 EDGE_ENTRY=file:///tmp/jid-fn-x/job-interview-details/index.ts
 *   EDGE_MEMORY=1  also answers GET /_edge/memory with the isolate's V8 heap used + external
 *                  memory (what the hosted runtime limits to 256 MB): idle, and the peak since
 *                  the last POST /_edge/memory/reset. Sampled every millisecond while a request
 *                  is in flight, and at each request's start and end.
 */

type Handler = (req: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>;

const [hostname, port] = (Deno.env.get("EDGE_LISTEN") ?? "127.0.0.1:8000").split(":");
const entry = Deno.env.get("EDGE_ENTRY");
if (!entry) throw new Error("EDGE_ENTRY is not set");

const used = () => {
  const m = Deno.memoryUsage();
  return m.heapUsed + m.external;
};

/** The handler, with the memory probe in front of it when EDGE_MEMORY=1. */
function withMemoryProbe(handler: Handler): Handler {
  const gc = (globalThis as { gc?: () => void }).gc;
  let inFlight = 0;
  let peak = used();
  let sampler: ReturnType<typeof setInterval> | undefined;
  const sample = () => {
    peak = Math.max(peak, used());
  };
  return async (req, info) => {
    const path = new URL(req.url).pathname;
    if (path === "/_edge/memory/reset") {
      // Freed buffers leave external memory a moment after a collection: settle first.
      for (let i = 0; i < 3; i++) {
        gc?.();
        await new Promise((r) => setTimeout(r, 20));
      }
      peak = used();
      return Response.json({ idle: peak });
    }
    if (path === "/_edge/memory") {
      return Response.json({ current: used(), peak, in_flight: inFlight });
    }
    if (inFlight++ === 0) sampler = setInterval(sample, 1);
    sample();
    try {
      const res = await handler(req, info);
      sample();
      return res;
    } finally {
      if (--inFlight === 0) clearInterval(sampler);
    }
  };
}

const serve = Deno.serve;
const memory = Deno.env.get("EDGE_MEMORY") === "1";
// deno-lint-ignore no-explicit-any
(Deno as any).serve = (...args: any[]) => {
  const handler: Handler = typeof args[0] === "function"
    ? args[0]
    : typeof args[1] === "function"
    ? args[1]
    : args[0].handler;
  return serve(
    { hostname, port: Number(port), onListen: () => {} },
    memory ? withMemoryProbe(handler) : handler,
  );
};

// A clean exit on SIGTERM, so `--cpu-prof` gets to write its profile.
Deno.addSignalListener("SIGTERM", () => Deno.exit(0));

await import(entry);
