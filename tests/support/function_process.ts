/** A second copy of the function, pointed wherever a test needs (a proxy, a dead port). */
import { FUNCTION_ENTRY, stack } from "./stack.ts";

export interface FunctionProcess {
  url: string;
  logs: () => string;
  stop(): Promise<void>;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

export async function startFunction(env: Record<string, string>): Promise<FunctionProcess> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", FUNCTION_ENTRY],
    env: {
      DENO_SERVE_ADDRESS: `tcp:127.0.0.1:${port}`,
      SUPABASE_URL: stack.SUPABASE_URL,
      SUPABASE_ANON_KEY: stack.SUPABASE_ANON_KEY,
      SUPABASE_SERVICE_ROLE_KEY: stack.SUPABASE_SERVICE_ROLE_KEY,
      ...(stack.SUPABASE_JWT_SECRET ? { JWT_SECRET: stack.SUPABASE_JWT_SECRET } : {}),
      ...(stack.SUPABASE_JWKS ? { SUPABASE_JWKS: stack.SUPABASE_JWKS } : {}),
      NO_COLOR: "1",
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const decoder = new TextDecoder();
  const pump = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s) output += decoder.decode(chunk);
  };
  const pumping = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const url = `http://127.0.0.1:${port}/job-interview-details`;
  const deadline = Date.now() + 20_000;
  while (true) {
    try {
      const res = await fetch(`${url}/openapi.json`);
      await res.body?.cancel();
      if (res.ok) break;
    } catch {
      if (Date.now() > deadline) {
        child.kill();
        throw new Error(`function did not start: ${output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    logs: () => output,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await pumping;
    },
  };
}
