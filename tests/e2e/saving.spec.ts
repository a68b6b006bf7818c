// Work is never lost: share links keep the person's own set-up, saves from a newer version are
// never overwritten, failed writes are said, what the editor accepts reloads, and each mode shows
// its own run.
import { Browser, Page, expect, test } from "@playwright/test";
import { STORAGE_KEY, DAMAGED_KEY, openWith, questions, runAndWait, lanes } from "./helpers";

const NEWER_KEY = "parallel-playground.workspace.newer";

/** A share link made by a teacher in a browser of their own. */
async function teacherLink(browser: Browser): Promise<string> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto("./");
  await page.getByTestId("topic-input").fill("Lisbon");
  await page.getByTestId("question-input").first().fill("Where to hear fado in {topic}?");
  await page.getByTestId("share-link").click();
  const link = await page.getByTestId("share-link-url").inputValue();
  await ctx.close();
  expect(link).toContain("#w=");
  return link;
}

const OWN = { topic: "Oslo", questions: questions("What to see in {topic}?", "Where to swim in {topic}?") };

/** Waits until the save holds `topic`. */
async function savedTopic(page: Page, topic: string) {
  await expect
    .poll(() => page.evaluate((k) => JSON.parse(localStorage.getItem(k) ?? "{}").topic, STORAGE_KEY))
    .toBe(topic);
}

test("a link opened in a fresh tab shows its set-up, keeps the person's own and lets edits survive a reload", async ({ browser }) => {
  const link = await teacherLink(browser);
  const ctx = await browser.newContext();
  const own = await ctx.newPage();
  await openWith(own, OWN);
  await savedTopic(own, "Oslo");

  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(link);
  await expect(page.getByTestId("topic-input")).toHaveValue("Lisbon");
  await expect(page.getByTestId("notice")).toContainText("Your own set-up was kept");
  await expect(page.getByTestId("restore-setup")).toBeVisible();
  expect(page.url()).not.toContain("#w=");
  await expect(page.getByTestId("saved-setup")).toHaveCount(1);
  await expect(page.getByTestId("saved-setup").first()).toContainText("Oslo");

  // An edit after opening the link survives a reload (the link is not read again).
  await page.getByTestId("topic-input").fill("Lisbon, edited");
  await savedTopic(page, "Lisbon, edited");
  await page.reload();
  await expect(page.getByTestId("run-bar")).toBeVisible();
  await expect(page.getByTestId("topic-input")).toHaveValue("Lisbon, edited");

  // The person's own set-up is one click away in the list.
  await page.getByTestId("saved-setups").locator("summary").click();
  await page.getByTestId("open-saved-setup").first().click();
  await expect(page.getByTestId("topic-input")).toHaveValue("Oslo");
  await expect(page.getByTestId("question-input")).toHaveCount(2);
  // … and the link's edited set-up is now kept in its place.
  await expect(page.getByTestId("saved-setup").first()).toContainText("Lisbon, edited");
  expect(errors).toEqual([]);
  await ctx.close();
});

test("a link opened in an open tab (only the fragment changes) is shown at once and can be undone", async ({ browser }) => {
  const link = await teacherLink(browser);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await openWith(page, OWN);
  await page.getByTestId("topic-input").fill("Oslo in winter");
  await savedTopic(page, "Oslo in winter");

  await page.evaluate((hash) => (location.hash = hash), new URL(link).hash);
  await expect(page.getByTestId("topic-input")).toHaveValue("Lisbon");
  await expect(page.getByTestId("notice")).toContainText("Opened the set-up from the link");
  await expect.poll(() => page.evaluate(() => location.hash)).toBe("");

  await page.getByTestId("restore-setup").click();
  await expect(page.getByTestId("topic-input")).toHaveValue("Oslo in winter");
  await expect(page.getByTestId("notice")).toContainText("Restored your set-up");
  await savedTopic(page, "Oslo in winter");
  await page.reload();
  await expect(page.getByTestId("topic-input")).toHaveValue("Oslo in winter");
  await ctx.close();
});

test("a save from a newer version is kept unchanged and the tab works in memory", async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const newer = JSON.stringify({ version: 99, topic: "From the future", questions: [{ text: "?" }] });
  await page.addInitScript(
    ([key, value]) => {
      if (!sessionStorage.getItem("seeded")) {
        localStorage.setItem(key, value);
        sessionStorage.setItem("seeded", "1");
      }
    },
    [STORAGE_KEY, newer],
  );
  await page.goto("./");
  await expect(page.getByTestId("error").first()).toContainText("newer version");
  await expect(page.getByTestId("save-status")).toContainText("not saved");
  await page.getByTestId("topic-input").fill("Edited here");
  await page.reload();
  await expect(page.getByTestId("error").first()).toContainText("newer version");
  expect(await page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY)).toBe(newer);
  expect(await page.evaluate((k) => localStorage.getItem(k), NEWER_KEY)).toBe(newer);
  await ctx.close();
});

/** Makes every localStorage write fail as a full storage does (after `seed` is written). */
async function fullStorage(page: Page, seed: [string, string] | null) {
  await page.addInitScript((seed) => {
    if (seed) localStorage.setItem(seed[0], seed[1]);
    Storage.prototype.setItem = function () {
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    };
  }, seed);
}

test("a full storage is said in a visible sentence, and a damaged copy is never claimed kept", async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await fullStorage(page, null);
  await page.goto("./");
  await page.getByTestId("topic-input").fill("Nowhere to save");
  await expect(page.locator('[data-save="failed"]')).toContainText("could not be saved");

  const ctx2 = await browser.newContext();
  const damaged = await ctx2.newPage();
  await fullStorage(damaged, [STORAGE_KEY, "{ not json"]);
  await damaged.goto("./");
  const notice = damaged.getByTestId("error").first();
  await expect(notice).toContainText("could not be copied aside");
  await expect(notice).not.toContainText("was kept");
  expect(await damaged.evaluate((k) => localStorage.getItem(k), DAMAGED_KEY)).toBeNull();
  expect(await damaged.evaluate((k) => localStorage.getItem(k), STORAGE_KEY)).toBe("{ not json");
  await ctx.close();
  await ctx2.close();
});

test("a 25,000-character question is cut at the field with a sentence, and what is saved reloads", async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto("./");
  const first = page.getByTestId("question-input").first();
  await first.fill("a".repeat(25_000));
  await expect(page.getByTestId("field-note").first()).toContainText("at most 20,000 characters");
  expect((await first.inputValue()).length).toBe(20_000);
  await expect
    .poll(() => page.evaluate((k) => JSON.parse(localStorage.getItem(k) ?? "{}").questions?.[0]?.text?.length, STORAGE_KEY))
    .toBe(20_000);
  await page.reload();
  await expect(page.getByTestId("run-bar")).toBeVisible();
  expect((await page.getByTestId("question-input").first().inputValue()).length).toBe(20_000);
  await expect(page.getByTestId("error")).toHaveCount(0);
  await ctx.close();
});

test("each mode shows its own run, never the other's", async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await openWith(page, { simulation: { speed: 20 } });
  await runAndWait(page, "run-parallel");
  const research = (await lanes(page)).filter((l) => l.run === "parallel").length;
  expect(research).toBeGreaterThan(0);

  await page.getByTestId("agent-mode").click();
  await expect(page.getByTestId("run-agents")).toBeVisible();
  await expect(page.getByTestId("lane")).toHaveCount(0);
  await runAndWait(page, "run-agents");
  expect((await lanes(page)).every((l) => l.run === "agent")).toBe(true);
  await expect(page.getByTestId("tool-call").first()).toBeVisible();

  await page.getByTestId("research-mode").click();
  await expect(page.getByTestId("tool-call")).toHaveCount(0);
  await expect.poll(async () => (await lanes(page)).filter((l) => l.run === "parallel").length).toBe(research);
  expect((await lanes(page)).some((l) => l.run === "agent")).toBe(false);
  await ctx.close();
});
