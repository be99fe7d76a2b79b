/**
 * The function's memory as the load tool reads it: the process's RSS (/proc), and the isolate's
 * V8 heap used and external memory (what the hosted runtime limits to 256 MB) from the Edge
 * Runtime stand-in's probe (EDGE_MEMORY=1), as they are or after forced collections (the probe's
 * /_edge/gc, with --expose-gc). Plus the slope that says whether a series levels off.
 */
import { processMemoryKb } from "../local-stack/processes.ts";

const MB = 1024 * 1024;

export interface MemorySample {
  /** Seconds since the load started (negative: before it). */
  at_s: number;
  rss_mb: number;
  heap_mb: number;
  /** V8's committed heap: what of RSS the heap holds, used or not. */
  heap_total_mb: number;
  external_mb: number;
  /** Background promises (EdgeRuntime.waitUntil) not yet settled. */
  pending: number;
}

/** The probe's answer (tools/local-stack/edge_memory.ts). */
export interface ProbeFigures {
  heap_used: number;
  heap_total: number;
  external: number;
  rss: number;
  background: { pending: number; settled: number; rejected: number };
}

/** The stand-in's probe at `origin`; `gc`: after its forced collections. */
export async function probeFigures(origin: string, gc = false): Promise<ProbeFigures> {
  const res = await fetch(`${origin}/_edge/${gc ? "gc" : "memory"}`, {
    method: gc ? "POST" : "GET",
  });
  if (!res.ok) throw new Error(`the memory probe answered ${res.status}`);
  return await res.json();
}

/** The function process's memory now; `gc`: after the probe's forced collections. */
export async function sampleMemory(
  pid: number,
  origin: string,
  atSeconds: number,
  gc = false,
): Promise<MemorySample> {
  const probe = await probeFigures(origin, gc);
  return {
    at_s: Math.round(atSeconds),
    rss_mb: processMemoryKb(pid) / 1024,
    heap_mb: probe.heap_used / MB,
    heap_total_mb: probe.heap_total / MB,
    external_mb: probe.external / MB,
    pending: probe.background.pending,
  };
}

/** Least-squares slope of `y` over `x`, and its standard error. */
export function slope(points: { x: number; y: number }[]): { slope: number; stderr: number } {
  const n = points.length;
  if (n < 2) return { slope: NaN, stderr: NaN };
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  if (sxx === 0) return { slope: NaN, stderr: NaN };
  const b = sxy / sxx;
  const residuals = points.reduce((s, p) => s + (p.y - my - b * (p.x - mx)) ** 2, 0);
  return { slope: b, stderr: n > 2 ? Math.sqrt(residuals / (n - 2) / sxx) : NaN };
}

export interface Leveling {
  what: string;
  /** MB per minute over the last `minutes` of the series, and its standard error. */
  slope_mb_per_min: number;
  stderr_mb_per_min: number;
  /** The series' mean over the same minutes, MB. */
  level_mb: number;
  /** The slope per request answered: what each request would leave behind. */
  bytes_per_request: number;
  limit_bytes_per_request: number;
  minutes: number;
  levels_off: boolean;
}

/**
 * Whether a series levels off: its slope over the last `minutes` (least squares), per request
 * answered at `requestsPerMin`, under `limitBytesPerRequest`. A leak is per request; a figure
 * per request is comparable between machines that answer at different rates.
 */
export function leveling(
  what: string,
  series: { at_s: number; mb: number }[],
  minutes: number,
  requestsPerMin: number,
  limitBytesPerRequest: number,
): Leveling {
  const end = series.at(-1)?.at_s ?? 0;
  const last = series.filter((s) => s.at_s >= end - minutes * 60);
  const fit = slope(last.map((s) => ({ x: s.at_s / 60, y: s.mb })));
  const perRequest = fit.slope * MB / requestsPerMin;
  return {
    what,
    slope_mb_per_min: fit.slope,
    stderr_mb_per_min: fit.stderr,
    level_mb: last.reduce((n, s) => n + s.mb, 0) / (last.length || 1),
    bytes_per_request: perRequest,
    limit_bytes_per_request: limitBytesPerRequest,
    minutes,
    levels_off: perRequest < limitBytesPerRequest,
  };
}

export const mb = (n: number) => n.toFixed(1);

/** One line of a sample: RSS, heap used, external, and their sum as the hosted runtime counts. */
export function formatSample(label: string, s: MemorySample): string {
  return `${label.padEnd(26)} RSS ${mb(s.rss_mb).padStart(6)} MB   heap ${
    mb(s.heap_mb).padStart(5)
  } + external ${mb(s.external_mb).padStart(5)} = ${
    mb(s.heap_mb + s.external_mb).padStart(5)
  } MB   (heap committed ${mb(s.heap_total_mb).padStart(5)})   background ${s.pending}`;
}
