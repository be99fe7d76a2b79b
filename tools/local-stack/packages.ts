/**
 * What the local stack and the test suite need beyond npm's packages: Debian's, installed with
 * apt-get when missing (as root), each proven by a file; and which of npm's binaries each run
 * needs, with a clear message when one is missing (npm_binaries.ts).
 */
import { SUPABASE_CLI } from "./database.ts";
import { EDGE_DENO } from "./function_process.ts";
import { missingNpmTool, npmPath, type NpmToolName, platformOf } from "./npm_binaries.ts";

/** Debian packages, by the file that proves each. */
export const REQUIRED_PACKAGES: Record<string, string> = {
  "/usr/lib/postgresql/15/bin/initdb": "postgresql-15",
  "/usr/share/postgresql/15/extension/pgtap.control": "postgresql-15-pgtap",
  "/usr/share/postgresql/15/extension/plpgsql_check.control": "postgresql-15-plpgsql-check",
  "/usr/bin/pg_prove": "libtap-parser-sourcehandler-pgtap-perl",
  "/usr/bin/psql": "postgresql-client-15",
  "/usr/bin/espeak-ng": "espeak-ng",
  "/usr/bin/sox": "sox",
  "/usr/bin/chromium": "chromium",
  "/usr/bin/wrk": "wrk",
};

/** npm's binaries, by the path the tools run them from. */
const NPM_PROOFS: Record<string, NpmToolName> = {
  [EDGE_DENO]: "edgeDeno",
  [npmPath("postgres17")]: "postgres17",
  [npmPath("squawk")]: "squawk",
  [SUPABASE_CLI]: "supabase",
};

/** What `npm test` needs: every Debian package but the load generator, and npm's binaries. */
export const SUITE_PROOFS = [
  ...Object.keys(REQUIRED_PACKAGES).filter((p) => p !== "/usr/bin/wrk"),
  ...Object.keys(NPM_PROOFS),
];

/** What a Mac runs instead of the two commands (docs/setup.md says more). */
export const MACOS_MESSAGE = `npm run dev and npm test run on Debian or Ubuntu: they use \
PostgreSQL 15 with pgTAP and plpgsql_check, Chromium, espeak-ng and sox from Debian's packages \
and install them with apt-get. On macOS:
  npm run check                          fmt, lint and type checks
  sh tools/deno.sh test -A tests/unit    the unit tests
  the integration and client tests against supabase start (Docker), or both commands in a
  Debian container: docs/setup.md, "On macOS".`;

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Debian packages whose proof file is missing, for the given proofs (all by default). */
export function missingPackages(proofs = Object.keys(REQUIRED_PACKAGES)): string[] {
  const debian = proofs.filter((p) => p in REQUIRED_PACKAGES);
  return [...new Set(debian.filter((p) => !exists(p)).map((p) => REQUIRED_PACKAGES[p]))];
}

/** What is wrong with npm's binaries among the proofs, one message each. */
export function missingNpmBinaries(proofs: string[], platform = platformOf()): string[] {
  return proofs.filter((p) => p in NPM_PROOFS && !exists(p)).map((p) =>
    missingNpmTool(NPM_PROOFS[p], platform) ?? `${p} (EDGE_DENO) does not exist.`
  );
}

/** Why this machine can't have the missing Debian packages installed here, if it can't. */
export function notDebian(missing: string[], os = Deno.build.os): string | undefined {
  if (os === "darwin") return MACOS_MESSAGE;
  if (os === "linux" && exists("/usr/bin/apt-get")) return undefined;
  return `Missing ${missing.join(", ")} (Debian's names): npm run dev and npm test install ` +
    `them with apt-get on Debian or Ubuntu. Here, install the same programs at the same paths, ` +
    `or run in a Debian container (docs/setup.md).`;
}

/**
 * Checks npm's binaries among the proofs, then installs the missing Debian packages when running
 * as root on Debian; otherwise throws with the exact apt-get line (or, off Debian, what to do).
 */
export async function ensurePackages(proofs = Object.keys(REQUIRED_PACKAGES)): Promise<void> {
  const missing = missingPackages(proofs);
  const elsewhere = missing.length > 0 ? notDebian(missing) : undefined;
  if (elsewhere) throw new Error(elsewhere);
  const npm = missingNpmBinaries(proofs);
  if (npm.length > 0) throw new Error(npm.join("\n"));
  if (missing.length === 0) return;
  const line = `apt-get install -y --no-install-recommends ${missing.join(" ")}`;
  if (Deno.uid() !== 0) {
    throw new Error(`Missing Debian packages: ${missing.join(", ")}. Run: sudo ${line}`);
  }
  console.error(`Installing Debian packages: ${missing.join(" ")}`);
  for (
    const args of [["update", "-qq"], [
      "install",
      "-y",
      "-qq",
      "--no-install-recommends",
      ...missing,
    ]]
  ) {
    const { code } = await new Deno.Command("apt-get", {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdout: "null",
      stderr: "inherit",
    }).output();
    if (code !== 0) throw new Error(`apt-get ${args[0]} failed (exit ${code}). Run: ${line}`);
  }
}
