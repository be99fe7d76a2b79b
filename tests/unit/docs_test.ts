// The README and docs/ held to the repository: the README stays short, every link and anchor
// resolves, every file, script and setting they name exists, their commands run Deno as the
// project does, and what they state about the migrations and the configuration is what the code
// holds. (docs/who-sees-what.md's list is held to Postgres by tests/database.)
import assert from "node:assert/strict";
import { existsSync, readdirSync, statSync } from "node:fs";
import { EnvSchema } from "../../supabase/functions/job-interview-details/config.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const read = (path: string) => Deno.readTextFileSync(`${ROOT}${path}`);
const DOCS = readdirSync(`${ROOT}docs`).filter((f) => f.endsWith(".md")).sort();
const PAGES = ["README.md", ...DOCS.map((f) => `docs/${f}`)];

/** Paths the docs name that a reader makes, not the repository. */
const MADE_BY_THE_READER = new Set([
  "supabase/signing_keys.json", // `supabase gen signing-key`, for a real stack (docs/testing.md)
  "supabase/functions/.env", // the env file `supabase functions serve` reads (docs/testing.md)
]);

/** A page without its fenced code blocks (headings and links inside them are not the page's). */
function prose(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");
}

/** The fenced code blocks' lines. */
function codeLines(markdown: string): string[] {
  return [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```$/gm)].flatMap((m) => m[1].split("\n"));
}

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6} +(.+?) *$/gm)) {
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

/** Resolves `target` as a link on `page` does: a repository path (or one outside it). */
function resolve(page: string, target: string): string {
  const dir = page.includes("/") ? page.slice(0, page.lastIndexOf("/") + 1) : "";
  const parts: string[] = [];
  for (const part of `${dir}${target}`.split("/")) {
    if (part === "..") parts.length && parts.at(-1) !== ".." ? parts.pop() : parts.push(part);
    else if (part !== "." && part !== "") parts.push(part);
  }
  return parts.join("/");
}

Deno.test("README.md is at most 250 lines", () => {
  const lines = read("README.md").split("\n").length - 1;
  assert.ok(lines <= 250, `README.md has ${lines} lines: move detail to docs/`);
});

Deno.test("every link in the README and docs/ resolves, anchors included", () => {
  const broken: string[] = [];
  for (const page of PAGES) {
    const text = prose(read(page));
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [file, anchor] = target.split("#");
      const path = file ? resolve(page, file) : page;
      if (!existsSync(`${ROOT}${path}`)) {
        broken.push(`${page}: ${target} (no such file)`);
        continue;
      }
      if (anchor && (!path.endsWith(".md") || !anchors(read(path)).has(anchor))) {
        broken.push(`${page}: ${target} (no such heading)`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

Deno.test("the README links every file in docs/, and docs/README.md indexes them", () => {
  const readme = read("README.md");
  const index = read("docs/README.md");
  for (const file of DOCS) {
    assert.ok(readme.includes(`](docs/${file})`), `README.md links docs/${file}`);
    if (file !== "README.md") assert.ok(index.includes(`](${file})`), `docs/README.md: ${file}`);
  }
});

/** Every file in the repository by its name, for names written without their folder. */
function fileNames(dir = ROOT, out = new Set<string>()): Set<string> {
  for (const entry of readdirSync(dir)) {
    if (["node_modules", ".git", ".local", "test-output"].includes(entry)) continue;
    const path = `${dir}${entry}`;
    if (statSync(path).isDirectory()) fileNames(`${path}/`, out);
    else out.add(entry);
  }
  return out;
}

Deno.test("every file the README and docs/ name exists", () => {
  const names = fileNames();
  const missing: string[] = [];
  for (const page of PAGES) {
    for (const [, code] of read(page).matchAll(/`([^`\n]+)`/g)) {
      for (const token of code.split(/[\s,;()]+/)) {
        const path = token.replace(/[.:]+$/, "");
        if (/[<>*]/.test(path) || MADE_BY_THE_READER.has(path)) continue;
        if (/^(supabase|tests|tools|bench|docs|\.ci)\/[\w./-]*$/.test(path)) {
          if (!existsSync(`${ROOT}${path}`)) missing.push(`${page}: ${path}`);
        } else if (/^[\w-]+\.(ts|sql|toml|sh)$/.test(path) && !names.has(path)) {
          missing.push(`${page}: ${path}`);
        }
      }
    }
  }
  assert.deepEqual(missing, []);
});

Deno.test("every `npm run` script the README and docs/ name is in package.json", () => {
  const scripts = Object.keys(JSON.parse(read("package.json")).scripts);
  const unknown = PAGES.flatMap((page) =>
    [...read(page).matchAll(/npm run (?:-s )?([\w-]+(?::[\w-]+)*)/g)]
      .map((m) => m[1])
      .filter((name) => !scripts.includes(name))
      .map((name) => `${page}: npm run ${name}`)
  );
  assert.deepEqual(unknown, []);
});

Deno.test("the docs' commands run Deno through tools/deno.sh, never a bare deno", () => {
  const bare = PAGES.flatMap((page) =>
    codeLines(read(page))
      .filter((line) => /^\s*(?:[A-Z_]+=\S+\s+)*deno\s/.test(line))
      .map((line) => `${page}: ${line.trim()}`)
  );
  assert.deepEqual(bare, []);
});

Deno.test("every migration sets lock_timeout and statement_timeout before anything else", () => {
  // docs/database.md: "Each file sets lock_timeout = '750ms' and statement_timeout = '60s' for its
  // own transaction"; the README's deployment says the same.
  const dir = `${ROOT}supabase/migrations`;
  const files = readdirSync(dir).filter((f) => f.endsWith(".sql")).sort();
  assert.ok(files.length > 0);
  for (const file of files) {
    const statements = Deno.readTextFileSync(`${dir}/${file}`)
      .replace(/--[^\n]*/g, "")
      .split(";")
      .map((s) => s.trim().replace(/\s+/g, " ").toLowerCase())
      .filter(Boolean);
    assert.deepEqual(statements.slice(0, 2), [
      "set local lock_timeout = '750ms'",
      "set local statement_timeout = '60s'",
    ], file);
  }
});

Deno.test("the README's configuration table is the function's environment, defaults included", () => {
  const readme = read("README.md");
  const section = readme.slice(readme.indexOf("\n## Configuration"));
  const rows = [...section.matchAll(/^\| `([A-Z_0-9]+)` +\| (.+?) +\|/gm)].map((
    [, name, cell],
  ) => ({ name, cell }));
  assert.deepEqual(rows.map((r) => r.name).sort(), Object.keys(EnvSchema.shape).sort());
  const defaults = EnvSchema.parse({ SUPABASE_URL: "http://x" }) as Record<string, unknown>;
  for (const { name, cell } of rows) {
    const literal = /^`([^`]+)`$/.exec(cell)?.[1];
    const isVariable = literal !== undefined && Object.hasOwn(EnvSchema.shape, literal);
    const actual = defaults[name];
    const shown = Array.isArray(actual) ? actual.join(",") : actual;
    if (literal !== undefined && !isVariable) assert.equal(String(shown), literal, name);
    else if (name !== "SUPABASE_URL") assert.equal(shown, undefined, `${name} has no default`);
  }
});
