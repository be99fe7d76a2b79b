/**
 * The whole local stack in one process: a throwaway cluster with the platform bootstrap,
 * migrations and seed, generated recordings, the function under Deno, and the gateway.
 */
import postgres from "postgres";
import { autoExpose, lintDatabase, prepareDatabase, ROOT } from "./database.ts";
import {
  FUNCTION_NAME,
  functionRuntime,
  type Runtime,
  SERVE_ENTRY,
  serveCommand,
  serveEnv,
  STAGE_PREFIX,
  stageFunction,
  waitForFunction,
} from "./function_process.ts";
import { createGateway } from "./gateway/app.ts";
import { type FunctionRoute, verifyJwtSetting } from "./gateway/functions.ts";
import type { JWK } from "jose";
import type { PostgrestVersion } from "./gateway/postgrest.ts";
import { createKeys, type StackKeys } from "./keys.ts";
import { generateRecordings } from "./media.ts";
import { ensurePackages } from "./packages.ts";
import { binDir, pgMajor, removeCluster, startCluster } from "./postgres.ts";
import { freePort, portInUse, running } from "./processes.ts";
import { viewerRoutes } from "../viewer/mount.ts";

export const DEFAULT_PORT = 54321;

/** The command line of a running process, or "". */
function commandLine(pid: number): string {
  try {
    return running(pid) ? Deno.readTextFileSync(`/proc/${pid}/cmdline`).replaceAll("\0", " ") : "";
  } catch {
    return "";
  }
}

/**
 * Stops and removes what the stack described by `env` (its .local/stack.env) left behind: for a
 * stack process killed without a chance to clean up (SIGKILL, the OOM killer). Each piece is
 * checked to be the stack's own before it is touched. Returns what it removed.
 */
export async function removeLeftovers(env: Record<string, string>): Promise<string[]> {
  const removed: string[] = [];
  const fnPid = Number(env.STACK_FUNCTION_PID);
  if (fnPid > 0 && commandLine(fnPid).includes(SERVE_ENTRY)) {
    Deno.kill(fnPid, "SIGKILL");
    removed.push(`the function (pid ${fnPid})`);
  }
  const tmp = `${Deno.env.get("TMPDIR") ?? "/tmp"}/`;
  /** A temp dir of ours: right under the temp root, with our prefix, and there. */
  const ourDir = (dir: string | undefined, prefix: string): dir is string => {
    if (!dir?.startsWith(`${tmp}${prefix}`) || dir.slice(tmp.length).includes("/")) return false;
    try {
      return Deno.statSync(dir).isDirectory;
    } catch {
      return false;
    }
  };
  if (ourDir(env.STACK_DB_DIR, "jid-pg-")) {
    await removeCluster(env.STACK_DB_DIR);
    removed.push(`PostgreSQL in ${env.STACK_DB_DIR}`);
  }
  for (
    const [dir, prefix] of [[env.STACK_STORAGE_ROOT, "jid-storage-"], [
      env.STACK_FUNCTION_STAGE,
      STAGE_PREFIX,
    ]]
  ) {
    if (ourDir(dir, prefix)) {
      await Deno.remove(dir, { recursive: true });
      removed.push(dir);
    }
  }
  return removed;
}

export interface StackOptions {
  /** Gateway port; 0 picks a free one. */
  port?: number;
  /** Where the function's stdout/stderr go (a file path); inherited when unset. */
  functionLog?: string;
  /** Extra env for the function (tests shorten the timeout, say). */
  functionEnv?: Record<string, string>;
  /** The Deno the function runs under (default: FUNCTION_DENO, else this one). */
  runtime?: Runtime;
  /** Mount the dev viewer at /viewer. */
  viewer?: boolean;
  /** Called for every gateway request. */
  onGatewayRequest?: (method: string, path: string) => void;
  log?: (line: string) => void;
  /** false: the project's legacy API keys are off (default: STACK_LEGACY_KEYS, else on). */
  legacyKeys?: boolean;
  /** The PostgREST the stand-in copies (default: STACK_POSTGREST_VERSION, else 16). */
  postgrestVersion?: PostgrestVersion;
}

/** PostgREST's version as the CLI 3.1 images run it (16), or as some hosted projects still do (14). */
export const DEFAULT_POSTGREST_VERSION: PostgrestVersion = 16;

/** STACK_POSTGREST_VERSION: "14" or "16" (the default); anything else is refused. */
export function postgrestVersion(raw = Deno.env.get("STACK_POSTGREST_VERSION")): PostgrestVersion {
  if (raw === undefined || raw === "") return DEFAULT_POSTGREST_VERSION;
  if (raw === "14" || raw === "16") return Number(raw) as PostgrestVersion;
  throw new Error(`STACK_POSTGREST_VERSION must be 14 or 16, not "${raw}"`);
}

/**
 * The project's signing keys after a rotation: the current one (Auth signs with it) and the one
 * it replaced, still in the key set so that tokens it signed verify until they expire. Private
 * JWKs, as `supabase/signing_keys.json` holds them (STACK_SIGNING_KEYS).
 */
async function afterRotation(keys: StackKeys): Promise<{ keys: StackKeys; signing: JWK[] }> {
  const previous = await createKeys();
  return {
    keys: { ...keys, jwks: { keys: [...keys.jwks.keys, ...previous.jwks.keys] } },
    signing: [keys.signingKey, previous.signingKey],
  };
}

/** STACK_LEGACY_KEYS: "0" for a project with its legacy anon and service_role keys turned off. */
export function legacyKeysOn(raw = Deno.env.get("STACK_LEGACY_KEYS")): boolean {
  return raw !== "0";
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
  const major = pgMajor();
  const legacyKeys = options.legacyKeys ?? legacyKeysOn();
  const postgrest = options.postgrestVersion ?? postgrestVersion();
  await ensurePackages([
    ...(major === 15 ? [`${binDir(15)}/initdb`] : []),
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
    const cluster = await startCluster({ major });
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

    const { keys, signing } = await afterRotation(await createKeys());
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
      STACK_PG_MAJOR: String(major),
      STACK_LEGACY_KEYS: legacyKeys ? "1" : "0",
      STACK_AUTO_EXPOSE: autoExpose() ? "1" : "0",
      STACK_POSTGREST_VERSION: String(postgrest),
      STACK_SIGNING_KEYS: JSON.stringify(signing),
    };
    const runtime = options.runtime ?? functionRuntime();
    const staged = await stageFunction();
    cleanups.push(() => Deno.remove(staged, { recursive: true }));
    published.STACK_FUNCTION_STAGE = staged;
    published.STACK_FUNCTION_DENO = runtime.version;
    const env = serveEnv(
      runtime,
      staged,
      `127.0.0.1:${functionPort}`,
      published,
      options.functionEnv,
    );
    // With a log file the shell points the function's stdout and stderr straight at it (both
    // streams in one file, as a log collector sees them): nothing of ours wakes per log line.
    const deno = serveCommand(runtime, staged);
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
      FUNCTION_NAME,
    );
    const extra = options.viewer
      ? viewerRoutes({
        apiUrl: url,
        anonKey: keys.anonKey,
        functionUrl: `${url}/functions/v1/job-interview-details`,
      })
      : undefined;
    const functions = new Map([[FUNCTION_NAME, { url: functionUrl, verifyJwt }]]);
    const gateway = createGateway({
      sql,
      adminSql: admin,
      keys,
      storageRoot,
      functions,
      extra,
      onRequest: options.onGatewayRequest,
      legacyKeys,
      postgrestVersion: postgrest,
    });
    const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, gateway.fetch);
    cleanups.push(() => server.shutdown());

    await Promise.race([
      waitForFunction(published.FUNCTION_DIRECT_URL, 60_000),
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
