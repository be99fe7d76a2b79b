/**
 * `npm test`: the whole suite. fmt, lint and type check (the function also alone, as deployed,
 * under both Denos); squawk over the migrations; pgTAP, `supabase db lint` and `supabase db
 * advisors` on a throwaway cluster; unit tests; the database tier (clusters of its own); then a
 * local stack of its own for the integration, e2e and client tests; then the audit of what they
 * left behind (logs).
 * `npm run test:edge` (`--edge`): the stack's tiers again with the function under the hosted
 * Edge Runtime's Deno (2.1.4).
 * `npm run test:new-project` (`--new-project`): a project created today: PostgreSQL 17, its
 * legacy API keys off, nothing in public granted by default; pgTAP, advisors, the database tier
 * and the stack's tiers, the function under 2.1.4.
 * The stack's tiers end with the upstream tier (cases from PostgREST's and Auth's own suites),
 * against the stand-ins as PostgREST 16 (the CLI's); `npm test` runs it again on a stack whose
 * stand-in copies PostgREST 14, as hosted projects not yet moved to 16 run.
 * Each ends with one line: `N passed, N failed[, N skipped]`.
 */
import { lintDatabase, prepareDatabase, ROOT, SUPABASE_CLI } from "../local-stack/database.ts";
import {
  EDGE_DENO,
  FUNCTION_NAME,
  functionRuntime,
  type Runtime,
  stageFunction,
} from "../local-stack/function_process.ts";
import { formatEnvFile } from "../local-stack/main.ts";
import { npmPath } from "../local-stack/npm_binaries.ts";
import { ensurePackages, SUITE_PROOFS } from "../local-stack/packages.ts";
import { startCluster } from "../local-stack/postgres.ts";
import type { PostgrestVersion } from "../local-stack/gateway/postgrest.ts";
import { startStack } from "../local-stack/stack.ts";

const GATED_NAME = "verify-jwt-on";

const OUT = `${ROOT}test-output`;
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures: string[] = [];

function record(name: string, passed: number, failed: number, skipped = 0) {
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += skipped;
  if (failed) failures.push(name);
  console.log(
    `-- ${name}: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`,
  );
}

async function exec(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
  cwd = ROOT,
): Promise<{ code: number; out: string }> {
  const child = new Deno.Command(cmd, {
    args,
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  const decoder = new TextDecoder();
  const pump = async (stream: ReadableStream<Uint8Array>, sink: typeof Deno.stdout) => {
    for await (const chunk of stream) {
      out += decoder.decode(chunk, { stream: true });
      await sink.write(chunk);
    }
  };
  const [status] = await Promise.all([
    child.status,
    pump(child.stdout, Deno.stdout),
    pump(child.stderr, Deno.stderr),
  ]);
  return { code: status.code, out };
}

/** A check that passes or fails as a whole. */
async function check(name: string, cmd: string, args: string[]) {
  const { code } = await exec(cmd, args);
  record(name, code === 0 ? 1 : 0, code === 0 ? 0 : 1);
}

/** Deno's own summary: "ok | 85 passed | 0 failed | 1 ignored". */
async function denoTest(name: string, paths: string[], env: Record<string, string> = {}) {
  const { code, out } = await exec(Deno.execPath(), ["test", "-A", ...paths], env);
  const m = /(\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed(?: \| (\d+) ignored)?/.exec(
    out.split("\n").reverse().find((l) => / passed .*failed/.test(l)) ?? "",
  );
  if (!m) return record(`${name} (no summary: exit ${code})`, 0, 1);
  record(name, Number(m[1]), Number(m[2]) || (code === 0 ? 0 : 1), Number(m[3] ?? 0));
}

async function pgTap() {
  const cluster = await startCluster();
  const on = `PostgreSQL ${cluster.major}`;
  try {
    await prepareDatabase(cluster.url);
    // plpgsql_check, which `db lint` runs, is built for 15 only here (docs/testing.md).
    if (cluster.major === 15) {
      try {
        await lintDatabase(cluster.url);
        record("supabase db lint", 1, 0);
      } catch (e) {
        console.error((e as Error).message);
        record("supabase db lint", 0, 1);
      }
    }
    // The dashboard's Security and Performance Advisors: no warning and no error on the migrated
    // and seeded database (notes, such as indexes the seed never used, are printed).
    await check(`supabase db advisors (${on})`, SUPABASE_CLI, [
      "db",
      "advisors",
      `--remote=${cluster.url}?sslmode=disable`,
      "--fail-on",
      "warn",
    ]);
    const { out } = await exec("pg_prove", [
      "-v",
      "-d",
      cluster.url,
      "--ext",
      ".sql",
      "supabase/tests/",
    ]);
    const lines = out.split("\n");
    const ok = lines.filter((l) => /^\s*ok \d+/.test(l)).length;
    const notOk = lines.filter((l) => /^\s*not ok \d+/.test(l)).length;
    const planned = /Result: PASS/.test(out);
    record(`pgTAP (${on})`, ok, notOk || (planned ? 0 : 1));
  } finally {
    await cluster.stop();
  }
}

/** `deno check` of the function alone, staged as a deploy uploads it, with its own deno.json. */
async function checkFunction(runtime: Runtime) {
  const staged = await stageFunction();
  try {
    const folder = `${staged}/${FUNCTION_NAME}`;
    const { code } = await exec(
      runtime.deno,
      ["check", `--config=${folder}/deno.json`, "--no-lock", "index.ts"],
      runtime.env,
      folder,
    );
    record(`deno check of the function alone (Deno ${runtime.version})`, code === 0 ? 1 : 0, code);
  } finally {
    await Deno.remove(staged, { recursive: true });
  }
}

/** The tiers that need a stack: integration, e2e, the real clients; then the log audit. */
async function stackTiers(runtime: Runtime, label: string) {
  const functionLog = `${OUT}/function${label}.log`;
  await Deno.remove(functionLog).catch(() => {});
  // Every request is logged here (the suite's audit reads each line); the budget that hosted
  // functions need is tested on its own (tests/integration/log_budget_test.ts).
  const stack = await startStack({
    port: 0,
    functionLog,
    runtime,
    functionEnv: { LOG_SAMPLE_EVERY: "1", LOG_EVENTS_PER_10S: "1000000" },
  });
  const envFile = `${OUT}/stack${label}.env`;
  try {
    // The same function under a second name whose config keeps the platform's verify_jwt gate
    // on: what the gate does to callers is tested there (tests/integration/gate_test.ts).
    const direct = new URL(stack.env.FUNCTION_DIRECT_URL).origin;
    stack.functions.set(GATED_NAME, { url: direct, verifyJwt: true });
    const gated = `${stack.env.SUPABASE_URL}/functions/v1/${GATED_NAME}`;
    await Deno.writeTextFile(
      envFile,
      formatEnvFile({ ...stack.env, FUNCTION_GATED_URL: gated }),
    );
    const env = { STACK_ENV_FILE: envFile, TEST_OUTPUT_DIR: OUT, FUNCTION_DENO: runtime.deno };
    for (const tier of ["integration", "e2e", "clients"]) {
      await denoTest(`${tier}${label}`, [`tests/${tier}`], env);
    }
    await denoTest(`upstream (PostgREST ${stack.env.STACK_POSTGREST_VERSION})${label}`, [
      "tests/upstream",
    ], env);
  } finally {
    await stack.stop();
  }
  await denoTest(`audit${label}`, ["tests/audit"], {
    FUNCTION_LOG_FILE: functionLog,
    STACK_ENV_FILE: envFile,
  });
}

/** The upstream tier alone, on a stack of its own whose PostgREST stand-in copies `version`. */
async function upstreamTier(runtime: Runtime, version: PostgrestVersion) {
  const stack = await startStack({
    port: 0,
    functionLog: `${OUT}/function-postgrest${version}.log`,
    runtime,
    postgrestVersion: version,
  });
  const envFile = `${OUT}/stack-postgrest${version}.env`;
  try {
    await Deno.writeTextFile(envFile, formatEnvFile(stack.env));
    await denoTest(`upstream (PostgREST ${version})`, ["tests/upstream"], {
      STACK_ENV_FILE: envFile,
      TEST_OUTPUT_DIR: OUT,
    });
  } finally {
    await stack.stop();
  }
}

/** A project created today: PostgreSQL 17, legacy API keys off, no default grants in public. */
const NEW_PROJECT = { STACK_PG_MAJOR: "17", STACK_LEGACY_KEYS: "0", STACK_AUTO_EXPOSE: "0" };

async function main(mode: "all" | "edge" | "new-project"): Promise<number> {
  await Deno.mkdir(OUT, { recursive: true });
  await ensurePackages(SUITE_PROOFS);
  if (mode === "edge") {
    const runtime = functionRuntime(EDGE_DENO);
    console.log(`The function runs under Deno ${runtime.version} (${runtime.deno}), as hosted.`);
    await stackTiers(runtime, " (edge)");
  } else if (mode === "new-project") {
    // Read by the stack, the clusters and every test process this run starts.
    for (const [k, v] of Object.entries(NEW_PROJECT)) Deno.env.set(k, v);
    const runtime = functionRuntime(EDGE_DENO);
    console.log(
      `A project created today: PostgreSQL 17, legacy API keys off, no default grants; the function under Deno ${runtime.version}.`,
    );
    await pgTap();
    await denoTest("database (new project)", ["tests/database"]);
    await stackTiers(runtime, " (new project)");
  } else {
    const deno = Deno.execPath();
    await check("deno fmt --check", deno, ["fmt", "--check"]);
    await check("deno lint", deno, ["lint"]);
    await check("deno check", deno, ["check"]);
    await checkFunction(functionRuntime(deno));
    await checkFunction(functionRuntime(EDGE_DENO));
    await check("squawk (supabase/migrations)", npmPath("squawk"), [
      "supabase/migrations/*.sql",
    ]);
    await pgTap();
    await denoTest("unit", ["tests/unit"]);
    await denoTest("database", ["tests/database"]);
    await stackTiers(functionRuntime(deno), "");
    await upstreamTier(functionRuntime(deno), 14);
  }

  if (failures.length) console.log(`Failed: ${failures.join(", ")}`);
  const skipped = totals.skipped ? `, ${totals.skipped} skipped` : "";
  console.log(`${totals.passed} passed, ${totals.failed} failed${skipped}`);
  return totals.failed === 0 ? 0 : 1;
}

try {
  const mode = Deno.args.includes("--edge")
    ? "edge"
    : Deno.args.includes("--new-project")
    ? "new-project"
    : "all";
  Deno.exit(await main(mode));
} catch (error) {
  console.error(`Error: ${(error as Error).message}`);
  console.log(`${totals.passed} passed, ${totals.failed + 1} failed`);
  Deno.exit(1);
}
