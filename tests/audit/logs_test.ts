// Runs after every other suite: the function's log of the whole run carries no token, key or
// signed-URL token.
import assert from "node:assert/strict";
import { parseEnvFile } from "../../tools/local-stack/main.ts";

const logFile = Deno.env.get("FUNCTION_LOG_FILE");
const envFile = Deno.env.get("STACK_ENV_FILE");

Deno.test({
  name: "the function's logs hold one JSON line per request and no secret",
  ignore: !logFile || !envFile,
  fn: async () => {
    const log = await Deno.readTextFile(logFile!);
    const env = parseEnvFile(await Deno.readTextFile(envFile!));
    const lines = log.split("\n").filter((l) => l.startsWith("{"));
    assert.ok(lines.length > 20, `the suite's requests were logged (${lines.length} lines)`);
    for (const line of lines) JSON.parse(line);
    for (
      const secret of [
        env.SUPABASE_ANON_KEY,
        env.SUPABASE_SERVICE_ROLE_KEY,
        env.SUPABASE_JWT_SECRET,
        env.SUPABASE_PUBLISHABLE_KEY,
        env.SUPABASE_SECRET_KEY,
      ].filter(Boolean)
    ) {
      assert.ok(!log.includes(secret), "no key");
    }
    assert.ok(!/eyJ[\w-]{8,}\.eyJ[\w-]{8,}/.test(log), "no JWT, user token or signed-URL token");
    assert.ok(!log.includes("token="), "no signed URL");
  },
});
