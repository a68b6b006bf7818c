import { test, expect, Page } from "@playwright/test";
import { openWith, runAndWait } from "./helpers";

const lab = (setup: string, prompts: string[]) => ({
  mode: "agents",
  simulation: { seed: 5, speed: 4 },
  agents: { prompts, setup, concurrent_conversations: false, parallel_tools: false, tool_latency_ms: 800, max_turns: 10 },
});

async function wall(page: Page, run: string): Promise<number> {
  return Number(await page.locator(`[data-testid="metric-wall-ms"][data-run="${run}"]`).getAttribute("data-value"));
}

async function spans(page: Page, run: string, testid: string) {
  return page.locator(`[data-testid="${testid}"][data-run="${run}"]`).evaluateAll((els) =>
    els.map((e) => ({
      start: Number(e.getAttribute("data-start-ms")),
      end: Number(e.getAttribute("data-end-ms")),
      status: e.getAttribute("data-status"),
    })),
  );
}

test("agents compare: the same prompts serial and parallel on one axis; the parallel side's wall is shorter", async ({ page }) => {
  await openWith(page, lab("calculator", ["What is (2 + 3) * (4 * 4) + (6 - 1)?", "What is (10 - 4) * (3 + 3)?"]));
  await runAndWait(page, "run-agents-compare");
  for (const run of ["agent-serial", "agent-parallel"]) {
    const tools = await spans(page, run, "tool-call");
    expect(tools.length).toBeGreaterThan(2);
    expect(tools.every((t) => t.status === "done")).toBe(true);
    expect((await spans(page, run, "lane")).length).toBeGreaterThan(2);
  }
  // Same tool calls on both sides.
  expect((await spans(page, "agent-serial", "tool-call")).length).toBe((await spans(page, "agent-parallel", "tool-call")).length);
  const [serial, parallel] = [await wall(page, "agent-serial"), await wall(page, "agent-parallel")];
  expect(parallel).toBeGreaterThan(0);
  expect(parallel).toBeLessThan(serial);
  // Seed 003's shape in words: the serial conversations add up, the concurrent ones take the longest.
  await expect(page.locator(".agents-compare .summary")).toContainText(" + ");
  await expect(page.locator(".agents-compare .summary")).toContainText("all at once");
});

test("agents compare with an orchestrator: its calculator agents one at a time vs together (seed 004)", async ({ page }) => {
  await openWith(page, lab("orchestrator", ["Calculate (2 + 3) * (4 * 4) + (10 - 4) * (3 + 3) + (8 / 2) * (5 + 1)"]));
  await runAndWait(page, "run-agents-compare");
  const agentsOf = async (run: string) =>
    page
      .locator(`[data-testid="tool-call"][data-run="${run}"][data-tool="calculator_agent"]`)
      .evaluateAll((els) => els.map((e) => [Number(e.getAttribute("data-start-ms")), Number(e.getAttribute("data-end-ms"))]));
  const [serial, parallel] = [await agentsOf("agent-serial"), await agentsOf("agent-parallel")];
  expect(serial.length).toBe(3);
  expect(parallel.length).toBe(3);
  const span = (xs: number[][]) => Math.max(...xs.map((x) => x[1])) - Math.min(...xs.map((x) => x[0]));
  // One at a time, the three agents take about their sum; together, about the longest one.
  expect(span(parallel) * 2).toBeLessThan(span(serial));
  expect(await wall(page, "agent-parallel")).toBeLessThan(await wall(page, "agent-serial"));
});
