import { test, expect, Page } from "@playwright/test";
import { API, mockRequests, openWith, runAndWait } from "./helpers";

interface ToolRow {
  tool: string;
  conversation: number;
  parent: string;
  status: string;
  start: number;
  end: number;
}

async function toolRows(page: Page): Promise<ToolRow[]> {
  return page.$$eval('[data-testid="tool-call"]', (els) =>
    els.map((e) => {
      const d = (e as HTMLElement).dataset;
      return {
        tool: d.tool ?? "",
        conversation: Number(d.conversation),
        parent: d.parent ?? "",
        status: d.status ?? "",
        start: Number(d.startMs),
        end: Number(d.endMs),
      };
    }),
  );
}

function byTurn(rows: ToolRow[]): ToolRow[][] {
  const turns = new Map<string, ToolRow[]>();
  for (const r of rows) turns.set(r.parent, [...(turns.get(r.parent) ?? []), r]);
  return [...turns.values()];
}

const agents = (overrides: Record<string, unknown>) => ({
  mode: "agents",
  simulation: { seed: 5, speed: 4 },
  agents: {
    prompts: ["What is (2 + 3) * (4 * 4) + (6 - 1)?", "What is (10 - 4) * (3 + 3)?"],
    setup: "calculator",
    parallel_tools: true,
    concurrent_conversations: true,
    tool_latency_ms: 300,
    max_turns: 8,
    ...overrides,
  },
});

test("parallel tool calls of one turn overlap; one at a time they do not", async ({ page }) => {
  await openWith(page, agents({ parallel_tools: true, concurrent_conversations: false }));
  await expect(page.getByTestId("parallel-tools")).toBeChecked();
  await runAndWait(page, "run-agents");
  let rows = await toolRows(page);
  expect(rows.every((r) => r.status === "done")).toBe(true);
  const wide = byTurn(rows).filter((t) => t.length > 1);
  expect(wide.length).toBeGreaterThan(0);
  for (const turn of wide) {
    // Every call of the turn is running at the same moment.
    expect(Math.max(...turn.map((r) => r.start))).toBeLessThan(Math.min(...turn.map((r) => r.end)));
  }
  const parallelWall = Number(await page.locator('[data-testid="metric-wall-ms"][data-run="agent"]').getAttribute("data-value"));

  await page.getByTestId("parallel-tools").uncheck();
  await runAndWait(page, "run-agents");
  rows = await toolRows(page);
  for (const turn of byTurn(rows).filter((t) => t.length > 1)) {
    const sorted = [...turn].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i].start).toBeGreaterThanOrEqual(sorted[i - 1].end - 0.5);
  }
  const sequentialWall = Number(await page.locator('[data-testid="metric-wall-ms"][data-run="agent"]').getAttribute("data-value"));
  expect(sequentialWall).toBeGreaterThan(parallelWall);
  // Each conversation's final answer is shown.
  await expect(page.locator('[data-testid="lane-answer"][data-run="agent"]')).toHaveCount(2);
  await expect(page.locator('[data-testid="lane-answer"][data-run="agent"]').first()).toContainText("is 85");
});

test("concurrent conversations interleave their tool calls on the timeline", async ({ page }) => {
  await openWith(page, agents({ concurrent_conversations: true }));
  await runAndWait(page, "run-agents");
  const conversations = await page.$$eval('[data-testid="lane"][data-run="agent"][data-conversation]', (els) =>
    els
      .filter((e) => e.classList.contains("conversation"))
      .map((e) => ({ start: Number((e as HTMLElement).dataset.startMs), end: Number((e as HTMLElement).dataset.endMs) })),
  );
  expect(conversations).toHaveLength(2);
  expect(Math.max(conversations[0].start, conversations[1].start)).toBeLessThan(Math.min(conversations[0].end, conversations[1].end));
  const order = (await toolRows(page)).sort((a, b) => a.start - b.start).map((r) => r.conversation);
  const switches = order.filter((c, i) => i > 0 && c !== order[i - 1]).length;
  expect(switches).toBeGreaterThanOrEqual(2);
});

test("an orchestrator's calculator agents run at once and nest under its tool calls", async ({ page }) => {
  await openWith(page, agents({ setup: "orchestrator", prompts: ["Calculate (2 + 3) * (4 * 4) + (10 - 4) * (3 + 3) + (8 / 2) * (5 + 1)"] }));
  await runAndWait(page, "run-agents");
  const rows = await toolRows(page);
  const delegated = rows.filter((r) => r.tool === "calculator_agent");
  expect(delegated).toHaveLength(3);
  expect(Math.max(...delegated.map((r) => r.start))).toBeLessThan(Math.min(...delegated.map((r) => r.end)));
  await expect(page.locator('[data-testid="lane-answer"][data-run="agent"]')).toContainText("is 140");
});

test("a full tool-use round trip over the Anthropic wire format against the mock", async ({ page, request }) => {
  await openWith(page, {
    ...agents({ prompts: ["Add two and three, please."], tool_latency_ms: 0 }),
    provider: {
      kind: "anthropic",
      anthropic: { model: "mock?ttft=100&tps=200", base_url: API },
      openai: { model: "llama3.2", base_url: "http://localhost:11434/v1" },
      max_tokens: 256,
    },
  });
  await page.getByTestId("api-key").fill("test-key");
  await runAndWait(page, "run-agents");
  // The mock asks for its first tool (sum_numbers with [2, 3]); our tool answers 5; the mock
  // then answers with the tool result it received.
  const rows = await toolRows(page);
  expect(rows.map((r) => `${r.tool}:${r.status}`)).toEqual(["sum_numbers:done"]);
  await expect(page.locator('[data-testid="lane-answer"][data-run="agent"]')).toContainText("The tool returned: 5");
  const log = await mockRequests(request, "mock?ttft=100&tps=200");
  expect(log.filter((r) => r.path === "/v1/messages").map((r) => r.status)).toEqual([200, 200]);
});
