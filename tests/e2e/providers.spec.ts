import { test, expect } from "@playwright/test";
import { API, lanes, metric, mockRequests, openWith, questions, runAndWait } from "./helpers";

const anthropic = (model: string) => ({
  kind: "anthropic",
  anthropic: { model, base_url: API },
  openai: { model: "llama3.2", base_url: "http://localhost:11434/v1" },
  max_tokens: 256,
});

test("the OpenAI-compatible provider streams from the mock, with usage", async ({ page, request }) => {
  await openWith(page, {
    topic: "Vienna",
    questions: questions("What to see in {topic}?", "What to eat in {topic}?"),
    provider: {
      kind: "openai",
      anthropic: { model: "claude-haiku-4-5", base_url: "https://api.anthropic.com" },
      openai: { model: "mock?ttft=150&tps=80&tokens=16", base_url: `${API}/v1` },
      max_tokens: 256,
    },
  });
  await page.getByTestId("run-parallel").click();
  await expect(page.locator('[data-testid="lane"][data-status="streaming"]').first()).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId("run-bar")).toHaveAttribute("data-running", "false", { timeout: 30_000 });
  const all = await lanes(page);
  expect(all.map((l) => l.status)).toEqual(["done", "done", "done"]);
  await page.getByTestId("tab-answers").click();
  await expect(page.locator('[data-testid="lane-answer"][data-run="parallel"]').first()).toContainText("Mock answer");
  const calls = (await mockRequests(request, "mock?ttft=150&tps=80&tokens=16")).filter((r) => r.path === "/v1/chat/completions");
  expect(calls).toHaveLength(3);
  expect(await metric(page, "metric-tokens-in", "parallel")).toBe(calls.reduce((s, c) => s + c.input_tokens, 0));
  expect(await metric(page, "metric-tokens-out", "parallel")).toBe(calls.reduce((s, c) => s + c.output_tokens, 0));
});

test("a 429 and a cut stream become typed errors a person can read", async ({ page }) => {
  await openWith(page, {
    topic: "errors",
    questions: questions(
      "Always limited [[mock errors=429,429,429 retry_after=1]]",
      "Cut short [[mock cut=3]]",
      "Overloaded [[mock errors=529,529,529]]",
      "Fine [[mock tokens=5]]",
    ),
    provider: anthropic("mock?ttft=50&tps=100"),
    run: { max_retries: 1, timeout_ms: 20000 },
  });
  await page.getByTestId("api-key").fill("test-key");
  await runAndWait(page, "run-parallel");
  const par = (await lanes(page)).filter((l) => l.run === "parallel").sort((a, b) => a.index - b.index);
  expect(par.map((l) => l.status)).toEqual(["failed", "failed", "failed", "done"]);
  expect(par[0].retries).toBe(1);
  await page.getByTestId("tab-answers").click();
  const cards = page.locator('[data-testid="lane-answer"][data-run="parallel"]');
  await expect(cards.nth(0)).toContainText("HTTP 429: rate limited: the server asks to wait 1.0 s");
  await expect(cards.nth(1)).toContainText("cut off");
  await expect(cards.nth(1)).toContainText("partial");
  await expect(cards.nth(2)).toContainText("overloaded");
  // The retry waited for the server's retry-after (1 s) before trying again.
  await page.getByTestId("tab-log").click();
  await expect(page.getByTestId("event-log")).toContainText("Retry 1 in 1.0 s");
});

const SLOW = "mock?ttft=100&tps=4&tokens=200";

test("cancel closes the HTTP requests: the mock sees the connections drop", async ({ page, request }) => {
  await openWith(page, {
    topic: "slowness",
    questions: questions("Slow one about {topic}?", "Slow two about {topic}?", "Slow three about {topic}?"),
    provider: anthropic(SLOW),
  });
  await page.getByTestId("api-key").fill("test-key");
  await page.getByTestId("run-parallel").click();
  await expect(page.locator('[data-testid="lane"][data-run="parallel"][data-status="streaming"]')).toHaveCount(3, { timeout: 10_000 });
  await page.getByTestId("cancel-run").click();
  await expect(page.getByTestId("run-bar")).toHaveAttribute("data-running", "false");
  const par = (await lanes(page)).filter((l) => l.run === "parallel");
  expect(par.every((l) => l.status === "cancelled")).toBe(true);
  await expect
    .poll(async () => (await mockRequests(request, SLOW)).filter((r) => r.path === "/v1/messages" && r.client_disconnected).length, {
      timeout: 5_000,
    })
    .toBe(3);
  const calls = (await mockRequests(request, SLOW)).filter((r) => r.path === "/v1/messages");
  expect(calls.every((c) => !c.completed)).toBe(true);
});

test("a tool-use round trip over the OpenAI wire format against the mock", async ({ page, request }) => {
  await openWith(page, {
    mode: "agents",
    agents: {
      prompts: ["Add two and three, please."],
      setup: "calculator",
      parallel_tools: true,
      concurrent_conversations: true,
      tool_latency_ms: 0,
      max_turns: 4,
    },
    provider: {
      kind: "openai",
      anthropic: { model: "claude-haiku-4-5", base_url: "https://api.anthropic.com" },
      openai: { model: "mock?ttft=50&tps=200", base_url: `${API}/v1` },
      max_tokens: 256,
    },
  });
  await runAndWait(page, "run-agents");
  const tools = await page.$$eval('[data-testid="tool-call"]', (els) => els.map((e) => `${(e as HTMLElement).dataset.tool}:${(e as HTMLElement).dataset.status}`));
  expect(tools).toEqual(["sum_numbers:done"]);
  await expect(page.locator('[data-testid="lane-answer"][data-run="agent"]')).toContainText("The tool returned: 5");
  const calls = (await mockRequests(request, "mock?ttft=50&tps=200")).filter((r) => r.path === "/v1/chat/completions");
  expect(calls.map((c) => c.status)).toEqual([200, 200]);
});
