/**
 * The whole local stack in one process: a throwaway cluster with the platform bootstrap,
 * migrations and seed, generated recordings, the function under Deno, and the gateway.
 */
import postgres from "postgres";
import { lintDatabase, prepareDatabase, ROOT } from "./database.ts";
import { FUNCTION_ENTRY, functionEnv, waitForFunction } from "./function_process.ts";
import { createGateway } from "./gateway/app.ts";
import { type FunctionRoute, verifyJwtSetting } from "./gateway/functions.ts";
import { createKeys, type StackKeys } from "./keys.ts";
import { generateRecordings } from "./media.ts";
import { ensurePackages } from "./packages.ts";
import { startCluster } from "./postgres.ts";
import { freePort, portInUse } from "./processes.ts";
import { viewerRoutes } from "../viewer/mount.ts";

export const DEFAULT_PORT = 54321;

export interface StackOptions {
  /** Gateway port; 0 picks a free one. */
  port?: number;
  /** Where the function's stdout/stderr go (a file path); inherited when unset. */
  functionLog?: string;
  /** Extra env for the function (tests shorten the timeout, say). */
  functionEnv?: Record<string, string>;
  /** Mount the dev viewer at /viewer. */
  viewer?: boolean;
  /** Called for every gateway request. */
  onGatewayRequest?: (method: string, path: string) => void;
  log?: (line: string) => void;
}

export interface Stack {
  env: Record<string, string>;
  keys: StackKeys;
  /** Resolves with a reason when a child process dies on its own. */
  crashed: Promise<string>;
  /** The gateway's functions by name; another function served elsewhere can be added. */
  functions: Map<string, FunctionRoute>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const port = options.port === 0 ? freePort() : options.port ?? DEFAULT_PORT;
  if (await portInUse(port)) {
    throw new Error(
      `Port ${port} is already in use: another local stack or \`supabase start\` may be running. ` +
        `Stop it (npm run stack:down) or set STACK_PORT to another port.`,
    );
  }
  await ensurePackages([
    "/usr/lib/postgresql/15/bin/initdb",
    "/usr/bin/psql",
    "/usr/bin/espeak-ng",
    "/usr/bin/sox",
  ]);

  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
    cleanups.length = 0;
  };
  let crash: (reason: string) => void = () => {};
  const crashed = new Promise<string>((resolve) => (crash = resolve));

  try {
    const cluster = await startCluster();
    cleanups.push(cluster.stop);
    log(`postgres  ${cluster.url}`);
    await prepareDatabase(cluster.url);
    if (Deno.env.get("STACK_LINT") === "1") log(await lintDatabase(cluster.url));

    const admin = postgres(cluster.url, { max: 4, onnotice: () => {} });
    cleanups.push(() => admin.end());
    const sql = postgres(cluster.url.replace("postgres@", "authenticator@"), {
      max: 20,
      onnotice: () => {},
    });
    cleanups.push(() => sql.end());

    const storageRoot = await Deno.makeTempDir({ prefix: "jid-storage-" });
    cleanups.push(() => Deno.remove(storageRoot, { recursive: true }));
    const recordings = await generateRecordings(admin, storageRoot);
    log(`storage   ${recordings} recordings in ${storageRoot}`);

    const keys = await createKeys();
    const url = `http://127.0.0.1:${port}`;
    const functionPort = freePort();
    const functionUrl = `http://127.0.0.1:${functionPort}`;
    // What the stack publishes (.local/stack.env); the function's env is derived from it.
    const published: Record<string, string> = {
      SUPABASE_URL: url,
      SUPABASE_ANON_KEY: keys.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
      SUPABASE_PUBLISHABLE_KEY: keys.publishableKey,
      SUPABASE_SECRET_KEY: keys.secretKey,
      SUPABASE_JWT_SECRET: keys.jwtSecret,
      SUPABASE_JWKS: JSON.stringify(keys.jwks),
      SUPABASE_DB_URL: cluster.url,
      FUNCTION_URL: `${url}/functions/v1/job-interview-details`,
      FUNCTION_DIRECT_URL: `${functionUrl}/job-interview-details`,
      STACK_STORAGE_ROOT: storageRoot,
      STACK_DB_DIR: cluster.dir,
      STACK_PID: String(Deno.pid),
    };
    const env: Record<string, string> = {
      DENO_SERVE_ADDRESS: `tcp:127.0.0.1:${functionPort}`,
      ...functionEnv(published),
      // Deno needs these to find its cache; nothing else of ours leaks into the function.
      ...Object.fromEntries(
        ["HOME", "PATH", "DENO_DIR"].flatMap((k) => Deno.env.get(k) ? [[k, Deno.env.get(k)!]] : []),
      ),
      ...options.functionEnv,
    };
    // With a log file the shell points the function's stdout and stderr straight at it (both
    // streams in one file, as a log collector sees them): nothing of ours wakes per log line.
    const deno = [Deno.execPath(), "run", "--allow-net", "--allow-env", FUNCTION_ENTRY];
    const child = new Deno.Command(options.functionLog ? "sh" : deno[0], {
      args: options.functionLog
        ? ["-c", 'log=$1; shift; exec "$@" >>"$log" 2>&1', "sh", options.functionLog, ...deno]
        : deno.slice(1),
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    let stopping = false;
    child.status.then((s) => {
      if (!stopping) {
        crash(`the function process exited (code ${s.code}${s.signal ? `, ${s.signal}` : ""})`);
      }
    });
    cleanups.push(async () => {
      stopping = true;
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
    });

    const verifyJwt = verifyJwtSetting(
      await Deno.readTextFile(`${ROOT}supabase/config.toml`),
      "job-interview-details",
    );
    const extra = options.viewer
      ? viewerRoutes({
        apiUrl: url,
        anonKey: keys.anonKey,
        functionUrl: `${url}/functions/v1/job-interview-details`,
      })
      : undefined;
    const functions = new Map([["job-interview-details", { url: functionUrl, verifyJwt }]]);
    const gateway = createGateway({
      sql,
      adminSql: admin,
      keys,
      storageRoot,
      functions,
      extra,
      onRequest: options.onGatewayRequest,
    });
    const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, gateway.fetch);
    cleanups.push(() => server.shutdown());

    await Promise.race([
      waitForFunction(published.FUNCTION_DIRECT_URL, 30_000),
      crashed.then((reason) =>
        Promise.reject(new Error(`The function failed to start: ${reason}`))
      ),
    ]);

    const ready = {
      ...published,
      STACK_FUNCTION_PID: String(child.pid),
      STACK_READY_MS: String(Math.round(performance.now() - started)),
    };
    return { env: ready, keys, crashed, functions, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
