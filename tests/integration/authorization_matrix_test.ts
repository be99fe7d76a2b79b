// Broken object-level authorization, probed end to end over HTTP: every caller kind x result
// state x signing on or off. Both results belong to an interview of Acme EMEA, a sub-merchant of
// Acme; Globex is unrelated. A hidden result answers byte for byte what a missing one answers,
// and no URL is ever signed for it.
import assert from "node:assert/strict";
import { type FunctionProcess, startFunction } from "../../tools/local-stack/function_process.ts";
import { apiKey, SEED, serviceKey, signIn, stack } from "../support/stack.ts";
import { startProxy } from "../support/upstream_proxy.ts";

const submitted = { id: SEED.submitted, candidate: SEED.users.alice, other: SEED.users.bob };
const unsubmitted = { id: SEED.inProgress, candidate: SEED.users.bob, other: SEED.users.alice };

type Expect = "full" | "redacted" | "hidden" | "unauthorized";
type Caller = { name: string; token: () => Promise<string> };

const user = (email: string): Caller => ({ name: email, token: () => signIn(email) });
const key = (name: string, value: string): Caller => ({
  name,
  token: () => Promise.resolve(value),
});

const matrix: [Caller, Expect, Expect][] = [
  // caller, on the submitted result, on the unsubmitted result
  [user(SEED.users.emeaOwner), "full", "hidden"],
  [user(SEED.users.emeaRecruiter), "full", "hidden"],
  [user(SEED.users.acmeOwner), "full", "hidden"],
  [user(SEED.users.acmeRecruiter), "full", "hidden"],
  [user(SEED.users.globexRecruiter), "hidden", "hidden"],
  [user(SEED.users.outsider), "hidden", "hidden"],
  [user(SEED.users.admin), "full", "full"],
  [key("service key", serviceKey), "full", "full"],
  [key("publishable (or anon) key", apiKey), "unauthorized", "unauthorized"],
];

const proxy = startProxy();
const fn: FunctionProcess = await startFunction(stack, { SUPABASE_URL: proxy.url });

async function get(id: string, token: string, signed: boolean) {
  proxy.requests.length = 0;
  const url = new URL(fn.url);
  url.searchParams.set("interview_result_id", id);
  url.searchParams.set("get_signed_recordings", String(signed));
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return {
    status: res.status,
    text: await res.text(),
    signRequests: proxy.requests.filter((r) => r.includes("/storage/")).length,
  };
}

function check(
  expect: Expect,
  got: Awaited<ReturnType<typeof get>>,
  missing: string,
  signed: boolean,
  label: string,
) {
  if (expect === "unauthorized") {
    assert.equal(got.status, 401, label);
    assert.equal(got.signRequests, 0, `${label}: nothing signed`);
    return;
  }
  if (expect === "hidden") {
    assert.equal(got.status, 404, label);
    assert.equal(got.text, missing, `${label}: byte-identical to a missing result`);
    assert.equal(got.signRequests, 0, `${label}: nothing signed`);
    return;
  }
  assert.equal(got.status, 200, label);
  const doc = JSON.parse(got.text);
  const recruiterOnly = [
    doc.ai_analysis_recruiter,
    doc.recruiter_risks,
    doc.user_feedback_recruiter,
  ];
  if (expect === "redacted") {
    assert.ok(recruiterOnly.every((v) => v === null), `${label}: redacted`);
    for (const key of ["hiring_reasons", "strengths_concerns", "key_statement"]) {
      assert.equal(key in (doc.ai_analysis_other ?? {}), false, `${label}: no ${key}`);
    }
  } else if (doc.status === "completed") {
    assert.ok(recruiterOnly.every((v) => v !== null), `${label}: recruiter data present`);
  }
  assert.equal("signed_urls_valid_until" in doc, signed, `${label}: URLs only when asked`);
}

for (const [caller, onSubmitted, onUnsubmitted] of matrix) {
  for (const signed of [false, true]) {
    Deno.test(`${caller.name} (signing ${signed ? "on" : "off"}): submitted → ${onSubmitted}, unsubmitted → ${onUnsubmitted}`, async () => {
      const token = await caller.token();
      const missing = (await get(SEED.missing, token, signed)).text;
      check(onSubmitted, await get(submitted.id, token, signed), missing, signed, "submitted");
      check(
        onUnsubmitted,
        await get(unsubmitted.id, token, signed),
        missing,
        signed,
        "unsubmitted",
      );
    });
  }
}

for (const result of [submitted, unsubmitted]) {
  for (const signed of [false, true]) {
    const state = result === submitted ? "submitted" : "unsubmitted";
    Deno.test(`candidates (signing ${signed ? "on" : "off"}): the owner sees the ${state} result redacted, another candidate does not`, async () => {
      const owner = await signIn(result.candidate);
      const other = await signIn(result.other);
      check("redacted", await get(result.id, owner, signed), "", signed, "owner");
      check(
        "hidden",
        await get(result.id, other, signed),
        (await get(SEED.missing, other, signed)).text,
        signed,
        "other candidate",
      );
    });
  }
}

Deno.test({
  name: "teardown: stop the matrix's function and proxy",
  fn: async () => {
    await Promise.all([fn.stop(), proxy.stop()]);
  },
  sanitizeOps: false,
  sanitizeResources: false,
});
