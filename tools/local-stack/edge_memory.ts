/**
 * The Edge Runtime stand-in's memory probe (EDGE_MEMORY=1): the isolate's memory as the hosted
 * runtime limits it (V8 heap used + external memory, 256 MB), beside the process's RSS, at
 *   GET  /_edge/memory        now, the peak since the last reset, in-flight requests and the
 *                             background promises (EdgeRuntime.waitUntil)
 *   POST /_edge/memory/reset  after settled collections; from here until the next GET the peak is
 *                             sampled every millisecond while a request is in flight, and at
 *                             each request's start and end
 *   POST /_edge/gc            the same figures after settled collections (needs --expose-gc)
 * Between a GET and the next reset nothing is sampled: a long load pays for a counter only.
 */
import type { BackgroundStats } from "./edge_background.ts";

type Handler = (req: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>;

export interface MemoryFigures {
  /** heap_used + external: what the hosted runtime counts. */
  current: number;
  peak: number;
  in_flight: number;
  heap_used: number;
  /** V8's committed heap (heap_used and room to allocate into): part of RSS. */
  heap_total: number;
  external: number;
  rss: number;
  background: BackgroundStats;
}

const used = (m = Deno.memoryUsage()) => m.heapUsed + m.external;

/** Full collections, a moment apart: freed buffers leave external memory after a collection. */
async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `handler` with the probe's routes in front of it. */
export function withMemoryProbe(handler: Handler, background: () => BackgroundStats): Handler {
  let inFlight = 0;
  let peak = used();
  let armed = false;
  let sampler: ReturnType<typeof setInterval> | undefined;
  const sample = () => {
    peak = Math.max(peak, used());
  };
  const figures = (): MemoryFigures => {
    const m = Deno.memoryUsage();
    return {
      current: used(m),
      peak,
      in_flight: inFlight,
      heap_used: m.heapUsed,
      heap_total: m.heapTotal,
      external: m.external,
      rss: m.rss,
      background: background(),
    };
  };
  return async (req, info) => {
    const path = new URL(req.url).pathname;
    if (path === "/_edge/memory/reset") {
      await settle();
      peak = used();
      armed = true;
      if (inFlight > 0) sampler ??= setInterval(sample, 1);
      return Response.json({ idle: peak });
    }
    if (path === "/_edge/gc") {
      await settle();
      return Response.json(figures());
    }
    if (path === "/_edge/memory") {
      const now = figures();
      armed = false;
      clearInterval(sampler);
      sampler = undefined;
      return Response.json(now);
    }
    if (inFlight++ === 0 && armed) sampler = setInterval(sample, 1);
    if (armed) sample();
    try {
      const res = await handler(req, info);
      if (armed) sample();
      return res;
    } finally {
      if (--inFlight === 0) {
        clearInterval(sampler);
        sampler = undefined;
      }
    }
  };
}
