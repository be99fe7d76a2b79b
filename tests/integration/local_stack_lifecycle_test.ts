// The local stack's failure modes: a port in use and a crashed child give a clear message and
// leave no process or temp dir behind. Starts stacks of its own; skipped against a real stack.
import assert from "node:assert/strict";
import { startStack } from "../../tools/local-stack/stack.ts";

const local = !Deno.env.get("REAL_STACK");

async function leftovers(): Promise<string[]> {
  const dirs: string[] = [];
  for await (const e of Deno.readDir(Deno.env.get("TMPDIR") ?? "/tmp")) {
    if (
      e.name.startsWith("jid-pg-") || e.name.startsWith("jid-storage-") ||
      e.name.startsWith("jid-media-")
    ) dirs.push(e.name);
  }
  return dirs.sort();
}

/** Running, not exited (a zombie waiting for a reaper counts as exited). */
function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
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
  fn: async () => {
    const before = await leftovers();
    const stack = await startStack({ port: 0, functionLog: "/dev/null" });
    const fnPid = Number(stack.env.STACK_FUNCTION_PID);
    const pgPid = Number(
      (await Deno.readTextFile(`${stack.env.STACK_DB_DIR}/data/postmaster.pid`)).split("\n")[0],
    );
    assert.ok(alive(fnPid) && alive(pgPid));
    Deno.kill(fnPid, "SIGKILL");
    const reason = await stack.crashed;
    assert.match(reason, /the function process exited/);
    await stack.stop();
    assert.equal(alive(fnPid), false);
    assert.equal(alive(pgPid), false, "postgres stopped");
    assert.deepEqual(await leftovers(), before, "no temp dir left behind");
  },
});
