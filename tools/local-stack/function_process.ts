/**
 * Another copy of the function as its own process, configured from a stack's env (the keys, the
 * secret, the key set) plus overrides: tests point it at a proxy or a dead port, the benchmark
 * times its cold start.
 */
import { ROOT } from "./database.ts";
import { freePort, waitFor } from "./processes.ts";

export const FUNCTION_ENTRY = `${ROOT}supabase/functions/job-interview-details/index.ts`;

export interface FunctionProcess {
  url: string;
  pid: number;
  logs: () => string;
  stop(): Promise<void>;
}

/** The function's env for a stack described by `stack` (the keys of .local/stack.env). */
export function functionEnv(stack: Record<string, string>): Record<string, string> {
  return {
    SUPABASE_URL: stack.SUPABASE_URL,
    SUPABASE_ANON_KEY: stack.SUPABASE_ANON_KEY,
    SUPABASE_SERVICE_ROLE_KEY: stack.SUPABASE_SERVICE_ROLE_KEY,
    ...(stack.SUPABASE_JWT_SECRET ? { JWT_SECRET: stack.SUPABASE_JWT_SECRET } : {}),
    ...(stack.SUPABASE_JWKS ? { SUPABASE_JWKS: stack.SUPABASE_JWKS } : {}),
    NO_COLOR: "1",
  };
}

/** Resolves once the function at `url` (…/job-interview-details) answers. */
export async function waitForFunction(url: string, timeoutMs = 20_000): Promise<void> {
  await waitFor("the function to answer", async () => {
    const res = await fetch(`${url}/openapi.json`);
    await res.body?.cancel();
    return res.ok;
  }, timeoutMs);
}

export async function startFunction(
  stack: Record<string, string>,
  env: Record<string, string> = {},
): Promise<FunctionProcess> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", FUNCTION_ENTRY],
    env: { DENO_SERVE_ADDRESS: `tcp:127.0.0.1:${port}`, ...functionEnv(stack), ...env },
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
  try {
    await waitForFunction(url);
  } catch (error) {
    child.kill();
    throw new Error(`${(error as Error).message}: ${output}`);
  }
  return {
    url,
    pid: child.pid,
    logs: () => output,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await pumping;
    },
  };
}
