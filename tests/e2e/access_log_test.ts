// "Who has read this interview" in the viewer, in Chromium (issue 26): a recruiter reads the
// transcript (its record is written) and is told plainly that the history is not theirs to see;
// the owner of the merchant above sees that read whole, beside the transcript; the candidate sees
// it too, without the recruiter's user id. Expected readers are the seed's (supabase/seed.sql),
// written out; each read is told apart by the request id its answer carried.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { launchChromium } from "../support/browser.ts";
import { SEED } from "../support/stack.ts";
import { serveViewer } from "./viewer_site.ts";

const OUT = `${Deno.env.get("TEST_OUTPUT_DIR") ?? "test-output"}/e2e`;
await Deno.mkdir(OUT, { recursive: true });

const RECRUITER = "00000000-0000-4000-8000-000000000012";
const ALICE = "00000000-0000-4000-8000-000000000101";
const ACME = "10000000-0000-4000-8000-000000000001";
const ACME_EMEA = "10000000-0000-4000-8000-000000000002";
/** The submitted result's recordings: the session, the introduction, five answers. */
const RECORDINGS = 7;

type Entry = {
  classes: string;
  requestId: string;
  when: string;
  who: string;
  what: string;
  shared: string;
  meta: string;
};

Deno.test({
  name:
    "viewer in Chromium: who has read this interview, for the recruiter, the owner and the candidate",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const site = serveViewer();
    const chromium = await launchChromium();
    try {
      const tab = await chromium.browser.newPage();
      tab.setDefaultTimeout(10_000);
      await tab.goto(site.url);

      const signIn = async (email: string) => {
        await tab.fill("#signin input[name=email]", email);
        await tab.click("#signin button[type=submit]");
        await tab.locator("#who", { hasText: email }).waitFor();
      };
      /** Reads the submitted result; its history settled; the request id its answer carried. */
      const read = async (view: string, signed: boolean): Promise<string> => {
        await tab.fill("#lookup input[name=id]", SEED.submitted);
        await tab.selectOption("#lookup select[name=view]", view);
        await tab.selectOption("#lookup select[name=signed]", String(signed));
        const [answer] = await Promise.all([
          tab.waitForResponse((r) => r.url().includes("/job-interview-details?")),
          tab.click("#lookup button[type=submit]"),
        ]);
        assert.equal(answer.status(), 200);
        await tab.waitForSelector("#access[data-state]");
        return (await answer.headerValue("x-request-id"))!;
      };

      let recruiterRead = "";
      let ownerRead = "";

      await t.step(
        "the recruiter reads the transcript and is told the history is not theirs",
        async () => {
          await signIn(SEED.users.acmeRecruiter);
          recruiterRead = await read("full", true);
          assert.equal(await tab.locator("#transcript .turn").count(), 10);
          assert.equal(await tab.getAttribute("#access", "data-state"), "not-shown");
          assert.equal(await tab.locator("#access h2").innerText(), "Who has read this interview");
          assert.equal(
            await tab.locator("#access .not-shown").innerText(),
            "This history is not shown to you. Who has read an " +
              "interview is shown to its candidate, to the owners of its organisation (or of one " +
              "above it), and to platform admins.",
          );
          await tab.screenshot({ path: `${OUT}/access-recruiter.png`, fullPage: true });
        },
      );

      await t.step(
        "the owner of the merchant above sees that read whole, beside the transcript",
        async () => {
          await signIn(SEED.users.acmeOwner);
          // Unsigned: its own record is written after the answer, and the page waits for it.
          ownerRead = await read("summary", false);
          assert.equal(await tab.getAttribute("#access", "data-state"), "shown");
          const entries = await entriesOf(tab);
          const mine = entries.findIndex((e) => e.requestId === ownerRead);
          const theirs = entries.findIndex((e) => e.requestId === recruiterRead);
          assert.equal(mine, 0, "the owner's read, newest, first");
          assert.ok(theirs > mine, "the recruiter's read after it");
          assert.deepEqual(strip(entries[mine]), {
            classes: "access this-read",
            requestId: ownerRead,
            who:
              `An owner of organisation ${ACME}, above the interview's organisation ${ACME_EMEA} (you)`,
            what: "read the summary",
            shared: "no recordings shared",
            meta: `from ${site.origin} · request ${ownerRead} · this read`,
          });
          assert.deepEqual(strip(entries[theirs]), {
            classes: "access",
            requestId: recruiterRead,
            who:
              `A member of organisation ${ACME}, above the interview's organisation ${ACME_EMEA} ` +
              `(user ${RECRUITER})`,
            what: "read the full transcript",
            shared: `${RECORDINGS} recording links shared, working until ${
              entries[theirs].shared.slice(-23)
            }`,
            meta: `from ${site.origin} · request ${recruiterRead}`,
          });
          assertLinksLiveAnHour(entries[theirs]);
          // Beside it: the transcript's column and the history's side by side.
          const document = await tab.locator("#transcript").boundingBox();
          const history = await tab.locator("#access").boundingBox();
          assert.ok(history!.x > document!.x + document!.width - 1, "the history beside it");
          await tab.screenshot({ path: `${OUT}/access-owner.png`, fullPage: true });
        },
      );

      await t.step(
        "the candidate sees the recruiter's read, without the recruiter's user id",
        async () => {
          await signIn(SEED.users.alice);
          const aliceRead = await read("full", false);
          const entries = await entriesOf(tab);
          // Newest first: hers, the owner's, the recruiter's; the others' request ids and origins
          // not shown.
          assert.deepEqual(entries.slice(0, 3).map(strip), [
            {
              classes: "access this-read",
              requestId: aliceRead,
              who: "The candidate (you)",
              what: "read the full transcript",
              shared: "no recordings shared",
              meta: `from ${site.origin} · request ${aliceRead} · this read`,
            },
            {
              classes: "access",
              requestId: "",
              who: `An owner of organisation ${ACME}, above the interview's organisation ` +
                `${ACME_EMEA} (the person is not shown to you)`,
              what: "read the summary",
              shared: "no recordings shared",
              meta: "", // nor where the read came from
            },
            {
              classes: "access",
              requestId: "",
              who: `A member of organisation ${ACME}, above the interview's organisation ` +
                `${ACME_EMEA} (the person is not shown to you)`,
              what: "read the full transcript",
              shared: `${RECORDINGS} recording links shared, working until ${
                entries[2].shared.slice(-23)
              }`,
              meta: "", // nor where the read came from
            },
          ]);
          assertLinksLiveAnHour(entries[2]);
          const shown = await tab.locator("#access").innerText();
          assert.ok(!shown.includes(RECRUITER), "the recruiter's user id is nowhere");
          assert.ok(!shown.includes(recruiterRead), "nor the recruiter's request id");
          assert.ok(!shown.includes(ownerRead), "nor the owner's");
          assert.ok(!shown.includes(ALICE), "her own id is said as 'you'");
          await tab.screenshot({ path: `${OUT}/access-candidate.png`, fullPage: true });
        },
      );
    } finally {
      await chromium.close();
      await site.shutdown();
    }
  },
});

/** The history's entries as the page shows them, in its order. */
function entriesOf(tab: Page): Promise<Entry[]> {
  return tab.locator("#access-log > li").evaluateAll((items) =>
    items.map((li) => {
      const part = (selector: string) =>
        (li.querySelector(selector) as { innerText: string } | null)?.innerText ?? "";
      return {
        classes: li.className,
        requestId: li.getAttribute("data-request-id") ?? "",
        when: part(".when"),
        who: part(".reader"),
        what: part(".what"),
        shared: part(".shared, .recordings"),
        meta: part(".muted"),
      };
    })
  );
}

const WHEN = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/;

/** An entry without its time (checked for its form here: its value is the database's clock). */
function strip(entry: Entry): Omit<Entry, "when"> {
  const { when, ...rest } = entry;
  assert.match(when, WHEN);
  return rest;
}

/** Links given out with a read work for an hour (the function's default lifetime) after it. */
function assertLinksLiveAnHour(entry: Entry) {
  const until = entry.shared.slice(-23);
  assert.match(until, WHEN);
  const seconds = (Date.parse(until.replace(" UTC", "Z").replace(" ", "T")) -
    Date.parse(entry.when.replace(" UTC", "Z").replace(" ", "T"))) / 1000;
  // The record's time is shown to the second; the links' end is it rounded up, plus 3,600 s.
  assert.ok(seconds === 3600 || seconds === 3601, `links live ${seconds} s`);
}
