import assert from "node:assert/strict";
import { compareRecords, linksIn, unwrittenRecords } from "../../tools/load/answers.ts";
import { leveling, slope } from "../../tools/load/memory.ts";
import { fiveXX, parseWrk } from "../../tools/load/workload.ts";

Deno.test("slope: least squares and its standard error, by hand", () => {
  assert.deepEqual(slope([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }]), {
    slope: 2,
    stderr: 0,
  });
  // (0,0) (1,2) (2,1) (3,3): means 1.5 and 1.5; sxy = 2.25 - 0.25 - 0.25 + 2.25 = 4, sxx = 5,
  // slope 0.8; residuals -0.3, 0.9, -0.9, 0.3: squares 1.8; stderr sqrt(1.8 / 2 / 5) = 0.4243.
  const fit = slope([{ x: 0, y: 0 }, { x: 1, y: 2 }, { x: 2, y: 1 }, { x: 3, y: 3 }]);
  assert.equal(fit.slope, 0.8);
  assert.equal(fit.stderr.toFixed(4), "0.4243");
  assert.ok(Number.isNaN(slope([{ x: 1, y: 1 }]).slope));
});

Deno.test("leveling: judged on the last minutes only, per request answered", () => {
  // Ten minutes: 20 MB of growth in the first five, then 0.05 MB a minute on ~120 MB.
  const series = Array.from({ length: 11 }, (_, m) => ({
    at_s: m * 60,
    mb: m <= 5 ? 100 + 4 * m : 120 + 0.05 * (m - 5),
  }));
  // 10,000 requests a minute: 0.05 MB = 52,428.8 bytes a minute = 5.24288 bytes a request.
  const l = leveling("RSS", series, 5, 10_000, 256);
  assert.equal(l.slope_mb_per_min.toFixed(4), "0.0500");
  // The last five minutes (300 to 600 s): 120, 120.05, ..., 120.25, mean 120.125.
  assert.equal(l.level_mb.toFixed(3), "120.125");
  assert.equal(l.bytes_per_request.toFixed(3), "5.243");
  assert.equal(l.levels_off, true);
  // Growing 0.5 MB a minute at 1,000 requests a minute: 524 bytes a request, still growing.
  const growing = series.map((s) => ({ at_s: s.at_s, mb: 100 + 0.5 * (s.at_s / 60) }));
  const g = leveling("RSS", growing, 5, 1000, 256);
  assert.equal(Math.round(g.bytes_per_request), 524);
  assert.equal(g.levels_off, false);
});

Deno.test("records of exactly N answers: missing, duplicated and unexpected ones, this run's only", () => {
  assert.deepEqual(
    compareRecords(
      ["run-0", "run-1", "run-2"],
      ["run-0", "run-0", "run-2", "run-9", "other-1"],
      "run-",
    ),
    { missing: ["run-1"], duplicated: ["run-0"], unexpected: ["run-9"] },
  );
  assert.deepEqual(compareRecords(["run-0", "run-1"], ["run-1", "run-0"], "run-"), {
    missing: [],
    duplicated: [],
    unexpected: [],
  });
});

Deno.test("an answer's signed links and recording paths, as the function writes them", () => {
  // PostgreSQL's json spacing, relayed as is: two paths, one signed, one Storage had no object for.
  const body = '{ "recording_local_path" : "m/r/session.webm", "recording_url" : ' +
    '"http://127.0.0.1:1/storage/v1/object/sign/private-recordings/m/r/session.webm?token=a.b.c", ' +
    '"video_introduction_local_path" : "m/r/intro.webm", "video_introduction_url" : null, ' +
    '"transcript" : [{ "recording_local_path" : null, "recording_url" : null }]}';
  assert.deepEqual(linksIn(body), { links: 1, paths: 2 });
  assert.deepEqual(linksIn('{"recording_local_path":"m/r/a.webm"}'), { links: 0, paths: 1 });
});

Deno.test("the records the function logged as unwritten, one or several a line, and those it had no room for", () => {
  const record = (id: string) => ({
    interview_result_id: "93c98d21-e04d-4a84-9afa-ed154cf73636",
    view: "full",
    recordings_signed: 0,
    links_expire_in: null,
    request_id: id,
    origin: null,
    reader: { sub: null, session_id: null, role: "service_role" },
    at: "2026-12-06T20:00:00.000Z",
  });
  const lines = [
    "Listening on http://127.0.0.1:1/",
    JSON.stringify({
      level: "error",
      event: "access_record_unwritten",
      request_id: "r-1",
      reason: "x",
      record: record("r-1"),
    }),
    JSON.stringify({
      level: "error",
      event: "access_record_unwritten",
      reason: "x",
      records: [record("r-2"), record("r-3")],
    }),
    JSON.stringify({ level: "error", msg: "request", request_id: "r-9", status: 500, total_ms: 1 }),
    JSON.stringify({ level: "info", msg: "request", request_id: "r-8", status: 200, total_ms: 1 }),
    JSON.stringify({ level: "error", msg: "summary", requests: 3, records_not_logged: 4 }),
    JSON.stringify({ level: "info", msg: "summary", requests: 1, records_not_logged: 0 }),
  ];
  const log = unwrittenRecords(lines);
  assert.deepEqual(log.records.map((r) => r.request_id), ["r-1", "r-2", "r-3"]);
  assert.deepEqual(log.records[1], record("r-2"));
  assert.deepEqual([log.lines, log.notLogged, log.fiveXXLines], [2, 4, 1]);
});

Deno.test("wrk's RESULT line, and its 5xx", () => {
  const r = parseWrk(
    'Running 1s test\nRESULT {"requests": 10, "seconds": 1.00, "errors": 1, "p50_ms": 2.50, ' +
      '"p90_ms": 4.00, "p99_ms": 9.00, "statuses": {"200": 6, "502": 2, "503": 1, "404": 1}}\n',
  );
  assert.equal(r.requests, 10);
  assert.equal(r.errors, 1);
  assert.equal(fiveXX(r), 3);
  assert.throws(() => parseWrk("no summary"), /no RESULT line/);
});
