// The log budget on a fake clock: the platform keeps 100 log events per 10 s, so the logger must
// stay under its budget in every 10 s window while every 5xx and error still gets its line.
import assert from "node:assert/strict";
import {
  budgetedLogger,
  type LogBudget,
  type RequestLog,
} from "../../supabase/functions/job-interview-details/log.ts";

const entry = (status: number, extra: Partial<RequestLog> = {}): RequestLog => ({
  request_id: crypto.randomUUID(),
  method: "GET",
  path: "/job-interview-details",
  status,
  total_ms: 3,
  bytes: 100,
  gzip: false,
  ...extra,
});

/** Drives `count` requests at `perSecond`; returns each written line with its time. */
function drive(
  budget: LogBudget,
  statuses: (i: number) => number,
  count: number,
  perSecond: number,
) {
  let clock = 1_000_000;
  const lines: { at: number; record: Record<string, unknown> }[] = [];
  const log = budgetedLogger(
    budget,
    (line) => lines.push({ at: clock, record: JSON.parse(line) }),
    () => clock,
  );
  for (let i = 0; i < count; i++) {
    log.request(entry(statuses(i), { request_id: `r-${i}` }));
    clock += 1000 / perSecond;
  }
  return lines;
}

/** The most lines written in any window of `ms` (sliding). */
function busiest(lines: { at: number }[], ms: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < lines.length; i++) {
    while (lines[i].at - lines[j].at >= ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

const platform: LogBudget = { maxLines: 80, windowMs: 10_000, sampleEvery: 100 };
// 60 requests/s for 20 s: successes, expected 4xx, and one 5xx at request 700.
const mixed = (i: number) => i === 700 ? 500 : [200, 200, 200, 404, 401, 422][i % 6];

Deno.test("budgetedLogger() writes at most the budget in any 10 s under 60 requests/s", () => {
  const lines = drive(platform, mixed, 60 * 20, 60);
  assert.ok(busiest(lines, 10_000) <= 80, `busiest 10 s: ${busiest(lines, 10_000)} lines`);
  assert.ok(lines.length < 60 * 20 / 10, `${lines.length} lines for 1,200 requests`);
});

Deno.test("budgetedLogger() writes the 5xx inside the burst in full", () => {
  const lines = drive(platform, mixed, 60 * 20, 60);
  const error = lines.find((l) => l.record.status === 500);
  assert.ok(error, "the 5xx has its own line");
  assert.equal(error.record.level, "error");
  assert.equal(error.record.request_id, "r-700");
});

Deno.test("budgetedLogger() counts every request into a summary per window", () => {
  const lines = drive(platform, mixed, 60 * 20 + 1, 60);
  const summaries = lines.filter((l) => l.record.msg === "summary");
  assert.ok(summaries.length >= 1);
  const counted = summaries.reduce((n, l) => n + (l.record.requests as number), 0);
  assert.ok(counted >= 600 && counted <= 1200, `${counted} requests in the summaries`);
  const byStatus = summaries[0].record.by_status as Record<string, number>;
  assert.ok(byStatus["200"] > 0 && byStatus["404"] > 0 && byStatus["401"] > 0);
});

Deno.test("budgetedLogger() keeps half the budget for errors: a flood of successes can't use it", () => {
  const budget = { maxLines: 10, windowMs: 10_000, sampleEvery: 1 };
  const lines = drive(budget, (i) => i === 30 ? 503 : 200, 40, 100);
  const info = lines.filter((l) => l.record.msg === "request" && l.record.status === 200);
  assert.equal(info.length, 5, "successes stop at half the budget");
  assert.ok(lines.some((l) => l.record.status === 503), "the 503 still gets its line");
});

Deno.test("budgetedLogger() never goes over the budget even when everything fails", () => {
  const budget = { maxLines: 20, windowMs: 10_000, sampleEvery: 1 };
  const lines = drive(budget, () => 500, 60 * 30, 60);
  assert.ok(busiest(lines, 10_000) <= 20);
  const suppressed = lines.filter((l) => l.record.msg === "summary")
    .reduce((n, l) => n + (l.record.suppressed_errors as number), 0);
  assert.ok(suppressed > 0, "the errors it could not write are counted in a summary");
});

Deno.test("budgetedLogger() writes an unexpected error in full even with a 2xx-looking status", () => {
  const lines: string[] = [];
  const log = budgetedLogger(
    { maxLines: 80, windowMs: 10_000, sampleEvery: 1000 },
    (l) => lines.push(l),
  );
  log.request(entry(200)); // the first request is sampled
  log.request(entry(200));
  log.request(entry(500, { error: "TypeError", message: "boom" }));
  assert.equal(lines.length, 2);
  assert.equal(JSON.parse(lines[1]).error, "TypeError");
});

/** A budgeted logger on a fake clock that its `sleep` moves; every line it writes. */
function clocked(budget: LogBudget) {
  const clock = { t: 1_000_000 };
  const lines: { at: number; record: Record<string, unknown> }[] = [];
  const log = budgetedLogger(
    budget,
    (line) => lines.push({ at: clock.t, record: JSON.parse(line) }),
    () => clock.t,
    // The time passes once the caller has gone on, as a timer's would.
    (ms) => new Promise((resolve) => setTimeout(() => resolve(void (clock.t += ms)), 0)),
  );
  return { clock, lines, log };
}

const recordLine = (n: number) =>
  JSON.stringify({ level: "error", event: "access_record_unwritten", reason: "r", records: n });

Deno.test("budgetedLogger() writes unwritten access records as errors: beyond the sampled half", async () => {
  const { lines, log } = clocked({ maxLines: 10, windowMs: 10_000, sampleEvery: 1 });
  for (let i = 0; i < 20; i++) log.request(entry(200));
  for (let i = 0; i < 5; i++) await log.unwritten(recordLine(i), 1);
  const records = lines.filter((l) => l.record.event === "access_record_unwritten");
  assert.deepEqual(records.map((l) => l.record.records), [0, 1, 2, 3, 4]);
  assert.equal(lines.length, 10, "five sampled successes, five record lines");
});

Deno.test("budgetedLogger() leaves a quarter of the budget to access records: 5xx lines can't use it", async () => {
  const { lines, log } = clocked({ maxLines: 8, windowMs: 10_000, sampleEvery: 1 });
  for (let i = 0; i < 20; i++) log.request(entry(500));
  for (let i = 0; i < 3; i++) await log.unwritten(recordLine(i), 1);
  const errors = lines.filter((l) => l.record.msg === "request");
  const records = lines.filter((l) => l.record.event === "access_record_unwritten");
  assert.equal(errors.length, 6, "5xx lines stop with a quarter of the budget left");
  assert.deepEqual(records.map((l) => l.record.records), [0, 1], "the quarter holds two records");
});

Deno.test("budgetedLogger() counts records it has no room for in a summary, written even if no request comes", async () => {
  const { clock, lines, log } = clocked({ maxLines: 4, windowMs: 10_000, sampleEvery: 1 });
  const start = clock.t;
  const logged = [];
  for (let i = 0; i < 6; i++) logged.push(log.unwritten(recordLine(i), 3));
  await Promise.all(logged);
  assert.equal(lines.filter((l) => l.record.event === "access_record_unwritten").length, 4);
  const summaries = lines.filter((l) => l.record.msg === "summary");
  assert.equal(summaries.length, 1, "its own summary, with no request to carry it");
  assert.equal(summaries[0].record.records_not_logged, 6, "two lines of three records");
  assert.equal(summaries[0].record.level, "error");
  assert.equal(summaries[0].at, start + 10_000, "as soon as the window has room");
});

Deno.test("budgetedLogger() counts the 5xx it had no room for in a summary, written even if no request comes", async () => {
  const { clock, lines, log } = clocked({ maxLines: 80, windowMs: 10_000, sampleEvery: 100 });
  const start = clock.t;
  for (let i = 0; i < 70; i++) log.request(entry(500));
  // Nothing else comes: the summary waits for the window, then is written by itself.
  for (let i = 0; i < 5 && !lines.some((l) => l.record.msg === "summary"); i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal(lines.filter((l) => l.record.msg === "request").length, 60);
  const summaries = lines.filter((l) => l.record.msg === "summary");
  assert.equal(summaries.length, 1);
  assert.equal(summaries[0].record.suppressed_errors, 10, "70 5xx, 60 lines: 10 counted");
  assert.equal(summaries[0].record.level, "error");
  assert.equal(summaries[0].at, start + 10_000);
});

Deno.test("budgetedLogger() redacts anything shaped like a key in a record line", async () => {
  const written: string[] = [];
  const log = budgetedLogger(platform, (l) => written.push(l));
  await log.unwritten('{"origin":"https://sb_secret_abcdef.example"}', 1);
  assert.deepEqual(JSON.parse(written[0]), { origin: "https://(redacted).example" });
});
