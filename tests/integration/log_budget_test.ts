// The hosted platform keeps 100 log events per 10 s per function and drops the rest, errors
// included. A function process under 60 requests/s of mixed traffic for 20 s writes at most that
// many lines in any 10 s, and a 5xx inside the burst still gets its own line.
import assert from "node:assert/strict";
import { type FunctionProcess, startFunction } from "../../tools/local-stack/function_process.ts";
import { SEED, signIn, stack } from "../support/stack.ts";
import { startProxy } from "../support/upstream_proxy.ts";

const RATE = 60;
const SECONDS = 20;
const PLATFORM_LIMIT = 100;

const proxy = startProxy();
const fn: FunctionProcess = await startFunction(stack, { SUPABASE_URL: proxy.url });

/** The most lines that arrived within any `ms` (sliding). */
function busiest(times: number[], ms: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

Deno.test({
  name:
    `${RATE} requests/s of mixed traffic for ${SECONDS} s: ≤ ${PLATFORM_LIMIT} lines in any 10 s, the 5xx logged`,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const [recruiter, alice, outsider, admin] = await Promise.all(
      [SEED.users.acmeRecruiter, SEED.users.alice, SEED.users.outsider, SEED.users.admin].map(
        signIn,
      ),
    );
    const mix: { query: string; token?: string }[] = [
      { query: `interview_result_id=${SEED.submitted}`, token: recruiter },
      { query: `interview_result_id=${SEED.submitted}&view=summary`, token: alice },
      { query: `interview_result_id=${SEED.submitted}`, token: outsider },
      { query: "interview_result_id=nope", token: recruiter },
      { query: `interview_result_id=${SEED.submitted}` },
      { query: `interview_result_id=${SEED.globex}&get_signed_recordings=true`, token: admin },
    ];
    const call = async (query: string, token?: string, requestId?: string) => {
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      if (requestId) headers["x-request-id"] = requestId;
      const res = await fetch(`${fn.url}?${query}`, { headers });
      await res.body?.cancel();
      return res.status;
    };

    const started = performance.now();
    const total = RATE * SECONDS;
    const statuses: Promise<number>[] = [];
    let failedRequest: Promise<number> | undefined;
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / RATE;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      if (i === total / 2) {
        // Storage fails for one signing request in the middle of the burst.
        proxy.faults.storage = { kind: "status", status: 500 };
        failedRequest = call(mix[5].query, admin, "burst-5xx");
        failedRequest.finally(() => proxy.faults.storage = { kind: "none" });
        continue;
      }
      const { query, token } = mix[i % mix.length];
      statuses.push(call(query, token));
    }
    await Promise.all(statuses);
    assert.equal(await failedRequest, 500, "the request inside the burst failed");
    await new Promise((r) => setTimeout(r, 300));

    const lines = fn.lines().filter((l) => l.at >= started);
    const most = busiest(lines.map((l) => l.at), 10_000);
    console.log(
      `${total} requests in ${
        ((performance.now() - started) / 1000).toFixed(1)
      } s: ${lines.length} lines, busiest 10 s ${most}`,
    );
    assert.ok(most <= PLATFORM_LIMIT, `${most} lines within 10 s`);
    const logged = lines.map((l) => JSON.parse(l.line)).find((r) => r.request_id === "burst-5xx");
    assert.ok(logged, "the 5xx has its own line");
    assert.equal(logged.status, 500);
    assert.match(logged.upstream_failure, /^sign: Storage answered 500/);
    assert.ok(lines.some((l) => l.line.includes('"msg":"summary"')), "the rest is summarised");
  },
});

Deno.test({
  name: "teardown: stop the log budget's function and proxy",
  fn: async () => {
    await Promise.all([fn.stop(), proxy.stop()]);
  },
  sanitizeOps: false,
  sanitizeResources: false,
});
