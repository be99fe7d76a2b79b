// The deadline (UPSTREAM_TIMEOUT_MS) bounds the upstreams, not the client: a client reading a
// large answer slowly, long past the deadline, gets all of it, while a client that goes away
// cancels the RPC it was waiting for.
import assert from "node:assert/strict";
import { type FunctionProcess, startFunction } from "../../tools/local-stack/function_process.ts";
import { getDetails, SEED, signIn, stack } from "../support/stack.ts";
import { startProxy } from "../support/upstream_proxy.ts";

const DEADLINE_MS = 500;

Deno.test("a relayed answer that keeps coming, longer than the deadline, arrives whole", async () => {
  // Relayed bodies are read at the client's pace: what the function sees is an upstream that
  // keeps sending for as long as the client takes. The deadline ends when the document starts to
  // arrive: it bounds the upstream's answer, not how long the client takes to read it.
  const proxy = startProxy();
  const fn: FunctionProcess = await startFunction(stack, {
    SUPABASE_URL: proxy.url,
    UPSTREAM_TIMEOUT_MS: String(DEADLINE_MS),
  });
  try {
    const token = await signIn(SEED.users.emeaRecruiter);
    proxy.faults.rest = { kind: "trickle", chunks: 20, everyMs: DEADLINE_MS / 5 };
    const started = performance.now();
    const res = await getDetails({ interview_result_id: SEED.submitted }, { token, base: fn.url });
    assert.equal(res.status, 200);
    const doc = JSON.parse(await res.text());
    assert.equal(doc.transcript.length, 10, "whole");
    assert.ok(performance.now() - started > 2 * DEADLINE_MS, "over twice the deadline");
  } finally {
    await fn.stop();
    await proxy.stop();
  }
});

Deno.test("a client that disconnects cancels the RPC it was waiting for", async () => {
  const proxy = startProxy();
  const fn: FunctionProcess = await startFunction(stack, {
    SUPABASE_URL: proxy.url,
    UPSTREAM_TIMEOUT_MS: "20000",
  });
  try {
    proxy.faults.rest = { kind: "slow", ms: 10_000 };
    const token = await signIn(SEED.users.emeaRecruiter);
    const client = new AbortController();
    const answer = getDetails({ interview_result_id: SEED.submitted }, {
      token,
      base: fn.url,
      signal: client.signal,
    }).catch((e) => e);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(proxy.aborted, [], "the RPC is under way");
    client.abort();
    await answer;
    const started = performance.now();
    while (!proxy.aborted.length && performance.now() - started < 3000) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(proxy.aborted, ["GET /rest/v1/rpc/interview_transcript"]);
    assert.ok(performance.now() - started < 3000, "at once, not at the deadline");
  } finally {
    await fn.stop();
    await proxy.stop();
  }
});
