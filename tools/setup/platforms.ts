/**
 * `npm run check:platforms [-- <platform>...]`: proves that `npm ci` installs on every platform
 * package.json names (macOS and Linux, arm64 and x64), from this machine. For each, in a temp
 * copy of package.json and package-lock.json: `npm ci --os=<os> --cpu=<cpu>` (npm's flags for
 * installing another platform's optional packages, install scripts run as npm runs them), then
 * each binary the tools would pick on that platform must be there and built for it (`file`).
 * Needs the registry (about 250 MB a platform, from npm's cache after the first run); prints
 * `N passed, N failed`.
 */
import { NPM_TOOLS, npmPath, type NpmToolName, PLATFORMS } from "../local-stack/npm_binaries.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** What `file` says of a binary built for each platform (PostgreSQL's macOS builds are universal). */
const BUILT_FOR: Record<string, RegExp> = {
  "darwin-arm64": /Mach-O .*arm64/,
  "darwin-x64": /Mach-O .*x86_64/,
  "linux-arm64": /ELF 64-bit .*aarch64/,
  "linux-x64": /ELF 64-bit .*x86-64/,
};

async function output(cmd: string, args: string[], cwd = ROOT) {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { ok: out.success, text: text.trim() };
}

/** The package (name@version) the lockfile has in `folder`. */
function locked(
  lock: { packages: Record<string, { name?: string; version: string }> },
  folder: string,
) {
  const entry = lock.packages[`node_modules/${folder}`];
  return entry ? `${entry.name ?? folder}@${entry.version}` : undefined;
}

async function checkPlatform(platform: string, lock: Parameters<typeof locked>[0]) {
  const [os, cpu] = platform.split("-");
  const dir = await Deno.makeTempDir({ prefix: `npm-ci-${platform}-` });
  const results: boolean[] = [];
  try {
    for (const f of ["package.json", "package-lock.json"]) {
      await Deno.copyFile(`${ROOT}${f}`, `${dir}/${f}`);
    }
    const ci = await output(
      "npm",
      ["ci", `--os=${os}`, `--cpu=${cpu}`, "--no-audit", "--no-fund"],
      dir,
    );
    console.log(
      `${platform}: npm ci --os=${os} --cpu=${cpu}: ${ci.ok ? "ok" : "FAILED"} (${
        ci.text.split("\n").at(-1)
      })`,
    );
    results.push(ci.ok);
    if (!ci.ok) return results;
    for (const tool of Object.keys(NPM_TOOLS) as NpmToolName[]) {
      const path = npmPath(tool, undefined, platform, `${dir}/node_modules/`);
      const pkg = locked(lock, NPM_TOOLS[tool].folder(platform));
      const file = await output("file", ["-b", path]);
      const ok = file.ok && BUILT_FOR[platform].test(file.text);
      let why = file.text.split("\n")[0].slice(0, 60);
      if (!ok && pkg && !(await output("npm", ["view", pkg, "version"])).ok) {
        why = `not installed: the registry has no ${pkg}`;
      }
      console.log(
        `  ${ok ? "ok  " : "FAIL"} ${NPM_TOOLS[tool].what}: ${
          pkg ?? "not in the lockfile"
        }: ${why}`,
      );
      results.push(ok);
    }
    return results;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const lock = JSON.parse(await Deno.readTextFile(`${ROOT}package-lock.json`));
  const platforms = Deno.args.length > 0 ? Deno.args : [...PLATFORMS];
  const results: boolean[] = [];
  for (const platform of platforms) {
    if (!BUILT_FOR[platform]) {
      throw new Error(`Unknown platform ${platform}: ${PLATFORMS.join(", ")}`);
    }
    results.push(...await checkPlatform(platform, lock));
  }
  const passed = results.filter(Boolean).length;
  console.log(`${passed} passed, ${results.length - passed} failed`);
  Deno.exit(passed === results.length ? 0 : 1);
}
