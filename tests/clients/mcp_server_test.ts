// A server client as JobMojito's MCP server calls the function (JobMojito/mcp upstream.py: an
// httpx client): GET with query parameters, `Accept: application/json`, `apikey: <anon key>`,
// `Authorization: Bearer <the user's token>`, gzip accepted (httpx sends `gzip, deflate`). Raw
// HTTP, so the compressed bytes are seen as they arrive.
import assert from "node:assert/strict";
import http from "node:http";
import { DetailsResponseSchema } from "../../supabase/functions/job-interview-details/schemas.ts";
import { apiKey, SEED, signIn, stack } from "../support/stack.ts";

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Uint8Array<ArrayBuffer>;
}

/** One GET as httpx sends it; the body exactly as it came over the wire. */
function mcpGet(query: Record<string, string>, token: string | undefined): Promise<Raw> {
  const url = new URL(stack.FUNCTION_URL);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const headers: Record<string, string> = {
    accept: "application/json",
    "accept-encoding": "gzip, deflate",
    apikey: apiKey,
    "user-agent": "python-httpx/0.28.1",
  };
  if (token) headers.authorization = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      const chunks: Uint8Array[] = [];
      res.on("data", (c: Uint8Array) => chunks.push(new Uint8Array(c)));
      res.on("end", () => {
        const body = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
        let at = 0;
        for (const c of chunks) body.set(c, (at += c.length) - c.length);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
      res.on("error", reject);
    }).on("error", reject);
  });
}

/** The decoded JSON of a raw answer, gunzipped when it says so. */
async function json(raw: Raw): Promise<Record<string, unknown>> {
  const decoded = raw.headers["content-encoding"] === "gzip"
    ? await new Response(new Blob([raw.body]).stream().pipeThrough(new DecompressionStream("gzip")))
      .text()
    : new TextDecoder().decode(raw.body);
  return JSON.parse(decoded);
}

Deno.test("MCP client: GET with query parameters, gzip over the wire, the contract's document", async () => {
  const token = await signIn(SEED.users.acmeRecruiter);
  for (const view of ["full", "condensed", "standard", "summary"]) {
    const raw = await mcpGet({ interview_result_id: SEED.submitted, view }, token);
    assert.equal(raw.status, 200, view);
    assert.equal(raw.headers["content-encoding"], "gzip", `${view}: compressed on the wire`);
    assert.match(String(raw.headers["content-type"]), /^application\/json/);
    const doc = DetailsResponseSchema.parse(await json(raw));
    assert.equal(doc.transcript?.length, 10, view);
  }
});

Deno.test("MCP client: signed links in a gzipped answer download", async () => {
  const raw = await mcpGet(
    { interview_result_id: SEED.submitted, get_signed_recordings: "true" },
    await signIn(SEED.users.emeaOwner),
  );
  assert.equal(raw.status, 200);
  const doc = await json(raw) as { recording_url: string };
  const media = await fetch(doc.recording_url);
  assert.equal(media.status, 200);
  assert.equal(new TextDecoder().decode((await media.bytes()).subarray(0, 4)), "OggS");
});

Deno.test("MCP client: errors are JSON {error, name?} it can show the agent", async () => {
  const outsider = await signIn(SEED.users.outsider);
  const cases: [Record<string, string>, string | undefined, number][] = [
    [{ interview_result_id: SEED.submitted }, outsider, 404],
    [{ interview_result_id: "2f3755af" }, outsider, 422],
    [{ interview_result_id: SEED.submitted }, undefined, 401],
  ];
  for (const [query, token, status] of cases) {
    const raw = await mcpGet(query, token);
    assert.equal(raw.status, status);
    assert.match(String(raw.headers["content-type"]), /^application\/json/);
    const body = await json(raw);
    assert.equal(typeof body.error, "string");
    assert.ok(Object.keys(body).every((k) => k === "error" || k === "name"));
  }
});
