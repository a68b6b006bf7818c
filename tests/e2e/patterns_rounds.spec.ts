import { test, expect } from "@playwright/test";
import { API, openWith, questions, runAndWait } from "./helpers";

// Hedging over 20 rounds against the mock with slow outliers: every tenth request of the model
// name waits 900 ms before its first token, the others 40 ms (`ttfts` cycles over all requests).
// A 200 ms hedge delay sends a backup for the slow ones only; over the rounds' 80 plain and 80
// hedged calls the hedged p95 is below the plain one.
test("hedging over 20 rounds with slow outliers: a lower p95 than plain, for a few extra calls", async ({ page }) => {
  test.setTimeout(150_000);
  const slowEveryTenth = [...Array(9).fill(40), 900].join(",");
  const model = `mock?ttfts=${slowEveryTenth}&tps=0&tokens=5&ttft=${Date.now() % 100000}`;
  await openWith(page, {
    topic: "the history of computing",
    questions: questions("Who was Ada Lovelace?", "What did Unix change?"),
    provider: {
      kind: "anthropic",
      anthropic: { model, base_url: API },
      openai: { model: "llama3.2", base_url: "http://localhost:11434/v1" },
      max_tokens: 64,
    },
    // One side after the other: at most four plain or four hedged calls (and a backup) open
    // at once, under the browser's six connections to the mock.
    run: { compare_timing: "one_after_the_other", timeout_ms: 20000, rounds: 20 },
    patterns: { pattern: "hedging", samples: 4, hedge_after_ms: 200 },
  });
  await page.getByTestId("api-key").fill("test-key");
  await expect(page.getByTestId("pattern-select")).toHaveValue("hedging");
  await expect(page.getByTestId("hedge-after-ms")).toHaveValue("200");
  await runAndWait(page, "run-pattern", 120_000);

  const rounds = page.getByTestId("hedge-rounds");
  await expect(rounds).toHaveAttribute("data-value", "20");
  const p95 = async (run: string) => {
    const cell = rounds.locator(`[data-testid="metric-p95-ms"][data-run="${run}"]`);
    await expect(cell).toHaveAttribute("data-samples", "80");
    return Number(await cell.getAttribute("data-value"));
  };
  const [plain, hedged] = [await p95("baseline"), await p95("hedge")];
  expect(plain).toBeGreaterThanOrEqual(900);
  expect(hedged).toBeLessThan(plain);
  // The backups are the extra calls: some, never more than one per slow call.
  const backups = rounds.getByTestId("hedge-backups");
  await expect(backups).toHaveAttribute("data-calls", "80");
  const extra = Number(await backups.getAttribute("data-value"));
  expect(extra).toBeGreaterThan(0);
  expect(extra).toBeLessThan(20);
  const explain = page.getByTestId("pattern-explain");
  await expect(explain).toContainText("Over 20 rounds (80 plain and 80 hedged calls)");
  await expect(explain).toContainText(`${extra} extra calls`);
  // The timeline shows the last round only.
  await expect(page.locator('[data-testid="lane"][data-run="baseline"]')).toHaveCount(4);
});
