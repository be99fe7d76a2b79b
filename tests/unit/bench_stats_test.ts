import assert from "node:assert/strict";
import { mannWhitneyZ } from "../../tools/bench/main.ts";

Deno.test("Mann-Whitney z: samples wholly apart sit at the 5% line for n = 3, either way round", () => {
  // U = 0 for [1, 2, 3] vs [4, 5, 6]: z = (0 - 4.5) / sqrt(3 * 3 * 7 / 12).
  assert.equal(mannWhitneyZ([1, 2, 3], [4, 5, 6]).toFixed(3), "-1.964");
  assert.equal(mannWhitneyZ([4, 5, 6], [1, 2, 3]).toFixed(3), "1.964");
});

Deno.test("Mann-Whitney z: ties share their mean rank; the same sample is no difference", () => {
  assert.equal(mannWhitneyZ([1, 1, 2, 2], [1, 1, 2, 2]), 0);
  // Interleaved samples of 500 from one spread stay well inside |z| < 1.96.
  const xs = Array.from({ length: 500 }, (_, i) => i * 2);
  const ys = Array.from({ length: 500 }, (_, i) => i * 2 + 1);
  assert.ok(Math.abs(mannWhitneyZ(xs, ys)) < 0.1);
  // A shift of a tenth of the spread over 500 each is found.
  assert.ok(mannWhitneyZ(xs.map((x) => x + 100), ys) > 1.96);
});
