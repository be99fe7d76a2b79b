/**
 * The local stack's commands:
 *   dev          everything up in the foreground; Ctrl-C stops it all
 *   up / down    the same in the background, described in .local/stack.env
 *   token [email] a user access token for a seeded user (default recruiter@acme.test)
 */
import { ROOT } from "./database.ts";
import { DEFAULT_PORT, removeLeftovers, type Stack, startStack } from "./stack.ts";
import { running, waitFor } from "./processes.ts";

// STACK_STATE_DIR: where up/down keep their files (tests use a dir of their own).
const LOCAL = Deno.env.get("STACK_STATE_DIR") ?? `${ROOT}.local`;
const ENV_FILE = `${LOCAL}/stack.env`;
const PID_FILE = `${LOCAL}/stack.pid`;
const LOG_FILE = `${LOCAL}/stack.log`;

function port(): number {
  const raw = Deno.env.get("STACK_PORT");
  return raw ? Number(raw) : DEFAULT_PORT;
}

export function parseEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text.split("\n").filter((l) => l && !l.startsWith("#") && l.includes("=")).map((l) => {
      const i = l.indexOf("=");
      const v = l.slice(i + 1);
      return [l.slice(0, i), v.startsWith("'") ? v.slice(1, -1).replaceAll("'\\''", "'") : v];
    }),
  );
}

/** The inverse of parseEnvFile: KEY=value lines, quoted for sh where needed. */
export function formatEnvFile(env: Record<string, string>): string {
  const quote = (v: string) => /^[\w.:/@+-]*$/.test(v) ? v : `'${v.replaceAll("'", "'\\''")}'`;
  return Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`).join("\n") + "\n";
}

/** A user access token through Auth's password grant (every seeded user's password is "password"). */
export async function signIn(env: Record<string, string>, email: string): Promise<string> {
  const res = await fetch(`${env.SUPABASE_URL}/auth/v1/token?grant_type=password`, {
    method: "POST",
    headers: {
      apikey: env.SUPABASE_PUBLISHABLE_KEY || env.SUPABASE_ANON_KEY,
      "content-type": "application/json",
    },
    body: JSON.stringify({ email, password: "password" }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`Sign-in as ${email} failed: ${body.msg ?? res.status}`);
  return body.access_token;
}

/** Runs the stack until a signal or a crash; returns the exit code. */
async function runUntilStopped(stack: Stack, onStop?: () => Promise<void>): Promise<number> {
  const signalled = new Promise<string>((resolve) => {
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      Deno.addSignalListener(sig, () => resolve(sig));
    }
  });
  const reason = await Promise.race([signalled, stack.crashed.then((r) => `crash: ${r}`)]);
  await stack.stop();
  await onStop?.();
  if (reason.startsWith("crash")) {
    console.error(
      `Local stack stopped: ${reason.slice(7)}. Every process and temp dir was removed.`,
    );
    return 1;
  }
  return 0;
}

async function dev(): Promise<number> {
  await cleanUpAfterDeadStack();
  const stack = await startStack({ port: port(), log: (l) => console.log(l), viewer: true });
  const { env } = stack;
  let token: string;
  try {
    await writeEnvFile(env);
    token = await signIn(env, "recruiter@acme.test");
  } catch (error) {
    await stack.stop();
    await removeEnvFile();
    throw error;
  }
  console.log(`
Local stack ready in ${(Number(env.STACK_READY_MS) / 1000).toFixed(1)} s

  Function    ${env.FUNCTION_URL}
  API         ${env.SUPABASE_URL}
  Database    ${env.SUPABASE_DB_URL}
  Viewer      ${env.SUPABASE_URL}/viewer
  Publishable ${env.SUPABASE_PUBLISHABLE_KEY}
  Secret      ${env.SUPABASE_SECRET_KEY}${
    env.STACK_LEGACY_KEYS === "0" ? "\n  (legacy anon and service_role keys turned off)" : `
  anon key    ${env.SUPABASE_ANON_KEY}
  service key ${env.SUPABASE_SERVICE_ROLE_KEY}`
  }
  JWT secret  ${env.SUPABASE_JWT_SECRET}

Try it (as recruiter@acme.test; other users: npm run token -- <email>):

  curl -s '${env.FUNCTION_URL}?interview_result_id=93c98d21-e04d-4a84-9afa-ed154cf73636&get_signed_recordings=true' \\
    -H 'Authorization: Bearer ${token}'

Ctrl-C stops everything.`);
  return await runUntilStopped(stack, removeEnvFile);
}

/** .local/stack.env describes the running stack to tools, tests and `npm run token`. */
async function writeEnvFile(env: Record<string, string>): Promise<void> {
  await Deno.mkdir(LOCAL, { recursive: true });
  await Deno.writeTextFile(`${ENV_FILE}.tmp`, formatEnvFile(env));
  await Deno.rename(`${ENV_FILE}.tmp`, ENV_FILE);
}

/**
 * A stack killed without warning leaves its env file and what it describes; this stops and
 * removes those, then the file. Does nothing when there is no env file or its stack still runs.
 */
async function cleanUpAfterDeadStack(): Promise<void> {
  const text = await Deno.readTextFile(ENV_FILE).catch(() => undefined);
  if (text === undefined) return;
  const env = parseEnvFile(text);
  if (running(Number(env.STACK_PID))) return;
  const removed = await removeLeftovers(env);
  if (removed.length > 0) {
    console.log(`Removed what a stack that was killed left behind: ${removed.join(", ")}.`);
  }
  await removeEnvFile();
}

async function removeEnvFile(): Promise<void> {
  await Deno.remove(ENV_FILE).catch(() => {});
  await Deno.remove(PID_FILE).catch(() => {});
}

async function serve(): Promise<number> {
  const stack = await startStack({ port: port(), functionLog: `${LOCAL}/function.log` });
  await writeEnvFile(stack.env);
  return await runUntilStopped(stack, removeEnvFile);
}

async function up(): Promise<number> {
  await Deno.mkdir(LOCAL, { recursive: true });
  const existing = await Deno.readTextFile(PID_FILE).catch(() => "");
  if (existing && running(Number(existing))) {
    console.error(
      `A local stack is already running (pid ${existing}); npm run stack:down stops it.`,
    );
    return 1;
  }
  await cleanUpAfterDeadStack();
  const started = performance.now();
  // setsid: the stack outlives this command and gets no terminal signals.
  const child = new Deno.Command("setsid", {
    args: [
      "sh",
      "-c",
      `exec "$0" run -A "$1" serve >"$2" 2>&1`,
      Deno.execPath(),
      new URL(import.meta.url).pathname,
      LOG_FILE,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.unref();
  await Deno.writeTextFile(PID_FILE, String(child.pid));
  let exited = false;
  child.status.then(() => (exited = true));
  try {
    await waitFor("the stack", async () => {
      if (exited) throw new Error("exited");
      return await Deno.stat(ENV_FILE).then(() => true, () => false);
    }, 120_000);
  } catch {
    console.error(
      `The local stack failed to start:\n${await Deno.readTextFile(LOG_FILE).catch(() => "")}`,
    );
    await Deno.remove(PID_FILE).catch(() => {});
    return 1;
  }
  const env = parseEnvFile(await Deno.readTextFile(ENV_FILE));
  console.log(
    `Local stack ready in ${((performance.now() - started) / 1000).toFixed(1)} s (stack ${
      (Number(env.STACK_READY_MS) / 1000).toFixed(1)
    } s)`,
  );
  console.log(`  Function ${env.FUNCTION_URL}\n  Env      ${ENV_FILE}`);
  return 0;
}

async function down(): Promise<number> {
  const pid = Number(await Deno.readTextFile(PID_FILE).catch(() => "0"));
  if (!pid || !running(pid)) {
    console.log("No local stack is running.");
    await cleanUpAfterDeadStack();
    await Deno.remove(PID_FILE).catch(() => {});
    return 0;
  }
  Deno.kill(pid, "SIGTERM");
  await waitFor("the stack to stop", () => Promise.resolve(!running(pid)), 30_000);
  await Deno.remove(PID_FILE).catch(() => {});
  console.log("Local stack stopped.");
  return 0;
}

async function token(email = "recruiter@acme.test"): Promise<number> {
  const text = await Deno.readTextFile(ENV_FILE).catch(() => undefined);
  if (!text) {
    console.error("No local stack is running: start one with npm run stack:up (or npm run dev).");
    return 1;
  }
  console.log(await signIn(parseEnvFile(text), email));
  return 0;
}

if (import.meta.main) {
  const [command, ...rest] = Deno.args;
  const commands: Record<string, () => Promise<number>> = {
    dev,
    serve,
    up,
    down,
    token: () => token(rest[0]),
  };
  const fn = commands[command];
  if (!fn) {
    console.error(`Usage: main.ts ${Object.keys(commands).join("|")}`);
    Deno.exit(2);
  }
  try {
    Deno.exit(await fn());
  } catch (error) {
    console.error(`Error: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
