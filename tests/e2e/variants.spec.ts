import { Page, test, expect } from "@playwright/test";
import { API, STORAGE_KEY, TRAVEL, lanes, mockRequests, openWith, questions, runAndWait } from "./helpers";

const fast = { seed: 7, speed: 3 };

/** The variant block of `letter` (A is the set-up itself). */
function block(page: Page, letter: string) {
  return page.locator(`[data-testid="variant"][data-variant="${letter}"]`);
}

async function setModel(page: Page, letter: string, model: string) {
  const input = block(page, letter).getByTestId("variant-model");
  await input.fill(model);
  await input.press("Tab");
  await expect(input).toHaveValue(model);
}

test("variants A/B with different simulated profiles: own rows on one axis, B's first token later", async ({ page }) => {
  await openWith(page, { topic: "Lisbon", questions: questions(...TRAVEL), simulation: fast });
  await page.getByTestId("add-variant").click();
  await expect(page.getByTestId("variant")).toHaveCount(2);
  await setModel(page, "A", "fast-small");
  await setModel(page, "B", "large-slow");
  // A simulated A's model is the simulated model's profile.
  await expect(page.getByTestId("sim-profile")).toHaveValue("fast-small");

  await runAndWait(page, "run-parallel");
  const rows = page.locator('[data-testid="lane"][data-run="parallel"]');
  await expect(rows).toHaveCount(TRAVEL.length * 2);
  await expect(page.locator('[data-testid="lane"][data-run="parallel"][data-variant="B"]')).toHaveCount(TRAVEL.length);
  for (const status of await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-status")))) {
    expect(status).toBe("done");
  }
  // One axis: both variants started together (same time is the default).
  const starts = async (letter: string) =>
    (await page
      .locator(`[data-testid="lane"][data-run="parallel"][data-variant="${letter}"]`)
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-start-ms"))))) as number[];
  const [aStarts, bStarts] = [await starts("A"), await starts("B")];
  expect(Math.abs(Math.min(...aStarts) - Math.min(...bStarts))).toBeLessThan(500);

  // The side-by-side table: B's mean time to first token is well above A's (fast-small
  // ≤ 0.7 s, large-slow ≥ 1.5 s at speed 1; a loaded machine only adds to both).
  const ttft = async (letter: string) =>
    Number(await page.locator(`.variant-figures tr[data-variant="${letter}"]`).getAttribute("data-ttft-ms"));
  const [a, b] = [await ttft("A"), await ttft("B")];
  expect(a).toBeGreaterThan(0);
  expect(b).toBeGreaterThan(a * 1.5);
  // The lanes agree: B's calls take longer than A's.
  const durations = async (letter: string) =>
    (
      await page
        .locator(`[data-testid="lane"][data-run="parallel"][data-variant="${letter}"]`)
        .evaluateAll((els) =>
          els.map((e) => Number(e.getAttribute("data-end-ms")) - Number(e.getAttribute("data-start-ms"))),
        )
    ).reduce((x, y) => x + y, 0);
  expect(await durations("B")).toBeGreaterThan(await durations("A"));

  // Answers side by side per question: both variants answered every question.
  await page.getByTestId("tab-answers").click();
  const answers = page.locator('[data-testid="lane-answer"][data-run="parallel"]');
  await expect(answers).toHaveCount(TRAVEL.length * 2);
  expect(await answers.evaluateAll((els) => els.map((e) => e.getAttribute("data-variant")))).toEqual(
    TRAVEL.flatMap(() => ["A", "B"]),
  );
});

test("variants are kept on reload and in a share link; remove-variant takes one away", async ({ page }) => {
  await openWith(page, { topic: "Lisbon", questions: questions(...TRAVEL), simulation: fast });
  await page.getByTestId("add-variant").click();
  await page.getByTestId("add-variant").click();
  await expect(page.getByTestId("variant")).toHaveCount(3);
  const c = block(page, "C");
  await c.getByTestId("variant-system-prompt").fill("Answer in one sentence.");
  await c.getByTestId("variant-system-prompt").press("Tab");
  await c.getByTestId("variant-max-tokens").fill("5000000");
  await c.getByTestId("variant-max-tokens").press("Tab");
  // Fitted at the field to the one set of limits, with a sentence.
  await expect(c.getByTestId("variant-max-tokens")).toHaveValue("1000000");
  await expect(c.getByTestId("field-note")).toBeVisible();
  await c.getByTestId("variant-temperature").fill("0.3");
  await c.getByTestId("variant-temperature").press("Tab");

  await expect
    .poll(async () => JSON.parse((await page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY)) ?? "{}").variants?.others?.length)
    .toBe(2);
  await page.reload();
  await expect(page.getByTestId("variant")).toHaveCount(3);
  await expect(block(page, "C").getByTestId("variant-system-prompt")).toHaveValue("Answer in one sentence.");
  await expect(block(page, "C").getByTestId("variant-temperature")).toHaveValue("0.3");

  await block(page, "B").getByTestId("remove-variant").click();
  await expect(page.getByTestId("variant")).toHaveCount(2);
  // C became B, with its fields.
  await expect(block(page, "B").getByTestId("variant-system-prompt")).toHaveValue("Answer in one sentence.");
  await expect(block(page, "A").getByTestId("remove-variant")).toHaveCount(0);
});

test("a variant can mix providers: A simulated, B on an OpenAI-compatible server", async ({ page, request }) => {
  const model = "mock?ttft=63&tps=197&tokens=12";
  await openWith(page, { topic: "Lisbon", questions: questions(...TRAVEL), simulation: fast });
  await page.getByTestId("provider-select").selectOption("openai");
  await page.getByTestId("base-url").fill(`${API}/v1`);
  await page.getByTestId("provider-select").selectOption("simulated");
  await page.getByTestId("add-variant").click();
  const b = block(page, "B");
  await b.getByTestId("variant-provider").selectOption("openai");
  await setModel(page, "B", model);
  await runAndWait(page, "run-parallel");
  await expect(page.locator('[data-testid="lane"][data-variant="B"][data-status="done"]')).toHaveCount(TRAVEL.length + 1);
  await expect(page.locator('[data-testid="lane"][data-variant="A"][data-status="done"]')).toHaveCount(TRAVEL.length + 1);
  // B's calls went to the server (the research calls and B's synthesis), A's did not.
  const seen = await mockRequests(request, model);
  expect(seen.length).toBe(TRAVEL.length + 1);
  expect((await lanes(page)).length).toBe(2 * (TRAVEL.length + 1));
});

test("history keeps each run with its figures; this run vs the previous one side by side", async ({ page }) => {
  await openWith(page, { topic: "Lisbon", questions: questions(...TRAVEL), simulation: { seed: 7, speed: 6 } });
  await runAndWait(page, "run-parallel");
  await expect(page.getByTestId("history-item")).toHaveCount(1);
  await runAndWait(page, "run-compare");
  const items = page.getByTestId("history-item");
  await expect(items).toHaveCount(2);
  // Newest first, each with its wall time.
  expect(await items.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-run-number"))))).toEqual([2, 1]);
  for (const wall of await items.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-wall-ms"))))) {
    expect(wall).toBeGreaterThan(0);
  }
  await page.locator(".history-compare-last").click();
  const kept = page.locator(".history-pair .kept-run");
  await expect(kept).toHaveCount(2);
  // Each kept timeline has a bar per call: 3 parallel + synthesis; then 2 × (3 + synthesis).
  await expect(kept.nth(0).locator("rect")).toHaveCount(4);
  await expect(kept.nth(1).locator("rect")).toHaveCount(8);
});

test("variants with rounds: each variant gets its distribution; B's p50 time to first token is above A's", async ({ page }) => {
  await openWith(page, { topic: "Lisbon", questions: questions(...TRAVEL), simulation: { seed: 3, speed: 8 } });
  await page.getByTestId("add-variant").click();
  await setModel(page, "A", "fast-small");
  await setModel(page, "B", "large-slow");
  await page.getByTestId("rounds").fill("4");
  await page.getByTestId("rounds").press("Tab");
  await runAndWait(page, "run-parallel", 90_000);
  const p50 = async (variant: string) => {
    const el = page.locator(`[data-testid="metric-p50-ms"][data-of="ttft"][data-variant="${variant}"][data-run="parallel"]`);
    await expect(el).toHaveCount(1);
    return { value: Number(await el.getAttribute("data-value")), samples: Number(await el.getAttribute("data-samples")) };
  };
  const [a, b] = [await p50("A"), await p50("B")];
  // 4 rounds × 3 questions each.
  expect(a.samples).toBe(12);
  expect(b.samples).toBe(12);
  expect(b.value).toBeGreaterThan(a.value * 1.5);
  // The timeline shows the last round, both variants on it.
  await expect(page.locator('[data-testid="lane"][data-variant="B"][data-round="4"]')).toHaveCount(TRAVEL.length + 1);
});
