/**
 * `npm test`: the whole suite. fmt, lint and type check; pgTAP on its own throwaway cluster;
 * unit tests; then a local stack of its own for the integration and e2e tests; then the audit
 * of what they left behind (logs). Ends with one line: `N passed, N failed[, N skipped]`.
 */
import { lintDatabase, prepareDatabase, ROOT } from "../local-stack/database.ts";
import { formatEnvFile } from "../local-stack/main.ts";
import { ensurePackages, SUITE_PROOFS } from "../local-stack/packages.ts";
import { startCluster } from "../local-stack/postgres.ts";
import { startStack } from "../local-stack/stack.ts";

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
): Promise<{ code: number; out: string }> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: ROOT,
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
  try {
    await prepareDatabase(cluster.url);
    try {
      await lintDatabase(cluster.url);
      record("supabase db lint", 1, 0);
    } catch (e) {
      console.error((e as Error).message);
      record("supabase db lint", 0, 1);
    }
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
    record("pgTAP", ok, notOk || (planned ? 0 : 1));
  } finally {
    await cluster.stop();
  }
}

async function main(): Promise<number> {
  await Deno.mkdir(OUT, { recursive: true });
  await ensurePackages(SUITE_PROOFS);
  const deno = Deno.execPath();
  await check("deno fmt --check", deno, ["fmt", "--check"]);
  await check("deno lint", deno, ["lint"]);
  await check("deno check", deno, ["check"]);
  await pgTap();
  await denoTest("unit", ["tests/unit"]);

  const functionLog = `${OUT}/function.log`;
  await Deno.remove(functionLog).catch(() => {});
  const stack = await startStack({ port: 0, functionLog });
  const envFile = `${OUT}/stack.env`;
  try {
    await Deno.writeTextFile(envFile, formatEnvFile(stack.env));
    const env = { STACK_ENV_FILE: envFile, TEST_OUTPUT_DIR: OUT };
    await denoTest("integration", ["tests/integration"], env);
    await denoTest("e2e", ["tests/e2e"], env);
  } finally {
    await stack.stop();
  }
  await denoTest("audit", ["tests/audit"], {
    FUNCTION_LOG_FILE: functionLog,
    STACK_ENV_FILE: envFile,
  });

  if (failures.length) console.log(`Failed: ${failures.join(", ")}`);
  const skipped = totals.skipped ? `, ${totals.skipped} skipped` : "";
  console.log(`${totals.passed} passed, ${totals.failed} failed${skipped}`);
  return totals.failed === 0 ? 0 : 1;
}

try {
  Deno.exit(await main());
} catch (error) {
  console.error(`Error: ${(error as Error).message}`);
  console.log(`${totals.passed} passed, ${totals.failed + 1} failed`);
  Deno.exit(1);
}
