/**
 * Copies of the function served beside it, for the bench and the load tool: its folder copied
 * with one thing changed, then staged and served exactly as the function is (its own deno.json,
 * the runtime stand-in), behind the same gateway under a name of their own.
 */
import {
  type FunctionProcess,
  type Runtime,
  startFunction,
  THE_FUNCTION,
} from "../local-stack/function_process.ts";
import { waitFor } from "../local-stack/processes.ts";

/** Where the no-record entry imports the function from, in the repository; ./ once copied in. */
const FUNCTION_FROM_ENTRY = "../../../supabase/functions/job-interview-details/";

/**
 * Serves a copy of the function's folder named `name`, each file's text passed through
 * `change(file, text)`, with `env` added to the function's. It answers under the function's
 * own path (/job-interview-details), as the gateway's `as` expects.
 */
export async function serveCopy(
  stack: Record<string, string>,
  name: string,
  change: (file: string, text: string) => string,
  env: Record<string, string> = {},
  options: { runtime?: Runtime; memoryProbe?: boolean } = {},
): Promise<FunctionProcess> {
  const dir = await Deno.makeTempDir({ prefix: `${name}-` });
  try {
    for await (const e of Deno.readDir(THE_FUNCTION.dir)) {
      if (!e.isFile) continue;
      const text = await Deno.readTextFile(`${THE_FUNCTION.dir}/${e.name}`);
      await Deno.writeTextFile(`${dir}/${e.name}`, change(e.name, text));
    }
    return await startFunction(stack, env, {
      ...options,
      source: { name, dir },
      ready: (url, ms) =>
        waitFor(name, async () => {
          const res = await fetch(`${new URL(url).origin}/${THE_FUNCTION.name}/openapi.json`);
          await res.body?.cancel();
          return res.ok;
        }, ms),
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const noRecordEntry = async () => {
  const entry = await Deno.readTextFile(new URL("./no_record/index.ts", import.meta.url));
  if (!entry.includes(FUNCTION_FROM_ENTRY)) {
    throw new Error(`no_record/index.ts no longer imports from ${FUNCTION_FROM_ENTRY}`);
  }
  return entry.replaceAll(FUNCTION_FROM_ENTRY, "./");
};

/** The function without its access records (no_record/index.ts as its entry), as `name`. */
export async function serveWithoutRecords(
  stack: Record<string, string>,
  name: string,
  env: Record<string, string> = {},
  options: { runtime?: Runtime; memoryProbe?: boolean } = {},
): Promise<FunctionProcess> {
  const entry = await noRecordEntry();
  return await serveCopy(
    stack,
    name,
    (file, text) => file === "index.ts" ? entry : text,
    env,
    options,
  );
}
