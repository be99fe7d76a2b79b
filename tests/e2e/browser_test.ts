// A JobMojito-style frontend in real Chromium: the viewer page on one origin calls the function
// on another (a real CORS preflight with Authorization), renders the transcript, plays an
// answer's recording, and reads the function's 401, 404 and 422 (CORS on errors).
import assert from "node:assert/strict";
import { launchChromium } from "../support/browser.ts";
import { SEED } from "../support/stack.ts";
import { startProxy } from "../support/upstream_proxy.ts";
import { serveViewer } from "./viewer_site.ts";

const OUT = `${Deno.env.get("TEST_OUTPUT_DIR") ?? "test-output"}/e2e`;
await Deno.mkdir(OUT, { recursive: true });

// The function's origin: a recording pass-through in front of the stack, so the test sees the
// browser's preflight exactly as it was sent.
const functionOrigin = startProxy();
const site = serveViewer(`${functionOrigin.url}/functions/v1/job-interview-details`);
const { config } = site;
const siteUrl = site.url;

Deno.test({
  name: "viewer in Chromium: preflight, transcript, playback, and readable 401/404/422",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const chromium = await launchChromium();
    const { browser } = chromium;
    try {
      const tab = await browser.newPage();
      tab.setDefaultTimeout(10_000);
      const consoleErrors: string[] = [];
      tab.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
      await tab.goto(siteUrl);
      assert.notEqual(new URL(siteUrl).origin, new URL(config.functionUrl).origin, "two origins");

      await t.step("signs in and renders the transcript as a recruiter", async () => {
        await tab.click("#signin button[type=submit]");
        await tab.waitForSelector("#who[data-state=signed-in]");
        await tab.click("#lookup button[type=submit]");
        await tab.waitForSelector("#transcript .turn");
        assert.equal(await tab.locator("#transcript .turn").count(), 10);
        assert.equal(
          await tab.locator("#transcript .answer .pill").count(),
          4,
          "scored answers show their score",
        );
        assert.match(await tab.locator("#analyses").innerText(), /Clear communicator/);
        // Written since 2026-09-15: strengths and concerns, as lists.
        assert.equal(await tab.locator("#strengths h3").innerText(), "Strengths");
        assert.deepEqual(await tab.locator("#strengths li").allInnerTexts(), [
          "Calm under pressure in live demos",
          "Turns objections into discovery",
        ]);
        assert.deepEqual(await tab.locator("#concerns li").allInnerTexts(), [
          "Little API integration depth",
          "Weak on SQL; reviewer doubts seniority",
        ]);
        await tab.screenshot({ path: `${OUT}/transcript.png`, fullPage: true });
      });

      await t.step(
        "the call was preceded by a real CORS preflight asking for Authorization",
        () => {
          const preflight = functionOrigin.preflights.find((p) =>
            p.path.endsWith("/job-interview-details")
          );
          assert.ok(preflight, "a preflight reached the function");
          assert.match(preflight.requestHeaders, /authorization/);
          assert.equal(preflight.origin, new URL(siteUrl).origin);
        },
      );

      await t.step("plays an answer's recording through its signed URL", async () => {
        type Audio = {
          play(): Promise<void>;
          pause(): void;
          currentTime: number;
          duration: number;
          error: { message: string } | null;
        };
        const played = await tab.locator("audio[data-answer='3']").evaluate(async (node) => {
          const audio = node as unknown as Audio;
          await audio.play();
          // Wait until playback has really advanced (bounded), rather than a fixed sleep.
          for (
            let waited = 0;
            audio.currentTime <= 0.2 && !audio.error && waited < 5000;
            waited += 50
          ) {
            await new Promise((r) => setTimeout(r, 50));
          }
          const state = {
            time: audio.currentTime,
            error: audio.error?.message ?? null,
            duration: audio.duration,
          };
          audio.pause();
          return state;
        });
        assert.equal(played.error, null);
        assert.ok(played.time > 0.2, `played ${played.time} s of ${played.duration}`);
        await tab.screenshot({ path: `${OUT}/playback.png` });
      });

      const lookup = async (id: string) => {
        await tab.fill("#lookup input[name=id]", id);
        await tab.click("#lookup button[type=submit]");
        return await tab.waitForSelector(".error[data-status]");
      };

      await t.step("shows the 404 for an id it may not see", async () => {
        const err = await lookup(SEED.globex);
        assert.equal(await err.getAttribute("data-status"), "404");
        assert.match(await err.innerText(), /Interview result not found/);
        await tab.screenshot({ path: `${OUT}/404.png` });
      });

      await t.step("shows an older result's reasons to hire and not to, as lists", async () => {
        await tab.fill("#signin input[name=email]", SEED.users.globexRecruiter);
        await tab.click("#signin button[type=submit]");
        await tab.locator("#who", { hasText: SEED.users.globexRecruiter }).waitFor();
        await tab.fill("#lookup input[name=id]", SEED.globex);
        await tab.click("#lookup button[type=submit]");
        await tab.waitForSelector("#concerns li");
        assert.equal(await tab.locator("#strengths h3").innerText(), "Reasons to hire");
        assert.deepEqual(await tab.locator("#strengths li").allInnerTexts(), [
          "Checks data quality",
        ]);
        assert.deepEqual(await tab.locator("#concerns li").allInnerTexts(), [
          "No business framing",
        ]);
      });

      await t.step("shows the candidate neither the strengths nor the concerns", async () => {
        await tab.fill("#signin input[name=email]", SEED.users.alice);
        await tab.click("#signin button[type=submit]");
        await tab.locator("#who", { hasText: SEED.users.alice }).waitFor();
        await tab.fill("#lookup input[name=id]", SEED.submitted);
        await tab.click("#lookup button[type=submit]");
        await tab.waitForSelector("#concerns");
        assert.equal(await tab.locator("#concerns p").innerText(), "not shown");
        assert.doesNotMatch(await tab.locator("#out").innerText(), /doubts seniority/);
      });

      await t.step("shows the 422 naming the field", async () => {
        const err = await lookup("not-a-uuid");
        assert.equal(await err.getAttribute("data-status"), "422");
        assert.match(await err.innerText(), /interview_result_id/);
        await tab.screenshot({ path: `${OUT}/422.png` });
      });

      await t.step("shows the 401 when not signed in", async () => {
        await tab.click("#signout");
        const err = await lookup(SEED.submitted);
        assert.equal(await err.getAttribute("data-status"), "401");
        await tab.screenshot({ path: `${OUT}/401.png` });
      });

      assert.deepEqual(
        consoleErrors.filter((e) => /CORS|blocked/i.test(e)),
        [],
        "no CORS error in the console",
      );
    } finally {
      await chromium.close();
      await site.shutdown();
      await functionOrigin.stop();
    }
  },
});
