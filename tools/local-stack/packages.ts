/** Debian packages the local stack and the test suite need, by the binary that proves each. */
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

/** What `npm test` needs: everything but the load generator. */
export const SUITE_PROOFS = Object.keys(REQUIRED_PACKAGES).filter((p) => p !== "/usr/bin/wrk");

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Packages whose proof file is missing, for the given proofs (all by default). */
export function missingPackages(proofs = Object.keys(REQUIRED_PACKAGES)): string[] {
  return [...new Set(proofs.filter((p) => !exists(p)).map((p) => REQUIRED_PACKAGES[p]))];
}

/**
 * Installs what is missing when running as root; otherwise throws with the exact apt-get line,
 * so a developer without root knows what to run.
 */
export async function ensurePackages(proofs?: string[]): Promise<void> {
  const missing = missingPackages(proofs);
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
