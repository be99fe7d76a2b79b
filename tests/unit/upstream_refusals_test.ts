// The function's reading of PostgREST's token refusals: each body as PostgREST v16.5 (and v14)
// sends it (src/library/PostgREST/Error.hs, the JwtError instance; docs/local-stack.md, "Token
// errors"), told to the caller as what it is, and what PostgREST never sends for a token left
// to the caller as a failure of ours.
import assert from "node:assert/strict";
import { refusal } from "../../supabase/functions/job-interview-details/refusals.ts";

const refusalMessage = (code: string, message: string) => refusal(401, code, message, "jwt");

const cases: [string, string, string | undefined][] = [
  // PGRST301: the token can't be decoded, whatever the cause.
  ["PGRST301", "Empty JWT is sent in Authorization header", "Invalid or expired access token."],
  ["PGRST301", "Expected 3 parts in JWT; got 2", "Invalid or expired access token."],
  ["PGRST301", "No suitable key or wrong key type", "Invalid or expired access token."],
  ["PGRST301", "Wrong or unsupported encoding algorithm", "Invalid or expired access token."],
  ["PGRST301", "JWT cryptographic operation failed", "Invalid or expired access token."],
  // PGRST303: the claims refused, each cause its own message.
  ["PGRST303", "JWT expired", "The access token has expired."],
  ["PGRST303", "JWT not yet valid", "The access token is not valid yet."],
  ["PGRST303", "JWT issued at future", "The access token was issued in the future."],
  ["PGRST303", "The JWT 'exp' claim must be a number", "Invalid or expired access token."],
  ["PGRST303", "The JWT 'nbf' claim must be a number", "Invalid or expired access token."],
  ["PGRST303", "The JWT 'iat' claim must be a number", "Invalid or expired access token."],
  [
    "PGRST303",
    "The JWT 'aud' claim must be a string or an array of strings",
    "Invalid or expired access token.",
  ],
  ["PGRST303", "Parsing claims failed", "Invalid or expired access token."],
  // The RPC's own: the session has ended.
  ["PT401", "The session has ended", "The session has ended: sign in again."],
  // Never a refusal of the caller's token.
  ["PGRST302", "Anonymous access is disabled", undefined],
  ["PGRST300", "Server lacks JWT secret", undefined],
  ["22023", 'role "x" does not exist', undefined],
  // Run as anon: the credential was the anon or a publishable key.
  [
    "42501",
    "permission denied for function interview_transcript",
    "A signed-in user's access token is required.",
  ],
];

for (const [code, message, expected] of cases) {
  Deno.test(`PostgREST's ${code} "${message}" → ${expected ?? "not a refusal"}`, () => {
    assert.equal(refusalMessage(code, message), expected);
  });
}

Deno.test("no PGRST303 is told it expired unless PostgREST said so", () => {
  for (const [code, message] of cases) {
    if (code === "PGRST303" && message !== "JWT expired") {
      assert.doesNotMatch(refusalMessage(code, message) ?? "", /has expired/, message);
    }
  }
});
