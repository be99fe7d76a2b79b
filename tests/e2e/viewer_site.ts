/**
 * The viewer page (tools/viewer/index.html) served on an origin of its own, as a JobMojito
 * frontend is: it calls Auth and PostgREST at the stack's URL and the function at `functionUrl`,
 * all cross-origin.
 */
import { apiKey, stack } from "../support/stack.ts";

export interface ViewerSite {
  url: string;
  origin: string;
  config: { apiUrl: string; anonKey: string; functionUrl: string };
  shutdown(): Promise<void>;
}

const page = await Deno.readTextFile(new URL("../../tools/viewer/index.html", import.meta.url));

export function serveViewer(functionUrl = stack.FUNCTION_URL): ViewerSite {
  const config = { apiUrl: stack.SUPABASE_URL, anonKey: apiKey, functionUrl };
  const site = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    if (new URL(req.url).pathname === "/config.json") return Response.json(config);
    return new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } });
  });
  const url = `http://127.0.0.1:${site.addr.port}/`;
  return { url, origin: new URL(url).origin, config, shutdown: () => site.shutdown() };
}
