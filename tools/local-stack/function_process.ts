/**
 * The function as a process, run the way the hosted Edge Runtime runs it: its folder staged
 * alone in a temp dir (a deploy uploads only that folder, so the root deno.json, deno.lock and
 * package.json don't apply), loaded with its own deno.json, under a chosen Deno: 2.9.6 (the
 * project's) or 2.1.4 (the hosted runtime's; FUNCTION_DENO points at its binary). Used by the
 * stack, the tests that need another copy (behind a proxy, a dead upstream) and the benchmarks.
 */
import { ROOT } from "./database.ts";
import { npmPath } from "./npm_binaries.ts";
import { freePort, waitFor } from "./processes.ts";

export const FUNCTION_NAME = "job-interview-details";
export const FUNCTION_DIR = `${ROOT}supabase/functions/${FUNCTION_NAME}`;
/** The Edge Runtime's stand-in (edge_runtime.ts): every function process runs it. */
export const SERVE_ENTRY = `${ROOT}tools/local-stack/edge_runtime.ts`;
export const STAGE_PREFIX = "jid-fn-";
/** The hosted Edge Runtime's Deno (2.1.4): EDGE_DENO, else npm's build for this platform. */
export const EDGE_DENO = Deno.env.get("EDGE_DENO") || npmPath("edgeDeno");

/** The Deno binary the function runs under, its version, and the env that binary needs. */
export interface Runtime {
  deno: string;
  version: string;
  env: Record<string, string>;
}

const versions = new Map<string, string>();

/** The runtime of `deno` (default: FUNCTION_DENO, else the Deno running this). */
export function functionRuntime(deno = Deno.env.get("FUNCTION_DENO") || Deno.execPath()): Runtime {
  if (!versions.has(deno)) {
    const out = new Deno.Command(deno, { args: ["--version"], stdout: "piped" }).outputSync();
    const version = /deno (\S+)/.exec(new TextDecoder().decode(out.stdout))?.[1];
    if (!version) throw new Error(`${deno} --version printed no version`);
    versions.set(deno, version);
  }
  const version = versions.get(deno)!;
  const own = version === Deno.version.deno;
  return {
    deno,
    version,
    // Another Deno keeps its own cache: formats differ between versions.
    env: own ? {} : { DENO_DIR: `${ROOT}node_modules/.cache/deno-${version}` },
  };
}

/**
 * What a Deno needs to reach the npm registry the way the rest of the stack does: the CA and
 * proxy settings and a registry mirror, taken from `from` (this process's environment). A
 * function process starts with a cleared environment, as the hosted runtime's does, and loads its
 * imports on first start; without these, behind a TLS proxy with its own CA it can't. Deno's own
 * store is its bundled one unless told otherwise, so the system's is added (it holds a company
 * proxy's CA; SSL_CERT_FILE names it). With a proxy set, loopback stays direct: the stack's
 * services are there.
 */
export function registryEnv(
  from: Record<string, string | undefined> = Deno.env.toObject(),
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of REGISTRY_ENV) {
    const value = from[name];
    if (value) env[name] = value;
  }
  env.DENO_TLS_CA_STORE ??= "mozilla,system";
  if (!env.DENO_CERT && env.SSL_CERT_FILE) env.DENO_CERT = env.SSL_CERT_FILE;
  const proxied = ["HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"].some((k) => env[k]);
  if (proxied) {
    const own = (env.NO_PROXY ?? env.no_proxy ?? "").split(",").map((h) => h.trim()).filter(
      Boolean,
    );
    env.NO_PROXY = env.no_proxy = [...new Set([...own, "127.0.0.1", "localhost", "::1"])].join(",");
  }
  return env;
}

const REGISTRY_ENV = [
  "DENO_CERT",
  "DENO_TLS_CA_STORE",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "NODE_EXTRA_CA_CERTS",
  "HTTPS_PROXY",
  "HTTP_PROXY",
  "NO_PROXY",
  "https_proxy",
  "http_proxy",
  "no_proxy",
  "NPM_CONFIG_REGISTRY",
];

/** A function's folder: this project's, or another served the same way (the bench's (p)). */
export interface FunctionSource {
  name: string;
  dir: string;
}

export const THE_FUNCTION: FunctionSource = { name: FUNCTION_NAME, dir: FUNCTION_DIR };

/** A copy of a function's folder in a temp dir of its own; returns the temp dir. */
export async function stageFunction(source = THE_FUNCTION): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: STAGE_PREFIX });
  const target = `${dir}/${source.name}`;
  await Deno.mkdir(target);
  for await (const e of Deno.readDir(source.dir)) {
    if (e.isFile) await Deno.copyFile(`${source.dir}/${e.name}`, `${target}/${e.name}`);
  }
  return dir;
}

export interface ServeOptions {
  /** EDGE_MEMORY: the isolate's memory at /_edge/memory (and gc() for an idle baseline). */
  memoryProbe?: boolean;
  /** More flags for `deno run` (profiling: `--cpu-prof`). */
  denoFlags?: string[];
  source?: FunctionSource;
}

/** The command line that serves the staged function (EDGE_LISTEN says where). */
export function serveCommand(
  runtime: Runtime,
  staged: string,
  options: ServeOptions = {},
): string[] {
  const folder = `${staged}/${(options.source ?? THE_FUNCTION).name}`;
  const [major, minor] = runtime.version.split(".").map(Number);
  return [
    runtime.deno,
    "run",
    "--allow-net",
    "--allow-env",
    `--allow-read=${folder}`,
    `--config=${folder}/deno.json`,
    "--no-lock",
    // A request's signal aborts only when its client goes away, not after every answer too
    // (Deno 2.9 warns of the legacy behaviour; 2.1, the hosted runtime's, knows no other).
    ...(major > 2 || minor >= 9 ? ["--unstable-no-legacy-abort"] : []),
    ...(options.memoryProbe ? ["--v8-flags=--expose-gc"] : []),
    ...(options.denoFlags ?? []),
    SERVE_ENTRY,
  ];
}

/**
 * The env of a function process: the runtime's, what reaching the registry takes (from
 * `outer`, this process's environment by default), where to listen, the entry, the stack's keys.
 */
export function serveEnv(
  runtime: Runtime,
  staged: string,
  listen: string,
  stack: Record<string, string>,
  extra: Record<string, string> = {},
  source = THE_FUNCTION,
  outer: Record<string, string | undefined> = Deno.env.toObject(),
): Record<string, string> {
  return {
    ...Object.fromEntries(
      ["HOME", "PATH", "DENO_DIR"].flatMap((k) => outer[k] ? [[k, outer[k]!]] : []),
    ),
    ...registryEnv(outer),
    ...runtime.env,
    EDGE_LISTEN: listen,
    EDGE_ENTRY: `file://${staged}/${source.name}/index.ts`,
    ...functionEnv(stack),
    ...extra,
  };
}

export interface FunctionProcess {
  url: string;
  pid: number;
  runtime: Runtime;
  logs: () => string;
  /** Each line of output with the time it was read (ms, performance.now()). */
  lines: () => { at: number; line: string }[];
  /** SIGTERM, then its exit status once it has gone. */
  stop(): Promise<Deno.CommandStatus>;
}

/**
 * The function's env for a stack described by `stack` (the keys of .local/stack.env), as the
 * hosted platform sets it: the URL and the project's keys, never JWT_SECRET. With the project's
 * legacy keys turned off (STACK_LEGACY_KEYS=0) only SUPABASE_URL, SUPABASE_PUBLISHABLE_KEYS,
 * SUPABASE_SECRET_KEYS and SUPABASE_JWKS.
 */
export function functionEnv(stack: Record<string, string>): Record<string, string> {
  const legacy = stack.STACK_LEGACY_KEYS !== "0";
  return {
    SUPABASE_URL: stack.SUPABASE_URL,
    ...(legacy
      ? {
        SUPABASE_ANON_KEY: stack.SUPABASE_ANON_KEY,
        SUPABASE_SERVICE_ROLE_KEY: stack.SUPABASE_SERVICE_ROLE_KEY,
      }
      : {}),
    ...(stack.SUPABASE_SECRET_KEY
      ? { SUPABASE_SECRET_KEYS: JSON.stringify({ default: stack.SUPABASE_SECRET_KEY }) }
      : {}),
    ...(stack.SUPABASE_PUBLISHABLE_KEY
      ? { SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: stack.SUPABASE_PUBLISHABLE_KEY }) }
      : {}),
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
  options: ServeOptions & {
    runtime?: Runtime;
    /** How to know it is up (default: its /openapi.json answers). */
    ready?: (url: string, timeoutMs: number) => Promise<void>;
    /** The environment the process's HOME, PATH and registry settings come from (this one's). */
    outer?: Record<string, string | undefined>;
  } = {},
): Promise<FunctionProcess> {
  const runtime = options.runtime ?? functionRuntime();
  const source = options.source ?? THE_FUNCTION;
  const port = freePort();
  const staged = await stageFunction(source);
  const [cmd, ...args] = serveCommand(runtime, staged, options);
  const child = new Deno.Command(cmd, {
    args,
    env: serveEnv(
      runtime,
      staged,
      `127.0.0.1:${port}`,
      stack,
      {
        ...(options.memoryProbe ? { EDGE_MEMORY: "1" } : {}),
        ...env,
      },
      source,
      options.outer,
    ),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const lines: { at: number; line: string }[] = [];
  const pump = async (s: ReadableStream<Uint8Array>) => {
    let partial = "";
    for await (const chunk of s.pipeThrough(new TextDecoderStream())) {
      output += chunk;
      const parts = (partial + chunk).split("\n");
      partial = parts.pop()!;
      const at = performance.now();
      for (const line of parts) lines.push({ at, line });
    }
  };
  const pumping = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const url = `http://127.0.0.1:${port}/${source.name}`;
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    const status = await child.status;
    await pumping;
    await Deno.remove(staged, { recursive: true }).catch(() => {});
    return status;
  };
  try {
    await (options.ready ?? waitForFunction)(url, 60_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}: ${output}`);
  }
  return { url, pid: child.pid, runtime, logs: () => output, lines: () => lines, stop };
}
