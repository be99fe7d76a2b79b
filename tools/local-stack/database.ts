/** Brings a bare cluster to what a Supabase project database holds: platform, migrations, seed. */
import { npmPath } from "./npm_binaries.ts";
import { run } from "./processes.ts";

export const ROOT = new URL("../../", import.meta.url).pathname;
/** Supabase CLI 3 (npm `supabase`: its build for this platform). */
export const SUPABASE_CLI = npmPath("supabase");

/**
 * STACK_AUTO_EXPOSE: "0" for a project created since 2026-10-30, whose new objects in public are
 * not granted to the API roles by default; otherwise as before (JobMojito's project).
 */
export function autoExpose(raw = Deno.env.get("STACK_AUTO_EXPOSE")): boolean {
  return raw !== "0";
}

/**
 * The platform bootstrap, then migrations and seed through the pinned Supabase CLI: every
 * migration, or only `migrations` (a database deployed up to some point).
 */
export async function prepareDatabase(
  url: string,
  options: { seed?: boolean; autoExpose?: boolean; migrations?: string[] } = {},
): Promise<void> {
  const platform = [
    "bootstrap.sql",
    ...(options.autoExpose ?? autoExpose() ? ["auto_expose.sql"] : []),
  ];
  for (const file of platform) {
    await run("psql", [
      url,
      "-v",
      "ON_ERROR_STOP=1",
      "-q",
      "-f",
      `${ROOT}tools/local-stack/platform/${file}`,
    ]);
  }
  await pushMigrations(url, options.migrations ?? await migrationFiles(), {
    seed: options.seed !== false,
  });
}

/** `supabase db lint` against the cluster; returns its output (throws on errors). */
export async function lintDatabase(url: string): Promise<string> {
  await run("psql", [
    url,
    "-q",
    "-c",
    "create extension if not exists plpgsql_check with schema extensions",
  ]);
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

export const MIGRATIONS_DIR = `${ROOT}supabase/migrations`;
/**
 * JobMojito's tables as its production project has them: on that project this file is marked
 * applied (`markApplied`), never run; a new project runs it first (docs/database.md).
 */
export const BASELINE = "20261128100000_jobmojito_baseline.sql";

/** The migration files, in the order the CLI applies them. */
export async function migrationFiles(): Promise<string[]> {
  const files: string[] = [];
  for await (const e of Deno.readDir(MIGRATIONS_DIR)) {
    if (e.isFile && /^\d+_.*\.sql$/.test(e.name)) files.push(e.name);
  }
  return files.sort();
}

/** A workdir of its own holding config.toml, the seed and exactly `files` of the migrations. */
async function withWorkdir<T>(files: string[], fn: (dir: string) => Promise<T>): Promise<T> {
  const work = await Deno.makeTempDir({ prefix: "jid-push-" });
  try {
    await Deno.mkdir(`${work}/supabase/migrations`, { recursive: true });
    await Deno.copyFile(`${ROOT}supabase/config.toml`, `${work}/supabase/config.toml`);
    await Deno.copyFile(`${ROOT}supabase/seed.sql`, `${work}/supabase/seed.sql`);
    for (const f of files) {
      await Deno.copyFile(`${MIGRATIONS_DIR}/${f}`, `${work}/supabase/migrations/${f}`);
    }
    return await fn(work);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

const CLI_ENV = { DO_NOT_TRACK: "1", SUPABASE_TELEMETRY_DISABLED: "1" };

/**
 * `supabase migration repair --status applied <version>`: records a migration as applied without
 * running it, as JobMojito does for the baseline its production already holds.
 */
export async function markApplied(url: string, file: string): Promise<string> {
  return await withWorkdir(await migrationFiles(), (work) =>
    run(SUPABASE_CLI, [
      "migration",
      "repair",
      "--status",
      "applied",
      file.split("_")[0],
      `--remote=${url}?sslmode=disable`,
      "--yes",
      `--workdir=${work}`,
    ], { env: CLI_ENV }));
}

/**
 * `supabase db push` of exactly `files` (and, with `seed`, the seed) from a workdir of their own,
 * as a deploy that has reached a given migration would push: the CLI applies whichever of them the
 * database has not recorded yet, each file in its own transaction.
 */
export async function pushMigrations(
  url: string,
  files: string[],
  options: { seed?: boolean } = {},
): Promise<string> {
  return await withWorkdir(files, (work) => {
    const args = ["db", "push", `--remote=${url}?sslmode=disable`, "--yes", `--workdir=${work}`];
    if (options.seed) args.push("--include-seed");
    return run(SUPABASE_CLI, args, { env: CLI_ENV });
  });
}
