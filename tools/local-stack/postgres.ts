/** A throwaway PostgreSQL 15 cluster in a temp dir, run as the `postgres` user when root. */
import { freePort, portInUse, run } from "./processes.ts";

const BIN = "/usr/lib/postgresql/15/bin";

export interface Cluster {
  /** Superuser URL (trust auth on loopback). */
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

function asPostgres(cmd: string, args: string[]): [string, string[]] {
  // initdb refuses to run as root: hand the cluster to the postgres user.
  return Deno.uid() === 0 ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
}

/** Stops the cluster in `dir` (if it runs) and removes the dir. */
export async function removeCluster(dir: string): Promise<void> {
  await run(...asPostgres(`${BIN}/pg_ctl`, ["-D", `${dir}/data`, "-m", "immediate", "-w", "stop"]))
    .catch(() => {});
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

export async function startCluster(options: { port?: number } = {}): Promise<Cluster> {
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
  return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, port, dir, stop };
}
