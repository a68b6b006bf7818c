import { test, expect, Page } from "@playwright/test";
import { API, mockRequests, openWith, questions, runAndWait } from "./helpers";

/** Every lane of a pattern run with its pattern attributes. */
async function patternLanes(page: Page) {
  return page.$$eval('[data-testid="lane"]', (els) =>
    els.map((e) => {
      const d = (e as HTMLElement).dataset;
      const num = (v?: string) => (v === undefined || v === "" ? null : Number(v));
      return {
        run: d.run ?? "",
        status: d.status ?? "",
        start: num(d.startMs),
        end: num(d.endMs),
        winner: d.winner === "true",
        hedge: d.hedge === "true",
      };
    }),
  );
}

async function value(page: Page, testid: string, run: string): Promise<number> {
  return Number(await page.locator(`[data-testid="${testid}"][data-run="${run}"]`).first().getAttribute("data-value"));
}

test("voting: N samples at once, the majority and its agreement against a model wrong 30% of the time", async ({ page }) => {
  await openWith(page, {
    topic: "sums",
    questions: questions("What is (17 + 25) * 3 - 4?"),
    simulation: { seed: 42, speed: 10, wrong_rate: 0.3 },
  });
  await page.getByTestId("pattern-select").selectOption("voting");
  const samples = page.getByTestId("samples");
  await samples.fill("9");
  await samples.press("Tab");
  await runAndWait(page, "run-pattern");
  const all = await patternLanes(page);
  const votes = all.filter((l) => l.run === "vote");
  expect(votes).toHaveLength(9);
  expect(all.filter((l) => l.run === "baseline")).toHaveLength(1);
  // All N were asked at the same moment (the same start, give or take a frame).
  const starts = votes.map((v) => v.start ?? NaN);
  expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(100);
  const result = page.getByTestId("vote-result");
  await expect(result).toHaveAttribute("data-value", "122");
  const agreement = Number(await result.getAttribute("data-agreement"));
  expect(agreement).toBeGreaterThanOrEqual(0.5);
  expect(agreement).toBeLessThan(1);
  // The tokens of the vote are about N times those of one call.
  const voteOut = await value(page, "metric-tokens-out", "vote");
  const oneOut = await value(page, "metric-tokens-out", "baseline");
  expect(voteOut).toBeGreaterThan(5 * oneOut);
  await expect(page.getByTestId("pattern-explain")).toContainText("multiplies the cost by N");

  // With a model that is never wrong, every sample agrees.
  await page.getByText("Simulated model", { exact: true }).click();
  await page.getByTestId("sim-wrong-rate").fill("0");
  await page.getByTestId("sim-wrong-rate").press("Tab");
  await runAndWait(page, "run-pattern");
  await expect(result).toHaveAttribute("data-value", "122");
  await expect(result).toHaveAttribute("data-agreement", "1.0000");
});

test("voting with a judge: the judge starts once every sample has settled and names the result", async ({ page }) => {
  await openWith(page, {
    topic: "sums",
    questions: questions("What is (17 + 25) * 3 - 4? End with 'Answer: <number>'."),
    simulation: { seed: 42, speed: 10, wrong_rate: 0.3 },
    patterns: { pattern: "voting", samples: 5, extraction: { kind: "after", marker: "Answer:" } },
  });
  await page.getByTestId("vote-judge").check();
  await runAndWait(page, "run-pattern");
  const all = await patternLanes(page);
  const votes = all.filter((l) => l.run === "vote");
  expect(votes).toHaveLength(5);
  const judges = all.filter((l) => l.run === "synthesis");
  expect(judges).toHaveLength(1);
  const lastVote = Math.max(...votes.map((v) => v.end ?? Infinity));
  expect(judges[0].start ?? 0).toBeGreaterThanOrEqual(lastVote - 1);
  const judge = page.getByTestId("judge-result");
  await expect(judge).toHaveAttribute("data-status", "done");
  await expect(judge).toHaveAttribute("data-value", await page.getByTestId("vote-result").getAttribute("data-value") ?? "");
  await expect(page.getByTestId("pattern-explain")).toContainText("a judge call read the answers");
});

test("racing against the mock: the first complete answer wins, the losers' connections close", async ({ page, request }) => {
  // Request n of this model waits ttfts[n]: the baseline 100 ms, then the contestants.
  const model = `mock?ttfts=100,1200,150,1600&tps=10&tokens=40&ttft=${Date.now() % 100000}`;
  await openWith(page, {
    topic: "Lisbon",
    questions: questions("What is the best way to get around {topic}?"),
    provider: {
      kind: "anthropic",
      anthropic: { model, base_url: API },
      openai: { model: "llama3.2", base_url: "http://localhost:11434/v1" },
      max_tokens: 256,
    },
    run: { compare_timing: "one_after_the_other", timeout_ms: 30000 },
    patterns: { pattern: "racing", samples: 3 },
  });
  await page.getByTestId("api-key").fill("test-key");
  await expect(page.getByTestId("pattern-select")).toHaveValue("racing");
  await runAndWait(page, "run-pattern");
  const race = (await patternLanes(page)).filter((l) => l.run === "race");
  expect(race).toHaveLength(3);
  const winners = race.filter((l) => l.winner);
  expect(winners).toHaveLength(1);
  expect(winners[0].status).toBe("done");
  const losers = race.filter((l) => !l.winner);
  expect(losers.map((l) => l.status)).toEqual(["cancelled", "cancelled"]);
  // Cancelled at the winner's end (the same moment, give or take a frame).
  for (const l of losers) expect(Math.abs((l.end ?? 0) - (winners[0].end ?? 0))).toBeLessThan(150);
  // The server saw the losers leave before their answers were complete.
  await expect
    .poll(async () => (await mockRequests(request, model)).filter((r) => r.client_disconnected).length, { timeout: 10_000 })
    .toBe(2);
  const log = await mockRequests(request, model);
  expect(log).toHaveLength(4);
  expect(log.filter((r) => r.completed)).toHaveLength(2); // the baseline and the winner
  await expect(page.getByTestId("race-winner-ms")).toContainText("cancelled contestants had used");
  await expect(page.getByTestId("pattern-explain")).toContainText("pays for the losers");
});

test("hedging: a backup after the delay gives a lower p95 and max than the plain calls", async ({ page }) => {
  await openWith(page, {
    topic: "the history of computing",
    questions: questions(
      "Who was Ada Lovelace?",
      "What was the ENIAC's role?",
      "Why did the transistor matter?",
      "What did Unix change?",
    ),
    // Seed 1 with 30% slow outliers (tests/patterns.rs runs this set-up under virtual time).
    simulation: { seed: 1, speed: 2, slow_rate: 0.3 },
    run: { compare_timing: "one_after_the_other" },
    patterns: { pattern: "hedging", samples: 20 },
  });
  await expect(page.getByTestId("pattern-select")).toHaveValue("hedging");
  const delay = page.getByTestId("hedge-after-ms");
  await delay.fill("500");
  await delay.press("Tab");
  await runAndWait(page, "run-pattern", 90_000);
  const all = await patternLanes(page);
  expect(all.filter((l) => l.run === "baseline")).toHaveLength(20);
  const backups = all.filter((l) => l.run === "hedge" && l.hedge);
  expect(backups.length).toBeGreaterThan(0);
  expect(backups.length).toBeLessThan(20);
  const p95 = (run: string) => value(page, "metric-p95-ms", run);
  const max = (run: string) => value(page, "metric-max-ms", run);
  expect(await p95("hedge")).toBeLessThan(await p95("baseline"));
  expect(await max("hedge")).toBeLessThan(await max("baseline"));
  await expect(page.getByTestId("hedge-backups")).toHaveAttribute("data-value", String(backups.length));
});

test("the pattern is saved with the workspace and sectioning keeps the page's compare", async ({ page }) => {
  await openWith(page, {});
  await expect(page.getByTestId("pattern-select")).toHaveValue("sectioning");
  await expect(page.getByTestId("samples")).toHaveCount(0);
  await page.getByTestId("pattern-select").selectOption("hedging");
  await expect(page.getByTestId("hedge-after-ms")).toBeVisible();
  await expect(page.getByTestId("samples")).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("pattern-select")).toHaveValue("hedging");
  await page.getByTestId("pattern-select").selectOption("sectioning");
  await runAndWait(page, "run-pattern");
  const runs = new Set((await patternLanes(page)).map((l) => l.run));
  expect(runs).toEqual(new Set(["sequential", "parallel", "synthesis"]));
  await page.getByTestId("pattern-select").selectOption("map-reduce");
  await expect(page.getByTestId("document-input")).toBeVisible();
  // Map-reduce runs once it has a document: with none, the page says what is missing.
  await page.getByTestId("document-input").fill("");
  await page.getByTestId("run-pattern").click();
  await expect(page.getByTestId("error")).toContainText("Paste a document");
});
