import { test, expect, Page } from "@playwright/test";
import { API, lanes, openWith, questions } from "./helpers";

/** The figures the panel shows for `run`, as text (e.g. "4.1 s"). */
async function shownWall(page: Page, run: string): Promise<string> {
  return page.locator(`[data-testid="metric-wall-ms"][data-run="${run}"] .metric-value`).innerText();
}

// Steps 5–7 are the limits steps (a provider limit, "auto", one slot); 11 is the batch step;
// 12 is the tail of the slowest (twenty rounds; the figures show the last one); 13–17 the
// patterns (voting, racing, hedging, map-reduce, a cached prefix: the strategy's group).
const STEP_RUNS = [
  "sequential", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel",
  "parallel", "parallel", "agent", "parallel", "parallel", "vote", "race", "hedge", "map", "fan-out",
];

test("the lesson runs start to end, each explanation quoting the figures of its own run", async ({ page }) => {
  test.setTimeout(180_000);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("./");
  await page.getByTestId("lesson-start").click();
  const card = page.getByTestId("lesson");
  for (let step = 1; step <= STEP_RUNS.length; step++) {
    await expect(card).toHaveAttribute("data-step", String(step));
    // The control to press is highlighted.
    const target = page.locator(".lesson-target");
    await expect(target).toHaveCount(1);
    await expect(page.getByTestId("lesson-explanation")).toHaveCount(0);
    const bar = page.getByTestId("run-bar");
    const before = Number(await bar.getAttribute("data-run-number"));
    await target.click();
    await expect(bar).toHaveAttribute("data-run-number", String(before + 1));
    await expect(bar).toHaveAttribute("data-running", "false", { timeout: 60_000 });
    const explanation = await page.getByTestId("lesson-explanation").innerText();
    const wall = await shownWall(page, STEP_RUNS[step - 1]);
    expect(explanation, `step ${step}`).toContain(wall);
    if (step === 16) {
      // Map-reduce: the one call over the whole text, and the reduce levels, drawn in order.
      expect(explanation).toContain(await shownWall(page, "baseline"));
      expect(explanation).toContain("a fan-in of 2");
      await expect(page.locator('[data-testid="lane"][data-run="reduce"]').first()).toBeVisible();
    }
    if (step === 17) {
      // The cached prefix: the cost of both, as the panel shows them.
      const cost = (run: string) =>
        page.locator(`[data-testid="metric-cost"][data-run="${run}"]`).getAttribute("data-value");
      const [cold, warm] = [Number(await cost("baseline")), Number(await cost("fan-out"))];
      expect(warm).toBeLessThan(cold);
      expect(explanation).toContain(`$${cold.toFixed(4)} cold against $${warm.toFixed(4)} warm`);
    }
    if (step === 3) {
      const speedup = await page.locator('[data-testid="metric-speedup"][data-run="parallel"] .metric-value').innerText();
      expect(explanation).toContain(speedup);
      expect(explanation).toContain(await shownWall(page, "sequential"));
    }
    if (step < STEP_RUNS.length) await page.getByTestId("lesson-next").click();
  }
  await page.getByTestId("lesson-finish").click();
  await expect(card).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("the lesson can be left and resumed, and a link opens a given step", async ({ page, browser }) => {
  await page.goto("./");
  await page.getByTestId("lesson-start").click();
  await page.getByTestId("lesson-next").click();
  await page.getByTestId("lesson-next").click();
  await expect(page.getByTestId("lesson")).toHaveAttribute("data-step", "3");
  await page.getByTestId("lesson-leave").click();
  await expect(page.getByTestId("lesson")).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId("lesson-start")).toContainText("Resume the lesson (step 3)");
  await page.getByTestId("lesson-start").click();
  await expect(page.getByTestId("lesson")).toHaveAttribute("data-step", "3");

  const other = await (await browser.newContext()).newPage();
  await other.goto("./#lesson=8");
  await expect(other.getByTestId("lesson")).toHaveAttribute("data-step", "8");
  await expect(other.getByTestId("failure-policy")).toHaveValue("settle-all");
  await expect(other.locator('[data-testid="question-behaviour"]').nth(2)).toHaveValue("fail");
});

test("ten parallel calls to an HTTP/1.1 server: four wait for a connection, and the panel says why", async ({ page }) => {
  await openWith(page, {
    topic: "networks",
    questions: questions(...Array.from({ length: 10 }, (_, i) => `Question ${i + 1} about {topic}?`)),
    provider: {
      kind: "anthropic",
      anthropic: { model: "mock?ttft=1500&tps=0&tokens=5", base_url: API },
      openai: { model: "llama3.2", base_url: "http://localhost:11434/v1" },
      max_tokens: 64,
    },
    run: { timeout_ms: 20000 },
  });
  await page.getByTestId("api-key").fill("test-key");
  await page.getByTestId("run-parallel").click();
  await expect(page.getByTestId("run-bar")).toHaveAttribute("data-running", "false", { timeout: 30_000 });
  // Network phases arrive just after each call ends.
  await expect
    .poll(async () => page.locator('[data-testid="lane"][data-run="parallel"][data-stalled-ms]').count())
    .toBe(10);
  const stalled = await page.$$eval('[data-testid="lane"][data-run="parallel"]', (els) =>
    els.map((e) => Number((e as HTMLElement).dataset.stalledMs)),
  );
  expect(stalled.filter((ms) => ms >= 500)).toHaveLength(4);
  expect(await page.locator('[data-testid="lane"][data-run="parallel"]').first().getAttribute("data-protocol")).toBe("http/1.1");
  await expect(page.getByTestId("explain-panel")).toContainText("4 of the 10 calls were stalled");
  await expect(page.getByTestId("explain-panel")).toContainText("HTTP/2");
  expect((await lanes(page)).filter((l) => l.run === "parallel").every((l) => l.status === "done")).toBe(true);
});
