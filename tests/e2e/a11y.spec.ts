import { Page, test, expect } from "@playwright/test";
import { TRAVEL, lanes, openWith, questions, runAndWait } from "./helpers";
import { axeSource } from "./support";

const fast = { seed: 7, speed: 4 };

interface AxeNode {
  target: string[];
  html: string;
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

/**
 * Runs axe-core in the page and returns its serious and critical violations, as readable text.
 * The script goes in through `page.evaluate` (the devtools protocol), which the page's CSP does
 * not govern; a `<script>` tag would be refused, as it should be.
 */
async function seriousViolations(page: Page, state: string): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource());
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, options: object) => Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations;
  })) as AxeViolation[];
  const report = violations.map(
    (v) =>
      `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
      v.nodes
        .slice(0, 5)
        .map((n) => `    at ${n.target.join(" ")}: ${n.html.slice(0, 120)}\n      ${(n.failureSummary ?? "").replace(/\n/g, "\n      ")}`)
        .join("\n") +
      (v.nodes.length > 5 ? `\n    … and ${v.nodes.length - 5} more` : ""),
  );
  if (report.length) test.info().annotations.push({ type: `axe (${state})`, description: report.join("\n") });
  return violations
    .map((v, i) => ({ v, text: report[i] }))
    .filter(({ v }) => v.impact === "serious" || v.impact === "critical")
    .map(({ text }) => `${state}: ${text}`);
}

test("axe finds no serious or critical violation, before and after a compare run, light and dark", async ({ page }) => {
  await openWith(page, { topic: "Paris", questions: questions(...TRAVEL), simulation: fast });
  const found: string[] = [];
  found.push(...(await seriousViolations(page, "page, before a run")));
  await runAndWait(page, "run-compare");
  await expect(page.getByTestId("synthesis")).toHaveAttribute("data-status", "done");
  found.push(...(await seriousViolations(page, "page, after a compare run (synthesis tab)")));
  await page.getByTestId("tab-answers").click();
  await page.locator('[data-testid="lane"]').first().click();
  await expect(page.locator(".call-details")).toBeVisible();
  found.push(...(await seriousViolations(page, "page, after a run (answers tab, call details open)")));
  await page.getByTestId("tab-log").click();
  found.push(...(await seriousViolations(page, "page, after a run (event log tab)")));
  await page.getByTestId("tab-code").click();
  found.push(...(await seriousViolations(page, "page, after a run (code tab)")));
  await page.emulateMedia({ colorScheme: "dark" });
  await page.getByTestId("tab-synthesis").click();
  found.push(...(await seriousViolations(page, "dark page, after a run (synthesis tab)")));
  await page.getByTestId("tab-answers").click();
  found.push(...(await seriousViolations(page, "dark page, after a run (answers tab)")));
  expect(found.length, found.join("\n\n")).toBe(0);
});

test("axe finds no serious or critical violation in the agents lab, before and after a run", async ({ page }) => {
  await openWith(page, { simulation: fast });
  await page.getByTestId("agent-mode").click();
  await expect(page.getByTestId("run-agents")).toBeVisible();
  const found: string[] = [];
  found.push(...(await seriousViolations(page, "agents lab, before a run")));
  await runAndWait(page, "run-agents");
  found.push(...(await seriousViolations(page, "agents lab, after a run")));
  await page.getByTestId("tab-answers").click();
  found.push(...(await seriousViolations(page, "agents lab, after a run (answers tab)")));
  await page.emulateMedia({ colorScheme: "dark" });
  found.push(...(await seriousViolations(page, "dark agents lab, after a run")));
  expect(found.length, found.join("\n\n")).toBe(0);
});

/** Presses Tab until `predicate` holds for the focused element; returns how many presses it took. */
async function tabUntil(page: Page, predicate: string, max = 80): Promise<number> {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((p) => !!document.activeElement?.matches(p), predicate)) return i;
  }
  throw new Error(`${predicate} not reached with ${max} Tabs`);
}

test("keyboard only: Tab to Compare and Enter runs it; Ctrl+Enter runs again; every lane opens its details with Enter", async ({ page }) => {
  await openWith(page, { topic: "Paris", questions: questions(...TRAVEL), simulation: fast });
  const bar = page.getByTestId("run-bar");

  // From the top of the page, Tab to the Compare button and press Enter.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await tabUntil(page, '[data-testid="run-compare"]');
  await page.keyboard.press("Enter");
  await expect(bar).toHaveAttribute("data-run-number", "1");
  await expect(bar).toHaveAttribute("data-running", "false", { timeout: 45_000 });
  let all = await lanes(page);
  expect(all).toHaveLength(8);
  for (const l of all) expect(l.status).toBe("done");

  // Ctrl+Enter runs again, wherever the focus is (here: in a question).
  await page.getByTestId("question-input").first().focus();
  await page.keyboard.press("Control+Enter");
  await expect(bar).toHaveAttribute("data-run-number", "2");
  await expect(bar).toHaveAttribute("data-running", "false", { timeout: 45_000 });
  expect(await page.getByTestId("question-input").first().inputValue()).toBe(TRAVEL[0]); // no newline typed
  all = await lanes(page);
  for (const l of all) expect(l.status).toBe("done");

  // Every lane of the timeline is reached by Tab, in row order, and Enter opens its details.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await tabUntil(page, '[data-testid="lane"]');
  const reached: string[] = [];
  for (;;) {
    const lane = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el?.matches('[data-testid="lane"]') ? `${el.dataset.run} ${el.dataset.laneIndex} ${el.getAttribute("aria-label")}` : null;
    });
    if (!lane) break;
    reached.push(lane);
    await page.keyboard.press("Enter");
    const details = page.locator(".call-details");
    await expect(details).toBeVisible();
    // The details are of the lane that has the focus.
    const label = lane.split(" ").slice(2).join(" ").replace(/^\w+: /, "").replace(/ \(\w+\)$/, "");
    await expect(details.locator("h3")).toHaveText(label);
    await page.keyboard.press("Tab");
  }
  expect(reached).toHaveLength(all.length);
  expect(new Set(reached).size).toBe(all.length);
});
