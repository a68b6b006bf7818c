import { expect, test } from "@playwright/test";
import { openWith, runAndWait } from "./helpers";

// A learner on a phone: the questions, the run buttons and the timeline come first, the settings
// fold away below them, and nothing scrolls sideways.
test.use({ viewport: { width: 375, height: 800 } });

/** The top of an element in page coordinates (scroll included). */
async function pageTop(page: import("@playwright/test").Page, selector: string): Promise<number> {
  return page.locator(selector).first().evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
}

async function noHorizontalScroll(page: import("@playwright/test").Page) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(client);
}

test("on a phone the run button and the first timeline row come within two screens", async ({ page }) => {
  await openWith(page, { simulation: { seed: 3, speed: 50 } });
  const screens = 2 * 800;
  expect(await pageTop(page, '[data-testid="run-compare"]')).toBeLessThan(screens);
  // The questions come before the run button; the settings after the timeline, folded.
  expect(await pageTop(page, '[data-testid="question-input"]')).toBeLessThan(await pageTop(page, '[data-testid="run-compare"]'));
  await expect(page.locator(".settings-fold")).not.toHaveAttribute("open", "");
  await noHorizontalScroll(page);

  await runAndWait(page, "run-compare");
  const firstRow = await pageTop(page, '[data-testid="lane"]');
  expect(firstRow).toBeLessThan(screens);
  expect(firstRow).toBeLessThan(await pageTop(page, ".settings-fold"));
  await noHorizontalScroll(page);

  // The settings are one tap away.
  await page.locator(".settings-fold > summary").click();
  await expect(page.getByTestId("provider-select")).toBeVisible();
  await noHorizontalScroll(page);
});

test("the agent presets speak the visitor's language", async ({ page }) => {
  await openWith(page, { mode: "agents" });
  const labels = await page.locator("option").allTextContents();
  expect(labels.join(" ")).toContain("calculator");
  for (const label of labels) expect(label).not.toMatch(/seed \d/i);
});
