// The local stack's failure modes: a port in use, a crashed child and a killed stack give a clear
// message and leave no process or temp dir behind. Starts stacks of its own; skipped against a real stack.
import assert from "node:assert/strict";
import { ROOT } from "../../tools/local-stack/database.ts";
import { parseEnvFile } from "../../tools/local-stack/main.ts";
import { running, waitFor } from "../../tools/local-stack/processes.ts";
import { startStack } from "../../tools/local-stack/stack.ts";

const local = !Deno.env.get("REAL_STACK");

/**
 * Runs `fn` with TMPDIR set to a directory of its own, so that the temp dirs it checks are only
 * those of the stacks it starts (other stacks on the machine, other runs' among them, come and go
 * in the shared one).
 */
async function ownTmp(fn: () => Promise<void>): Promise<void> {
  const previous = Deno.env.get("TMPDIR");
  const dir = await Deno.makeTempDir({ prefix: "jid-lifecycle-" });
  // As open as /tmp: PostgreSQL runs as its own user.
  await Deno.chmod(dir, 0o1777);
  Deno.env.set("TMPDIR", dir);
  try {
    await fn();
  } finally {
    if (previous === undefined) Deno.env.delete("TMPDIR");
    else Deno.env.set("TMPDIR", previous);
    await Deno.remove(dir, { recursive: true });
  }
}

async function leftovers(): Promise<string[]> {
  const dirs: string[] = [];
  for await (const e of Deno.readDir(Deno.env.get("TMPDIR") ?? "/tmp")) {
    if (
      ["jid-pg-", "jid-storage-", "jid-media-", "jid-fn-"].some((p) => e.name.startsWith(p))
    ) dirs.push(e.name);
  }
  return dirs.sort();
}

Deno.test({
  name: "local stack: a port in use is refused with a clear message, before anything starts",
  ignore: !local,
  fn: async () => {
    const before = await leftovers();
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    try {
      await assert.rejects(() => startStack({ port }), (e: Error) => {
        assert.match(e.message, new RegExp(`Port ${port} is already in use`));
        assert.match(e.message, /STACK_PORT/);
        return true;
      });
    } finally {
      listener.close();
    }
    assert.deepEqual(await leftovers(), before, "no temp dir left behind");
  },
});

Deno.test({
  name: "local stack: a crashed function is reported, and stop() leaves no process or temp dir",
  ignore: !local,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    ownTmp(async () => {
      const before = await leftovers();
      const stack = await startStack({ port: 0, functionLog: "/dev/null" });
      const fnPid = Number(stack.env.STACK_FUNCTION_PID);
      const pgPid = Number(
        (await Deno.readTextFile(`${stack.env.STACK_DB_DIR}/data/postmaster.pid`)).split("\n")[0],
      );
      assert.ok(running(fnPid) && running(pgPid));
      Deno.kill(fnPid, "SIGKILL");
      const reason = await stack.crashed;
      assert.match(reason, /the function process exited/);
      await stack.stop();
      assert.equal(running(fnPid), false);
      assert.equal(running(pgPid), false, "postgres stopped");
      assert.deepEqual(await leftovers(), before, "no temp dir left behind");
    }),
});

Deno.test({
  name: "local stack: after a SIGKILLed stack:up, stack:down stops and removes what it left",
  ignore: !local,
  fn: () =>
    ownTmp(async () => {
      const before = await leftovers();
      const state = await Deno.makeTempDir({ prefix: "jid-state-" });
      const command = (sub: string) =>
        new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", `${ROOT}tools/local-stack/main.ts`, sub],
          env: { STACK_STATE_DIR: state, STACK_PORT: "0", TMPDIR: Deno.env.get("TMPDIR")! },
          stdout: "piped",
          stderr: "piped",
        }).output();
      try {
        const up = await command("up");
        assert.equal(up.code, 0, new TextDecoder().decode(up.stderr));
        const env = parseEnvFile(await Deno.readTextFile(`${state}/stack.env`));
        const fnPid = Number(env.STACK_FUNCTION_PID);
        const pgPid = Number(
          (await Deno.readTextFile(`${env.STACK_DB_DIR}/data/postmaster.pid`)).split("\n")[0],
        );
        Deno.kill(Number(env.STACK_PID), "SIGKILL");
        await waitFor("the stack to die", () => Promise.resolve(!running(Number(env.STACK_PID))));
        assert.ok(running(fnPid) && running(pgPid), "a killed stack leaves its children running");

        const down = await command("down");
        assert.equal(down.code, 0);
        assert.match(new TextDecoder().decode(down.stdout), /Removed what a stack that was killed/);
        await waitFor(
          "the children to exit",
          () => Promise.resolve(!running(fnPid) && !running(pgPid)),
        );
        assert.deepEqual(await leftovers(), before, "no temp dir left behind");
        await assert.rejects(Deno.stat(`${state}/stack.env`));
      } finally {
        await Deno.remove(state, { recursive: true });
      }
    }),
});
