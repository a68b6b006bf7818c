import { expect, test } from "@playwright/test";
import { lanes, openWith, runAndWait } from "./helpers";

// The timeline is windowed: only the rows near the viewport draw their label and bars, yet every
// lane keeps its row with the automation attributes, so scripts still read every lane at once.

const COUNT = 300;
const many = Array.from({ length: COUNT }, (_, i) => ({ text: `Question ${i + 1} about {topic}?` }));

/** How many parallel lane rows draw a label (the ones near the viewport). */
async function drawnRows(page: import("@playwright/test").Page): Promise<number> {
  return page.locator('[data-testid="lane"][data-run="parallel"]:has(.lane-label)').count();
}

test("a long run draws only the rows near the viewport; every lane keeps its attributes", async ({ page }) => {
  await openWith(page, { topic: "Oslo", questions: many, simulation: { seed: 7, speed: 40 }, run: { concurrency_limit: null } });
  await runAndWait(page, "run-parallel", 60_000);

  // All the lanes are there, with their attributes, finished.
  const parallel = (await lanes(page)).filter((l) => l.run === "parallel");
  expect(parallel).toHaveLength(COUNT);
  expect(parallel.every((l) => l.status === "done" && l.start !== null && l.end !== null)).toBe(true);

  // Scrolled to the top of the timeline: its first rows are drawn, a far one is only a shell.
  await page.getByTestId("timeline").evaluate((el) => el.scrollIntoView({ block: "start" }));
  const first = page.locator('[data-testid="lane"][data-run="parallel"][data-lane-index="0"]');
  const last = page.locator(`[data-testid="lane"][data-run="parallel"][data-lane-index="${COUNT - 1}"]`);
  await expect(first.locator(".lane-label")).toHaveCount(1);
  await expect(first.locator(".phase").first()).toBeAttached();
  await expect(last.locator(".lane-label")).toHaveCount(0);
  await expect(last.locator(".phase")).toHaveCount(0);
  const drawn = await drawnRows(page);
  expect(drawn).toBeGreaterThan(0);
  expect(drawn).toBeLessThan(COUNT / 2);

  // A shell still takes the focus and opens its details; scrolled to, it is drawn.
  await last.focus();
  await page.keyboard.press("Enter");
  await expect(page.locator(".call-details h3")).toHaveText(`Question ${COUNT} about Oslo?`);
  await last.scrollIntoViewIfNeeded();
  await expect(last.locator(".lane-label")).toHaveCount(1);
  await expect(last.locator(".phase").first()).toBeAttached();
  await expect(first.locator(".lane-label")).toHaveCount(0);
  // The focus stayed on the same element while its row was drawn.
  expect(await last.evaluate((el) => el === document.activeElement)).toBe(true);
});
