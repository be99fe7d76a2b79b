/** What the bench reads off a function process: its CPU time, and its memory under load. */
import {
  type FunctionProcess,
  type Runtime,
  startFunction,
} from "../local-stack/function_process.ts";

/** utime + stime of a process so far, in ms (/proc/<pid>/stat, 10 ms ticks). */
export function cpuMs(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export interface MemoryFigures {
  deno: string;
  document_bytes: number;
  idle_bytes: number;
  /** Per concurrency: the peak of V8 heap used + external, and what each call in flight cost. */
  runs: {
    clients: number;
    peak_bytes: number;
    per_call_bytes: number;
    per_call_x_document: number;
  }[];
}

/**
 * The hosted runtime's own measure (V8 heap used + external, not RSS) of a function process
 * under `clients` concurrent clients making `callsEach` calls to `url` each, read by the runtime
 * stand-in's probe (EDGE_MEMORY=1: idle after settled collections, then the peak).
 */
export async function measureMemory(
  stack: Record<string, string>,
  runtime: Runtime,
  path: string,
  token: string,
  concurrencies: number[],
  callsEach = 4,
): Promise<MemoryFigures> {
  const fn: FunctionProcess = await startFunction(stack, {}, { runtime, memoryProbe: true });
  try {
    const origin = new URL(fn.url).origin;
    const call = async () => {
      const res = await fetch(`${fn.url}${path}`, {
        headers: { authorization: `Bearer ${token}`, "accept-encoding": "identity" },
      });
      const bytes = await res.bytes();
      if (res.status !== 200) throw new Error(`memory run: ${res.status}`);
      return bytes.length;
    };
    let documentBytes = 0;
    for (let i = 0; i < 20; i++) documentBytes = await call();
    const runs: MemoryFigures["runs"] = [];
    let idle = 0;
    for (const clients of concurrencies) {
      ({ idle } = await (await fetch(`${origin}/_edge/memory/reset`, { method: "POST" })).json());
      await Promise.all(Array.from({ length: clients }, async () => {
        for (let k = 0; k < callsEach; k++) await call();
      }));
      const { peak } = await (await fetch(`${origin}/_edge/memory`)).json();
      const perCall = (peak - idle) / clients;
      runs.push({
        clients,
        peak_bytes: peak,
        per_call_bytes: perCall,
        per_call_x_document: perCall / documentBytes,
      });
    }
    return { deno: runtime.version, document_bytes: documentBytes, idle_bytes: idle, runs };
  } finally {
    await fn.stop();
  }
}
