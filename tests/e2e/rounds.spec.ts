import { test, expect } from "@playwright/test";
import fs from "node:fs";
import { openWith, questions, runAndWait } from "./helpers";
import { axeSource } from "./support";

/** Three fast simulated questions with slow outliers, repeated for 20 rounds. */
const twentyRounds = {
  topic: "tides",
  questions: questions("Why are there two tides a day in {topic}?", "How high do tides get in {topic}?", "When is low tide in {topic}?"),
  run: { rounds: 20 },
  simulation: { speed: 20, slow_rate: 0.2, seed: 7 },
};

test("20 rounds: 20 wall samples per group, every call's latency, a round to choose, the tail", async ({ page }) => {
  await openWith(page, twentyRounds);
  await expect(page.getByTestId("rounds")).toHaveValue("20");
  await runAndWait(page, "run-compare", 120_000);

  const panel = page.getByTestId("distribution");
  await expect(panel).toHaveAttribute("data-rounds", "20");
  for (const run of ["sequential", "parallel"]) {
    for (const id of ["metric-p50-ms", "metric-p95-ms", "metric-p99-ms", "metric-max-ms"]) {
      const wall = panel.locator(`[data-testid="${id}"][data-of="wall"][data-run="${run}"][data-variant="A"]`);
      await expect(wall).toHaveAttribute("data-samples", "20");
      expect(Number(await wall.getAttribute("data-value"))).toBeGreaterThan(0);
    }
    const calls = panel.locator(`[data-testid="metric-p50-ms"][data-of="call"][data-run="${run}"]`);
    await expect(calls).toHaveAttribute("data-samples", "60");
    const ttft = panel.locator(`[data-testid="metric-p50-ms"][data-of="ttft"][data-run="${run}"]`);
    await expect(ttft).toHaveAttribute("data-samples", "60");
  }
  // The percentiles are ordered, and the sequential wall (a sum) is above the parallel one (a max).
  const value = async (id: string, of: string, run: string) =>
    Number(await panel.locator(`[data-testid="${id}"][data-of="${of}"][data-run="${run}"]`).getAttribute("data-value"));
  const [p50, p95, p99, max] = await Promise.all(
    ["metric-p50-ms", "metric-p95-ms", "metric-p99-ms", "metric-max-ms"].map((id) => value(id, "call", "parallel")),
  );
  expect(p50).toBeLessThanOrEqual(p95);
  expect(p95).toBeLessThanOrEqual(p99);
  expect(p99).toBeLessThanOrEqual(max);
  expect(await value("metric-p50-ms", "wall", "sequential")).toBeGreaterThan(await value("metric-p50-ms", "wall", "parallel"));
  // One mark per call: 60 research calls per group, 40 syntheses.
  await expect(panel.locator('[data-testid="latency-marks"] g[data-run="parallel"]')).toHaveAttribute("data-marks", "60");
  await expect(panel.locator('[data-testid="latency-marks"] g[data-run="synthesis"]')).toHaveAttribute("data-marks", "40");

  const tail = panel.getByTestId("tail-prediction").first();
  for (const attr of ["data-predicted", "data-observed"]) {
    const share = Number(await tail.getAttribute(attr));
    expect(share).toBeGreaterThanOrEqual(0);
    expect(share).toBeLessThanOrEqual(1);
  }

  // The timeline shows the latest round; another can be chosen, with its own timings.
  const rows = page.locator('[data-testid="lane"]');
  await expect(rows).toHaveCount(8);
  expect(await rows.evaluateAll((els) => els.every((e) => e.getAttribute("data-round") === "20" && e.getAttribute("data-variant") === "A"))).toBe(true);
  const ends = () => rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-end-ms")).join(","));
  const latest = await ends();
  const select = page.getByTestId("round-select");
  await expect(select.locator("option")).toHaveCount(20);
  await select.selectOption("3");
  await expect(rows.first()).toHaveAttribute("data-round", "3");
  await expect(rows).toHaveCount(8);
  expect(await rows.evaluateAll((els) => els.every((e) => e.getAttribute("data-status") === "done"))).toBe(true);
  expect(await ends()).not.toBe(latest);
  await select.selectOption("20");
  await expect(rows.first()).toHaveAttribute("data-round", "20");
  expect(await ends()).toBe(latest);

  // The CSV: a header, then one row per call per round (8 lanes × 20 rounds).
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
  const csv = fs.readFileSync(await download.path(), "utf-8").trimEnd().split("\n");
  expect(csv[0]).toBe("round,variant,run_group,lane,status,queued_ms,start_ms,first_token_ms,end_ms,tokens_in,tokens_out,retries,error,label");
  expect(csv.length).toBe(1 + 8 * 20);
  const rounds = new Set(csv.slice(1).map((line) => line.split(",")[0]));
  expect(rounds.size).toBe(20);
  expect(csv.slice(1).filter((line) => line.split(",")[2] === "synthesis").length).toBe(40);
});

test("rounds are checked at the field and Cancel stops the remaining rounds", async ({ page }) => {
  await openWith(page, { ...twentyRounds, run: { rounds: 100 }, simulation: { seed: 3 } });
  const rounds = page.getByTestId("rounds");
  await rounds.fill("500");
  await rounds.dispatchEvent("change");
  await expect(rounds).toHaveValue("100");
  await expect(page.locator(".field", { has: rounds })).toContainText("at most 100");

  const bar = page.getByTestId("run-bar");
  await page.getByTestId("run-parallel").click();
  // Wait for round 2 to be on show, then cancel: no further round starts.
  await expect(page.locator('[data-testid="lane"][data-round="2"]').first()).toBeVisible({ timeout: 30_000 });
  await page.getByTestId("cancel-run").click();
  await expect(bar).toHaveAttribute("data-running", "false");
  const panel = page.getByTestId("distribution");
  await expect(panel).toHaveAttribute("data-rounds", "2");
  await expect(page.locator('[data-testid="lane"]').first()).toHaveAttribute("data-round", "2");
  await expect(page.locator('[data-testid="lane"][data-status="cancelled"]').first()).toBeVisible();
  await expect(panel.locator('[data-testid="metric-p50-ms"][data-of="wall"][data-run="parallel"]')).toHaveAttribute("data-samples", "1");
});

test("the distribution panel has no serious accessibility problems", async ({ page }) => {
  await openWith(page, { ...twentyRounds, run: { rounds: 3 } });
  await runAndWait(page, "run-compare", 60_000);
  await expect(page.getByTestId("distribution")).toHaveAttribute("data-rounds", "3");
  await page.evaluate(axeSource());
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Element | null, options: object) => Promise<{ violations: { id: string; impact: string | null; nodes: { html: string }[] }[] }> } }).axe;
    const result = await axe.run(document.querySelector('[data-testid="distribution"]'), { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.html.slice(0, 100)).join(" | ")}`);
  });
  expect(violations).toEqual([]);
});
