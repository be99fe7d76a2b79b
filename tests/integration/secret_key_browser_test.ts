// Secret keys are for servers: Supabase's gateway refuses one sent from a browser (told by its
// User-Agent). The function refuses it too, or it would pass the key on with its own User-Agent.
import assert from "node:assert/strict";
import { getDetails, SEED, stack } from "../support/stack.ts";

const CHROME =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

Deno.test("the gateway refuses a secret key from a browser on the Data API, and takes it from a server", async () => {
  const key = stack.SUPABASE_SECRET_KEY;
  if (!key) return;
  const url =
    `${stack.SUPABASE_URL}/rest/v1/rpc/interview_transcript?p_interview_result_id=${SEED.submitted}`;
  const headers = { apikey: key, authorization: `Bearer ${key}` };
  const browser = await fetch(url, { headers: { ...headers, "user-agent": CHROME } });
  assert.equal(browser.status, 401);
  await browser.body?.cancel();
  const server = await fetch(url, { headers: { ...headers, "user-agent": "Deno/2.9.6" } });
  assert.equal(server.status, 200);
  await server.body?.cancel();
});

Deno.test("the function refuses a secret key from a browser: 401 in the contract's shape, readable cross-origin", async () => {
  const key = stack.SUPABASE_SECRET_KEY;
  if (!key) return;
  const sent: Record<string, string>[] = [
    { apikey: key },
    { apikey: key, authorization: `Bearer ${key}` },
  ];
  for (const headers of sent) {
    const res = await getDetails({ interview_result_id: SEED.submitted }, {
      headers: { ...headers, "user-agent": CHROME, origin: "https://app.example" },
    });
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), {
      error: "A secret key can't be used from a browser: call from a server.",
    });
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
  }
  const server = await getDetails({ interview_result_id: SEED.submitted }, {
    headers: { apikey: key, "user-agent": "python-httpx/0.28.1" },
  });
  assert.equal(server.status, 200);
  await server.body?.cancel();
});
