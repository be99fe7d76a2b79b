/** Brings a bare cluster to what a Supabase project database holds: platform, migrations, seed. */
import { run } from "./processes.ts";

export const ROOT = new URL("../../", import.meta.url).pathname;
/** Supabase CLI 3 (npm @supabase/cli-linux-x64; see package.json). */
export const SUPABASE_CLI = `${ROOT}node_modules/supabase-cli/bin/supabase`;

/** The platform bootstrap, then migrations and seed through the pinned Supabase CLI. */
export async function prepareDatabase(
  url: string,
  options: { seed?: boolean } = {},
): Promise<void> {
  await run("psql", [
    url,
    "-v",
    "ON_ERROR_STOP=1",
    "-q",
    "-f",
    `${ROOT}tools/local-stack/platform/bootstrap.sql`,
  ]);
  // CLI 3 acts on the local stack unless told `--remote`; `--yes` answers its confirmation.
  const args = ["db", "push", `--remote=${url}?sslmode=disable`, "--yes"];
  if (options.seed !== false) args.push("--include-seed");
  await run(SUPABASE_CLI, args, {
    cwd: ROOT,
    env: { DO_NOT_TRACK: "1", SUPABASE_TELEMETRY_DISABLED: "1" },
  });
}

/** `supabase db lint` against the cluster; returns its output (throws on errors). */
export async function lintDatabase(url: string): Promise<string> {
  await run("psql", [url, "-q", "-c", "create extension if not exists plpgsql_check"]);
  return await run(SUPABASE_CLI, [
    "db",
    "lint",
    `--remote=${url}?sslmode=disable`,
    "--fail-on",
    "error",
  ], {
    cwd: ROOT,
  });
}
