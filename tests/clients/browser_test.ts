// supabase-js in Chromium, on another origin than the API, as JobMojito's frontends run it (the
// library bundled by `deno bundle` from the same npm package the Deno tests use). Every answer a
// page can get must be readable by it: an expired session, the publishable key before sign-in,
// 404, 422 are FunctionsHttpError with the body, never FunctionsFetchError. The same page against
// a function behind the platform's verify_jwt gate shows why that gate is off for this one.
import assert from "node:assert/strict";
import { launchChromium } from "../support/browser.ts";
import { expiredSessionToken, SEED, stack } from "../support/stack.ts";

const OUT = `${Deno.env.get("TEST_OUTPUT_DIR") ?? "test-output"}/clients`;
await Deno.mkdir(OUT, { recursive: true });

// supabase-js for the browser, from the project's own import map.
const entry = `${OUT}/supabase-entry.ts`;
await Deno.writeTextFile(
  entry,
  'export { createClient, FunctionsFetchError, FunctionsHttpError, FunctionsRelayError } from "@supabase/supabase-js";\n',
);
const bundled = await new Deno.Command(Deno.execPath(), {
  args: [
    "bundle",
    "--quiet",
    "--platform=browser",
    "--format=esm",
    entry,
    "-o",
    `${OUT}/supabase.js`,
  ],
  cwd: new URL("../../", import.meta.url).pathname,
  stdout: "piped",
  stderr: "piped",
}).output();
if (!bundled.success) throw new Error(new TextDecoder().decode(bundled.stderr));
const library = await Deno.readTextFile(`${OUT}/supabase.js`);

/** Runs in the page: one invoke, reported as the page would see it. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>client</title>
<script type="module">
import * as sb from "./supabase.js";
window.invoke = async ({ url, key, email, token, signOut, name, options }) => {
  const client = sb.createClient(url, key, { auth: { persistSession: false, autoRefreshToken: false } });
  if (email) {
    const { error } = await client.auth.signInWithPassword({ email, password: "password" });
    if (error) return { signInError: error.message };
  }
  if (signOut) {
    // The session's token, as another tab still holds it, after this one signs out.
    const { data } = await client.auth.getSession();
    const { error } = await client.auth.signOut();
    if (error) return { signOutError: error.message };
    client.functions.setAuth(data.session.access_token);
  }
  if (token) client.functions.setAuth(token);
  const { data, error } = await client.functions.invoke(name, options);
  if (!error) return { ok: true, transcript: data.transcript?.length ?? null };
  const kind = error instanceof sb.FunctionsHttpError ? "FunctionsHttpError"
    : error instanceof sb.FunctionsFetchError ? "FunctionsFetchError"
    : error instanceof sb.FunctionsRelayError ? "FunctionsRelayError" : error.name;
  let status = null, body = null;
  if (kind === "FunctionsHttpError") {
    status = error.context.status;
    body = await error.context.json();
  }
  return { kind, status, body };
};
window.ready = true;
</script>`;

const site = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
  const path = new URL(req.url).pathname;
  if (path === "/supabase.js") {
    return new Response(library, { headers: { "content-type": "text/javascript" } });
  }
  return new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8" } });
});
const siteUrl = `http://127.0.0.1:${site.addr.port}/`;
// Another origin than the API's (another port).
const apiUrl = stack.SUPABASE_URL;
const key = stack.SUPABASE_PUBLISHABLE_KEY ?? stack.SUPABASE_ANON_KEY;
const NAME = "job-interview-details";

const expired = await expiredSessionToken();

Deno.test({
  name: "supabase-js in Chromium on another origin reads every answer of the function",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const chromium = await launchChromium();
    try {
      const page = await chromium.browser.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(siteUrl);
      await page.waitForFunction("window.ready === true");
      assert.notEqual(new URL(siteUrl).origin, new URL(apiUrl).origin, "two origins");
      const invoke = (args: Record<string, unknown>) =>
        page.evaluate((a) => (window as unknown as { invoke(a: unknown): unknown }).invoke(a), {
          url: apiUrl,
          key,
          name: NAME,
          ...args,
        }) as Promise<Record<string, unknown>>;
      const byId = { body: { interview_result_id: SEED.submitted } };

      await t.step("a recruiter's POST and GET invokes return the document", async () => {
        assert.deepEqual(
          await invoke({ email: SEED.users.acmeRecruiter, options: byId }),
          { ok: true, transcript: 10 },
        );
        assert.deepEqual(
          await invoke({
            email: SEED.users.acmeRecruiter,
            name: `${NAME}?interview_result_id=${SEED.submitted}&view=summary`,
            options: { method: "GET" },
          }),
          { ok: true, transcript: 10 },
        );
      });

      await t.step("an expired session is a readable 401", async () => {
        const got = await invoke({ token: expired, options: byId });
        assert.equal(got.kind, "FunctionsHttpError", JSON.stringify(got));
        assert.equal(got.status, 401);
        assert.match((got.body as { error: string }).error, /expired|invalid/i);
      });

      await t.step("a session signed out (auth.signOut()) is a readable 401 at once", async () => {
        const got = await invoke({ email: SEED.users.acmeRecruiter, signOut: true, options: byId });
        assert.equal(got.kind, "FunctionsHttpError", JSON.stringify(got));
        assert.equal(got.status, 401);
        assert.match((got.body as { error: string }).error, /session has ended/);
      });

      await t.step("the publishable key before sign-in is a readable 401", async () => {
        const got = await invoke({ options: byId });
        assert.deepEqual([got.kind, got.status], ["FunctionsHttpError", 401]);
      });

      await t.step("a result the caller may not see is a readable 404", async () => {
        const got = await invoke({ email: SEED.users.outsider, options: byId });
        assert.deepEqual([got.kind, got.status, got.body], ["FunctionsHttpError", 404, {
          error: "Interview result not found.",
        }]);
      });

      await t.step("bad input is a readable 422 naming the field", async () => {
        const got = await invoke({
          email: SEED.users.outsider,
          options: { body: { interview_result_id: SEED.submitted, view: "everything" } },
        });
        assert.deepEqual([got.kind, got.status], ["FunctionsHttpError", 422]);
        assert.equal((got.body as { name: string }).name, "view");
      });

      if (stack.FUNCTION_GATED_URL) {
        await t.step(
          "behind the platform's gate, an expired session gets FunctionsFetchError",
          async () => {
            // Why verify_jwt is off: the gate refuses without CORS headers, so the page can't
            // tell an expired session from a network outage.
            const got = await invoke({
              token: expired,
              name: new URL(stack.FUNCTION_GATED_URL).pathname.split("/").pop(),
              options: byId,
            });
            assert.equal(got.kind, "FunctionsFetchError", JSON.stringify(got));
          },
        );
      }
    } finally {
      await chromium.close();
      await site.shutdown();
    }
  },
});
