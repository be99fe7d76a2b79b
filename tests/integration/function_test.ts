// The function through the stack's gateway, from the seeded data: every status of the contract
// for real, redaction, identical not-found answers, signed URLs that download the right bytes.
import assert from "node:assert/strict";
import { buildOpenApi } from "../../supabase/functions/job-interview-details/openapi.ts";
import { hasDatabase, withResult } from "../support/db.ts";
import { apiKey, getDetails, SEED, signIn, stack } from "../support/stack.ts";

const RECRUITER_ONLY = [
  "ai_analysis_recruiter",
  "ai_analysis_recruiter_why_hire",
  "ai_analysis_recruiter_why_not_hire",
  "recruiter_risks",
  "user_feedback_recruiter",
];

Deno.test("GET as a recruiter of a parent merchant → 200 with the whole interview", async () => {
  const res = await getDetails({ interview_result_id: SEED.submitted }, {
    token: await signIn(SEED.users.acmeRecruiter),
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  for (const key of RECRUITER_ONLY) assert.notEqual(body[key], null, key);
  // Written since 2026-09-15: strengths and concerns; why_hire / why_not_hire are their copies.
  assert.deepEqual(body.ai_analysis_other.strengths_concerns.concerns, [
    "Little API integration depth",
    "Weak on SQL; reviewer doubts seniority",
  ]);
  assert.deepEqual(
    body.ai_analysis_recruiter_why_not_hire,
    body.ai_analysis_other.strengths_concerns.concerns,
  );
  assert.equal(body.transcript.length, 10);
  assert.deepEqual(body.transcript.map((i: { is_answer: boolean }) => i.is_answer), [
    false,
    true,
    false,
    true,
    false,
    true,
    false,
    true,
    false,
    true,
  ]);
  assert.equal(body.transcript[4].question_original_id, null, "a follow-up question");
  assert.equal(
    typeof body.transcript[1].answer_assessment_raw_data.voice[0].Words[0].Word,
    "string",
  );
  assert.equal("recording_url" in body, false, "no URLs without the flag");
});

Deno.test("GET as the candidate → 200 with recruiter-only data nulled", async () => {
  const res = await getDetails({ interview_result_id: SEED.submitted }, {
    token: await signIn(SEED.users.alice),
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  for (const key of RECRUITER_ONLY) assert.equal(body[key], null, key);
  // Only the candidate-facing analyses: the recruiter's strengths and concerns, the key statement
  // and the department fit are left out, names and all.
  assert.deepEqual(Object.keys(body.ai_analysis_other), ["score_rationale"]);
  assert.ok(!JSON.stringify(body).includes("doubts seniority"), "no recruiter concern anywhere");
  for (const item of body.transcript.filter((i: { is_answer: boolean }) => i.is_answer)) {
    const raw = item.answer_assessment_raw_data;
    if (!raw) continue;
    assert.equal(raw.reading_stats, undefined, "no proctoring signal for the candidate");
    assert.equal(raw.proctor_status, undefined);
    assert.ok(raw.voice, "the speech analysis stays");
  }
  assert.ok(
    body.transcript.every((i: { ai_analysis_recruiter: unknown }) =>
      i.ai_analysis_recruiter === null
    ),
  );
  assert.equal(typeof body.ai_analysis, "string");
});

Deno.test("GET as an outsider → 404, byte-identical to a result that does not exist", async () => {
  const token = await signIn(SEED.users.outsider);
  const hidden = await getDetails({ interview_result_id: SEED.submitted }, { token });
  const missing = await getDetails({ interview_result_id: SEED.missing }, { token });
  assert.equal(hidden.status, 404);
  assert.equal(missing.status, 404);
  assert.equal(await hidden.text(), await missing.text());
});

Deno.test("GET with a bad token → the function's own 401, through the gateway and directly", async () => {
  const viaGateway = await getDetails({ interview_result_id: SEED.submitted }, {
    token: "not-a-jwt",
  });
  assert.equal(viaGateway.status, 401);
  assert.deepEqual(Object.keys(await viaGateway.json()), ["error"], "verify_jwt is off");
  const direct = await getDetails({ interview_result_id: SEED.submitted }, {
    token: "not-a-jwt",
    base: stack.FUNCTION_DIRECT_URL ?? stack.FUNCTION_URL,
  });
  assert.equal(direct.status, 401);
  assert.deepEqual(Object.keys(await direct.json()), ["error"]);
});

Deno.test("a function name the gateway does not serve → 404 from the gateway", async () => {
  const token = await signIn(SEED.users.admin);
  for (const path of ["job-interview-detail", "job-interview-details-v2/job-interview-details"]) {
    const res = await fetch(`${stack.SUPABASE_URL}/functions/v1/${path}`, {
      headers: { apikey: apiKey, authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 404, path);
    assert.match((await res.json()).message, /not found/i);
  }
});

Deno.test("GET with the publishable (or anon) key as the token → 401 from the function, with CORS headers", async () => {
  const res = await getDetails({ interview_result_id: SEED.submitted }, {
    token: apiKey,
    headers: { origin: "https://app.example" },
  });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  assert.equal(typeof (await res.json()).error, "string");
});

Deno.test("GET with bad input → 422 naming the field", async () => {
  const token = await signIn(SEED.users.admin);
  const cases: [Record<string, string>, string][] = [
    [{}, "interview_result_id"],
    [{ interview_result_id: "123" }, "interview_result_id"],
    [
      { interview_result_id: SEED.submitted, get_signed_recordings: "yes" },
      "get_signed_recordings",
    ],
    [{ interview_result_id: SEED.submitted, view: "everything" }, "view"],
  ];
  for (const [query, name] of cases) {
    const res = await getDetails(query, { token });
    assert.equal(res.status, 422, JSON.stringify(query));
    assert.equal((await res.json()).name, name);
  }
});

Deno.test("GET with get_signed_recordings=true → URLs that download the right bytes", async () => {
  const res = await getDetails(
    { interview_result_id: SEED.submitted, get_signed_recordings: "true" },
    { token: await signIn(SEED.users.emeaRecruiter) },
  );
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.ok(Date.parse(body.signed_urls_valid_until) > Date.now() + 3000_000);
  const answers = body.transcript.filter((i: { recording_local_path: string | null }) =>
    i.recording_local_path
  );
  assert.equal(answers.length, 5);
  assert.equal(answers.at(-1).recording_url, null, "answer 10 has a path but no object");
  const signed = [
    [body.recording_local_path, body.recording_url],
    [body.video_introduction_local_path, body.video_introduction_url],
    ...answers.slice(0, -1).map((
      i: { recording_local_path: string; recording_url: string },
    ) => [i.recording_local_path, i.recording_url]),
  ];
  for (const [path, url] of signed) {
    assert.ok(
      url.startsWith(`${stack.SUPABASE_URL}/storage/v1/object/sign/private-recordings/`),
      url,
    );
    const media = await fetch(url);
    assert.equal(media.status, 200, path);
    const bytes = await media.bytes();
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), "OggS");
    if (stack.STACK_STORAGE_ROOT) {
      assert.deepEqual(
        bytes,
        await Deno.readFile(`${stack.STACK_STORAGE_ROOT}/private-recordings/${path}`),
        path,
      );
    }
  }
});

Deno.test("POST with a JSON body, as JobMojito's cookbook calls it → 200", async () => {
  const res = await fetch(stack.FUNCTION_URL, {
    method: "POST",
    headers: {
      authorization: `Bearer ${await signIn(SEED.users.admin)}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({
      interview_result_id: SEED.globex,
      get_signed_recordings: true,
      view: "summary",
    }),
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(typeof body.recording_url, "string");
  assert.equal("recording_url" in body.transcript[0], false, "summary items carry no recording");
});

Deno.test("views: standard and summary send a fraction of full", async () => {
  const token = await signIn(SEED.users.admin);
  const size = async (view: string) =>
    (await (await getDetails({ interview_result_id: SEED.submitted, view }, { token })).bytes())
      .length;
  const [full, standard, summary] = [
    await size("full"),
    await size("standard"),
    await size("summary"),
  ];
  assert.ok(standard < full / 2, `${standard} vs ${full}`);
  assert.ok(summary < standard, `${summary} vs ${standard}`);
});

Deno.test("the served OpenAPI document is the one built from the schemas", async () => {
  const res = await fetch(`${stack.FUNCTION_URL}/openapi.json`, {
    headers: { authorization: `Bearer ${await signIn(SEED.users.admin)}` },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), buildOpenApi());
});

Deno.test("headers: X-Request-Id kept, Server-Timing, no-store, gzip for large bodies", async () => {
  const res = await getDetails({ interview_result_id: SEED.submitted }, {
    token: await signIn(SEED.users.admin),
    headers: { "x-request-id": "it-123", "accept-encoding": "gzip" },
  });
  assert.equal(res.headers.get("x-request-id"), "it-123");
  assert.match(res.headers.get("server-timing")!, /rpc;dur=.*total;dur=/);
  assert.equal(res.headers.get("cache-control"), "private, no-store");
  assert.equal((await res.json()).transcript.length, 10, "the gzip body decodes");
});

Deno.test("a URL over 64 KB never reaches the function: Deno's server answers a bare 4xx, never a 5xx", async () => {
  // Documented limit: Deno refuses the request line before any handler runs (414 under 2.1.4,
  // 400 under 2.9.6, no body), so the contract's shape can't be given there.
  const direct = new URL(stack.FUNCTION_DIRECT_URL ?? stack.FUNCTION_URL);
  const conn = await Deno.connect({ hostname: direct.hostname, port: Number(direct.port || 80) });
  try {
    const path = `${direct.pathname}?interview_result_id=${SEED.submitted}&pad=${
      "a".repeat(70_000)
    }`;
    await conn.write(new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`));
    const buf = new Uint8Array(256);
    const n = await conn.read(buf);
    const status = Number(
      /^HTTP\/1\.1 (\d{3})/.exec(new TextDecoder().decode(buf.subarray(0, n ?? 0)))?.[1],
    );
    assert.ok(status === 400 || status === 414, `status ${status}`);
  } finally {
    conn.close();
  }
});

Deno.test("view=condensed: the whole interview with each answer's raw data condensed, GET and POST", async () => {
  const token = await signIn(SEED.users.acmeRecruiter);
  const get = async (view: string) =>
    await (await getDetails({ interview_result_id: SEED.submitted, view }, { token })).json();
  const [full, condensed] = [await get("full"), await get("condensed")];
  const post = await (await fetch(stack.FUNCTION_URL, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ interview_result_id: SEED.submitted, view: "condensed" }),
  })).json();
  assert.deepEqual(post, condensed, "POST and GET give the same document");
  assert.deepEqual(Object.keys(condensed), Object.keys(full));
  assert.equal(condensed.ai_analysis_recruiter, full.ai_analysis_recruiter);
  const raw = full.transcript[1].answer_assessment_raw_data;
  const small = condensed.transcript[1].answer_assessment_raw_data;
  assert.deepEqual(small._omitted, [
    "reading_detection_results",
    "assemblyai",
    "elevenlabs",
    "candidate_images",
    "audio_mp3_local_path",
  ]);
  assert.equal(small.candidate_images_count, raw.candidate_images.length);
  assert.deepEqual(small.reading_stats, raw.reading_stats);
  assert.equal(small.voice[0].Display, raw.voice[0].Display);
  assert.equal(small.voice[0].Words, undefined);
  assert.deepEqual(small.pyannote.speaker_seconds, { SPEAKER_00: 14.4 });
  // Answer 4 has a second voice for a few seconds, which identification did not match.
  const second = condensed.transcript[3].answer_assessment_raw_data.pyannote;
  assert.deepEqual(second.speaker_seconds, { SPEAKER_00: 12.2, SPEAKER_01: 2.2 });
  assert.deepEqual(second.identified_seconds, { candidate: 12.2, unmatched: 2.2 });
  assert.deepEqual(second._omitted, ["confidence"]);
  assert.ok(
    JSON.stringify(condensed).length < JSON.stringify(full).length / 4,
    `${JSON.stringify(condensed).length} of ${JSON.stringify(full).length} characters`,
  );
});

Deno.test("view=condensed for the candidate: no proctoring signal or other hidden key, nor its name", async () => {
  const res = await getDetails({ interview_result_id: SEED.submitted, view: "condensed" }, {
    token: await signIn(SEED.users.alice),
  });
  const doc = await res.json();
  for (const item of doc.transcript.filter((i: { is_answer: boolean }) => i.is_answer)) {
    const raw = item.answer_assessment_raw_data;
    if (!raw) continue;
    for (const key of ["reading_stats", "proctor_status", "candidate_images_count", "pyannote"]) {
      assert.equal(key in raw, false, key);
    }
    assert.deepEqual(raw._omitted, ["assemblyai", "elevenlabs"]);
  }
});

Deno.test("the older hiring_reasons, on a result written before 2026-09-15: the reviewer sees it, the candidate neither shape", async () => {
  const reviewer = await (await getDetails({ interview_result_id: SEED.globex }, {
    token: await signIn(SEED.users.globexRecruiter),
  })).json();
  assert.deepEqual(reviewer.ai_analysis_other.hiring_reasons, {
    reasons_to_hire: ["Checks data quality"],
    reasons_not_to_hire: ["No business framing"],
  });
  const candidate = await (await getDetails({ interview_result_id: SEED.globex }, {
    token: await signIn(SEED.users.bob),
  })).json();
  assert.deepEqual(candidate.ai_analysis_other, {});
  assert.equal(candidate.ai_analysis_recruiter_why_hire, null);
});

Deno.test(
  "keys nobody has named yet, in ai_analysis_other and an answer's raw data: hidden from the candidate, shown to a reviewer",
  {
    ignore: !hasDatabase,
  },
  async () => {
    await withResult([{
      recording: null,
      raw: { model: "m", signal_added_in_2027: { risk: 0.9 } },
    }], async (id, db) => {
      await db`update public.interview_results
      set ai_analysis_other = '{"takeaways": {"what_went_well": ["x"]}, "analysis_added_in_2027": {"for": "recruiters"}}'
      where id = ${id}`;
      for (const view of ["full", "condensed"]) {
        const candidate = await (await getDetails({ interview_result_id: id, view }, {
          token: await signIn(SEED.users.bob),
        })).json();
        assert.deepEqual(Object.keys(candidate.ai_analysis_other), ["takeaways"], view);
        assert.deepEqual(candidate.transcript[0].answer_assessment_raw_data, { model: "m" }, view);
        const reviewer = await (await getDetails({ interview_result_id: id, view }, {
          token: await signIn(SEED.users.emeaRecruiter),
        })).json();
        assert.deepEqual(
          reviewer.ai_analysis_other.analysis_added_in_2027,
          { for: "recruiters" },
          view,
        );
        assert.deepEqual(reviewer.transcript[0].answer_assessment_raw_data.signal_added_in_2027, {
          risk: 0.9,
        }, view);
      }
    });
  },
);
