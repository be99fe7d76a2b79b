/**
 * A proxy in front of the stack's gateway that counts upstream requests and injects faults,
 * so the function can be watched and broken over real HTTP.
 */
import { stack } from "./stack.ts";

export type Fault =
  | { kind: "none" }
  | { kind: "status"; status: number; body?: string }
  | { kind: "malformed" }
  | { kind: "slow"; ms: number }
  /** What Kong answers when the service behind it is down. */
  | { kind: "down" }
  | { kind: "partial-sign" }
  /** The real answer with its length announced, then half of it and an early close. */
  | { kind: "cut" }
  /** The real answer, sent in `chunks` pieces `everyMs` apart: an upstream never idle for long. */
  | { kind: "trickle"; chunks: number; everyMs: number };

export interface UpstreamProxy {
  url: string;
  requests: string[];
  /** Requests whose client (the function) went away before the answer: `METHOD path`. */
  aborted: string[];
  /** Preflights seen: the headers the browser asked to send. */
  preflights: { path: string; requestHeaders: string; origin: string }[];
  /** Faults by service: "rest", "storage" or "auth". */
  faults: { rest: Fault; storage: Fault; auth?: Fault };
  stop(): Promise<void>;
}

export function startProxy(target = stack.SUPABASE_URL): UpstreamProxy {
  const proxy: UpstreamProxy = {
    url: "",
    requests: [],
    aborted: [],
    preflights: [],
    faults: { rest: { kind: "none" }, storage: { kind: "none" } },
    stop: async () => {},
  };
  const controller = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: controller.signal,
    onListen: () => {},
  }, async (req) => {
    const url = new URL(req.url);
    proxy.requests.push(`${req.method} ${url.pathname}`);
    req.signal.addEventListener("abort", () => proxy.aborted.push(`${req.method} ${url.pathname}`));
    if (req.method === "OPTIONS") {
      proxy.preflights.push({
        path: url.pathname,
        requestHeaders: req.headers.get("access-control-request-headers") ?? "",
        origin: req.headers.get("origin") ?? "",
      });
    }
    const service = url.pathname.startsWith("/storage/")
      ? "storage"
      : url.pathname.startsWith("/rest/")
      ? "rest"
      : url.pathname.startsWith("/auth/")
      ? "auth"
      : undefined;
    const fault = (service && proxy.faults[service]) || { kind: "none" as const };
    if (fault.kind === "slow") {
      await new Promise((r) => {
        const timer = setTimeout(r, fault.ms);
        req.signal.addEventListener("abort", () => (clearTimeout(timer), r(undefined)));
      });
    }
    if (fault.kind === "status") {
      return new Response(fault.body ?? '{"message":"injected"}', { status: fault.status });
    }
    if (fault.kind === "malformed") {
      return new Response('{"truncated": [1, 2', {
        headers: { "content-type": "application/json" },
      });
    }
    if (fault.kind === "down") {
      return Response.json(
        { message: "An invalid response was received from the upstream server" },
        { status: 502 },
      );
    }
    const upstream = await fetch(`${target}${url.pathname}${url.search}`, {
      method: req.method,
      headers: req.headers,
      body: req.body,
    });
    if (fault.kind === "trickle") {
      const bytes = await upstream.bytes();
      const size = Math.ceil(bytes.length / fault.chunks);
      let at = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (at >= bytes.length) return controller.close();
          await new Promise((r) => setTimeout(r, fault.everyMs));
          controller.enqueue(bytes.subarray(at, at += size));
        },
      }, { highWaterMark: 0 });
      return new Response(body, {
        status: upstream.status,
        headers: {
          "content-type": upstream.headers.get("content-type") ?? "application/json",
          "content-length": String(bytes.length),
        },
      });
    }
    if (fault.kind === "cut") {
      const bytes = await upstream.bytes();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.subarray(0, bytes.length >> 1));
          controller.close();
        },
      });
      return new Response(body, {
        status: upstream.status,
        headers: {
          "content-type": upstream.headers.get("content-type") ?? "application/json",
          "content-length": String(bytes.length),
        },
      });
    }
    if (fault.kind === "partial-sign" && service === "storage") {
      // Storage signs the first path only; the rest come back as per-path errors.
      const entries = await upstream.json() as {
        path: string;
        signedURL: string | null;
        error: string | null;
      }[];
      return Response.json(
        entries.map((e, i) => i === 0 ? e : { ...e, signedURL: null, error: "injected" }),
      );
    }
    const headers = new Headers(upstream.headers);
    headers.delete("content-encoding");
    headers.delete("content-length");
    return new Response(upstream.body, { status: upstream.status, headers });
  });
  proxy.url = `http://127.0.0.1:${server.addr.port}`;
  proxy.stop = async () => {
    controller.abort();
    await server.finished;
  };
  return proxy;
}
