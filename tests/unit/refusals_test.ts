// When PostgREST's answer is the caller's 401, and with what message: one table, checked here
// row by row against the messages a caller is told (expected values written out, not imported).
import assert from "node:assert/strict";
import { refusal } from "../../supabase/functions/job-interview-details/refusals.ts";

const INVALID = "Invalid or expired access token.";
const EXPIRED = "The access token has expired.";
const ENDED = "The session has ended: sign in again.";
const NOT_A_USER = "A signed-in user's access token is required.";

Deno.test("refusal(): PostgREST's and the RPC's refusals of a token are the caller's 401", () => {
  const rows: [number, string, string, string][] = [
    [401, "PGRST301", "Expected 3 parts in JWT; got 2", INVALID],
    [401, "PGRST303", "JWT expired", EXPIRED],
    [401, "PT401", "The session has ended.", ENDED],
    [403, "PGRST301", "JWT cryptographic operation failed", INVALID],
    [401, "42501", "permission denied for function interview_transcript", NOT_A_USER],
  ];
  for (const [status, code, said, message] of rows) {
    assert.equal(refusal(status, code, said, "jwt"), message, `${status} ${code}`);
  }
});

Deno.test("refusal(): the gateway refusing a key is the caller's 401 only when the key is theirs", () => {
  assert.equal(refusal(401, "", "", "secret_key"), INVALID);
  assert.equal(refusal(401, "", "", "jwt"), undefined, "the function's own key: a 500");
});

Deno.test("refusal(): nothing else is a refusal, whatever its code", () => {
  const rows: [number, string][] = [
    [403, "42501"],
    [500, "PGRST301"],
    [400, "22P02"],
    [401, "XX000"],
    [401, "constructor"],
    [401, "toString"],
    [409, "PT409"],
    [401, "PGRST302"],
  ];
  for (const [status, code] of rows) {
    assert.equal(refusal(status, code, "", "jwt"), undefined, `${status} ${code}`);
  }
});
