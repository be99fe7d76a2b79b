// Every function of the deployed function, arrow functions and methods included, in at most 60
// lines: a newcomer reads each step whole. Measured on the AST (Deno's lint plugin API), by the
// lines between the function's first and last character.
import assert from "node:assert/strict";

const DIR = new URL("../../supabase/functions/job-interview-details/", import.meta.url);
const MAX_LINES = 60;

type Measured = { name: string; lines: number };

/** A function's name: its own, or the variable, property or method it is assigned to. */
type FunctionNode =
  | Deno.lint.FunctionDeclaration
  | Deno.lint.FunctionExpression
  | Deno.lint.ArrowFunctionExpression;

function nameOf(node: FunctionNode): string | undefined {
  const named = (n: unknown) => (n as { name?: string } | undefined)?.name;
  if ("id" in node && named(node.id)) return named(node.id);
  const parent = node.parent;
  if (parent.type === "VariableDeclarator") return named(parent.id);
  if (parent.type === "Property" || parent.type === "MethodDefinition") return named(parent.key);
  return undefined;
}

/** Every function in `source`, with its line count, named by where it starts. */
export function functionLengths(file: string, source: string): Measured[] {
  const plugin: Deno.lint.Plugin = {
    name: "length",
    rules: {
      lines: {
        create(ctx) {
          const measure = (node: FunctionNode) => {
            const [start, end] = node.range;
            const text = ctx.sourceCode.text;
            const line = text.slice(0, start).split("\n").length;
            const name = nameOf(node);
            ctx.report({
              node,
              message: JSON.stringify({
                name: `${file}:${line}${name ? ` ${name}` : ""}`,
                lines: text.slice(start, end).split("\n").length,
              }),
            });
          };
          return {
            FunctionDeclaration: measure,
            FunctionExpression: measure,
            ArrowFunctionExpression: measure,
          };
        },
      },
    },
  };
  return Deno.lint.runPlugin(plugin, file, source).map((d) => JSON.parse(d.message));
}

Deno.test("functionLengths() counts declarations, arrows and methods by their lines", () => {
  const source = [
    "function one() {",
    "  return () =>",
    "    2;",
    "}",
    "class A {",
    "  m() {",
    "    return 3;",
    "  }",
    "}",
  ].join("\n");
  assert.deepEqual(
    functionLengths("x.ts", source).sort((a, b) => a.name.localeCompare(b.name)),
    [
      { name: "x.ts:1 one", lines: 4 },
      { name: "x.ts:2", lines: 2 },
      { name: "x.ts:6 m", lines: 3 },
    ],
  );
});

Deno.test(`no function of the deployed function is longer than ${MAX_LINES} lines`, async () => {
  const all: Measured[] = [];
  for await (const entry of Deno.readDir(DIR)) {
    if (!entry.name.endsWith(".ts")) continue;
    all.push(...functionLengths(entry.name, await Deno.readTextFile(new URL(entry.name, DIR))));
  }
  all.sort((a, b) => b.lines - a.lines);
  if (Deno.env.get("SHOW_LENGTHS")) {
    console.table(all.slice(0, Number(Deno.env.get("SHOW_LENGTHS"))));
  }
  assert.ok(all.length > 50, `found ${all.length} functions`);
  const over = all.filter((f) => f.lines > MAX_LINES);
  assert.deepEqual(over, [], `longest: ${JSON.stringify(all.slice(0, 5))}`);
});
