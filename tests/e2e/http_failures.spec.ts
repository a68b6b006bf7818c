import { test, expect } from "@playwright/test";
import { API, lanes, mockRequests, openWith, questions, runAndWait } from "./helpers";

// HTTP failures end cleanly, with the right words: an error in the middle of a stream closes the
// connection at once (the mock, told to go on sending after its error, sees the client leave
// before the body is complete); a 200 that is not an event stream names its content type and the
// likely wrong base URL; a tool call whose input is not JSON fails its turn with that reason.

const anthropic = (model: string) => ({
  kind: "anthropic",
  anthropic: { model, base_url: API },
  openai: { model: "llama3.2", base_url: "http://localhost:11434/v1" },
  max_tokens: 256,
});

const openai = (model: string) => ({
  kind: "openai",
  anthropic: { model: "claude-haiku-4-5", base_url: "https://api.anthropic.com" },
  openai: { model, base_url: `${API}/v1` },
  max_tokens: 256,
});

async function parallelCards(page: import("@playwright/test").Page) {
  await page.getByTestId("tab-answers").click();
  return page.locator('[data-testid="lane-answer"][data-run="parallel"]');
}

/** Waits until the mock saw every request of `model` end, and returns them. */
async function endedRequests(request: import("@playwright/test").APIRequestContext, model: string, count: number) {
  await expect
    .poll(async () => (await mockRequests(request, model)).filter((r) => r.completed || r.client_disconnected).length, { timeout: 10_000 })
    .toBe(count);
  return mockRequests(request, model);
}

test("an error event in the middle of a stream closes the connection at once", async ({ page, request }) => {
  const model = "mock?ttft=50&tps=20&tokens=80&midstream=overloaded&after_error=continue";
  await openWith(page, {
    topic: "errors",
    questions: questions("Overloaded half way?"),
    provider: anthropic(model),
    run: { max_retries: 0, timeout_ms: 20000 },
  });
  await page.getByTestId("api-key").fill("test-key");
  await runAndWait(page, "run-parallel");
  const par = (await lanes(page)).filter((l) => l.run === "parallel");
  expect(par.map((l) => l.status)).toEqual(["failed"]);
  await expect((await parallelCards(page)).first()).toContainText("overloaded");
  const calls = (await endedRequests(request, model, 1)).filter((r) => r.path === "/v1/messages");
  // The server would have gone on for 77 more words; the page left first.
  expect(calls.map((c) => [c.client_disconnected, c.completed])).toEqual([[true, false]]);
});

test("an unreadable chunk in the middle of a stream closes the connection at once", async ({ page, request }) => {
  const model = "mock?ttft=50&tps=20&tokens=80&malformed=2&after_error=continue";
  await openWith(page, {
    topic: "errors",
    questions: questions("Garbled half way?"),
    provider: openai(model),
    run: { max_retries: 0, timeout_ms: 20000 },
  });
  await runAndWait(page, "run-parallel");
  const par = (await lanes(page)).filter((l) => l.run === "parallel");
  expect(par.map((l) => l.status)).toEqual(["failed"]);
  const card = (await parallelCards(page)).first();
  await expect(card).toContainText("could not be read");
  await expect(card).not.toContainText("cut off");
  const calls = (await endedRequests(request, model, 1)).filter((r) => r.path === "/v1/chat/completions");
  expect(calls.map((c) => [c.client_disconnected, c.completed])).toEqual([[true, false]]);
});

test("a web page where the event stream should be names its content type and the base URL", async ({ page, request }) => {
  const model = "mock?ttft=20&content_type=html";
  await openWith(page, {
    topic: "errors",
    questions: questions("Wrong address?"),
    provider: openai(model),
    run: { max_retries: 0, timeout_ms: 20000 },
  });
  await runAndWait(page, "run-parallel");
  const card = (await parallelCards(page)).first();
  await expect(card).toContainText("a web page (text/html");
  await expect(card).toContainText("base URL");
  await expect(card).not.toContainText("cut off");
  const calls = (await mockRequests(request, model)).filter((r) => r.path === "/v1/chat/completions");
  expect(calls.map((c) => c.status)).toEqual([200]);
});

test("one JSON document where the event stream should be names its content type", async ({ page }) => {
  await openWith(page, {
    topic: "errors",
    questions: questions("Not streaming?"),
    provider: anthropic("mock?ttft=20&content_type=json"),
    run: { max_retries: 0, timeout_ms: 20000 },
  });
  await page.getByTestId("api-key").fill("test-key");
  await runAndWait(page, "run-parallel");
  const card = (await parallelCards(page)).first();
  await expect(card).toContainText("one JSON document (application/json)");
  await expect(card).toContainText("without /v1");
  await expect(card).not.toContainText("cut off");
});

test("a tool call whose input is not JSON fails its turn with that reason", async ({ page, request }) => {
  const model = "mock?ttft=30&tps=200&tool_input=broken";
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
    provider: openai(model),
    run: { max_retries: 0, timeout_ms: 20000 },
  });
  await runAndWait(page, "run-agents");
  const agentLanes = (await lanes(page)).filter((l) => l.run === "agent");
  expect(agentLanes.length).toBeGreaterThan(0);
  expect(agentLanes.every((l) => l.status === "failed")).toBe(true);
  await expect(page.locator('[data-testid="tool-call"]')).toHaveCount(0);
  await expect(page.locator('[data-testid="lane-answer"][data-run="agent"]')).toContainText("tool call sum_numbers is not valid JSON");
  const calls = (await mockRequests(request, model)).filter((r) => r.path === "/v1/chat/completions");
  expect(calls).toHaveLength(1);
});
