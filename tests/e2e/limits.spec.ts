import { test, expect } from "@playwright/test";
import { API, lanes, openWith, questions, runAndWait } from "./helpers";

/** The OpenAI-compatible provider on the mock, with `model` (each test has its own). */
const mockOpenAi = (model: string) => ({
  kind: "openai",
  anthropic: { model: "claude-haiku-4-5", base_url: "https://api.anthropic.com" },
  openai: { model, base_url: `${API}/v1` },
  max_tokens: 256,
});

const many = (n: number) => questions(...Array.from({ length: n }, (_, i) => `Limits question ${i + 1} about {topic}?`));

test("8 calls against slots=2: the panel says about 2 at a time and names the settings", async ({ page }) => {
  await openWith(page, {
    topic: "slots",
    questions: many(8),
    provider: mockOpenAi("mock?slots=2&ttft=300&tps=20&tokens=6"),
  });
  await runAndWait(page, "run-parallel");
  const par = (await lanes(page)).filter((l) => l.run === "parallel");
  expect(par.every((l) => l.status === "done")).toBe(true);
  const panel = page.getByTestId("explain-panel");
  await panel.locator("summary").click();
  await expect(panel).toContainText("about 2 at a time");
  await expect(panel).toContainText("--parallel N");
  await expect(panel).toContainText("OLLAMA_NUM_PARALLEL");
});

test("the rate-limit gauge shows what the mock's headers say is left", async ({ page }) => {
  await openWith(page, {
    topic: "gauge",
    questions: many(3),
    provider: mockOpenAi("mock?rpm=50&ttft=100&tps=100&tokens=5"),
  });
  await runAndWait(page, "run-parallel");
  const gauge = page.getByTestId("ratelimit-gauge");
  // Three questions and the synthesis spent four of fifty.
  await expect(gauge).toHaveAttribute("data-requests-remaining", "46");
  await expect(gauge).toContainText("46 requests left");
  // Each call's details name what its own response said was left.
  await page.locator('[data-testid="lane"][data-run="parallel"]').first().click();
  await expect(page.getByTestId("call-rate-limit")).toContainText(/\d+ of 50 requests left/);
});

test("a call waiting for the request budget is queued for requests", async ({ page }) => {
  await openWith(page, {
    topic: "budget",
    questions: many(2),
    provider: mockOpenAi("mock?ttft=101&tps=100&tokens=5"),
  });
  await page.getByTestId("rpm-budget").fill("1");
  await page.getByTestId("rpm-budget").press("Tab");
  await page.getByTestId("run-parallel").click();
  const waiting = page.locator('[data-testid="lane"][data-run="parallel"][data-status="queued"][data-queued-for="requests"]');
  await expect(waiting).toHaveCount(1, { timeout: 10_000 });
  await page.getByTestId("cancel-run").click();
});

test("auto finds about what a server with max_concurrent=3 takes", async ({ page }) => {
  await openWith(page, {
    topic: "auto",
    questions: many(10),
    provider: mockOpenAi("mock?max_concurrent=3&ttft=400&tps=40&tokens=8"),
    run: { max_retries: 6, timeout_ms: 30000 },
  });
  await page.getByTestId("concurrency-limit").fill("auto");
  await page.getByTestId("concurrency-limit").press("Tab");
  await runAndWait(page, "run-parallel", 60_000);
  const trace = page.getByTestId("limit-trace");
  const final = Number(await trace.getAttribute("data-final"));
  expect(final).toBeGreaterThanOrEqual(2);
  expect(final).toBeLessThanOrEqual(4);
  // Drawn as a step chart: one line, one vertical step per change.
  await expect(trace.locator("svg path.limit-line")).toHaveCount(1);
  expect(await trace.locator("svg path").getAttribute("d")).toMatch(/^M[\d.]+,[\d.]+( H[\d.]+ V[\d.]+)* H[\d.]+$/);
  await expect(page.getByTestId("concurrency-limit")).toHaveValue("auto");
});

test("no Timing-Allow-Origin: the panel says what cannot be known and which calls waited", async ({ page }) => {
  await openWith(page, {
    topic: "hidden timing",
    questions: many(8),
    provider: mockOpenAi("mock?timing_allow_origin=0&ttft=300&tps=20&tokens=6"),
  });
  await runAndWait(page, "run-parallel");
  const par = (await lanes(page)).filter((l) => l.run === "parallel");
  expect(par.every((l) => l.status === "done")).toBe(true);
  const panel = page.getByTestId("explain-panel");
  await panel.locator("summary").click();
  await expect(panel).toContainText("cannot be known");
  await expect(panel).not.toContainText("does not apply");
  // Over HTTP/1.1 the browser sends six at once; the rest wait for a connection to free.
  await expect(panel).toContainText(/[1-8] of the 8 calls got their first token only after another call had ended/);
  await expect(panel).toContainText("a connection or for a slot");
  // The calls' details say the rate-limit headers could not be read (this run sent none).
  await page.locator('[data-testid="lane"][data-run="parallel"]').first().click();
  await expect(page.getByTestId("call-rate-limit")).toContainText("could not read");
});

test("a server that reports no usage: the figures show an estimate marked as one, never a false zero", async ({ page }) => {
  await openWith(page, {
    topic: "usage",
    questions: many(3),
    provider: mockOpenAi("mock?stream_usage=0&ttft=100&tps=50&tokens=8"),
  });
  await runAndWait(page, "run-parallel");
  const par = (await lanes(page)).filter((l) => l.run === "parallel");
  expect(par.every((l) => l.status === "done")).toBe(true);
  const tokensOut = page.locator('[data-testid="metric-tokens-out"][data-run="parallel"]');
  await expect(tokensOut).toContainText("≈");
  expect(Number(await tokensOut.getAttribute("data-value"))).toBeGreaterThan(0);
  await expect(page.locator('[data-testid="metric-tokens-in"][data-run="parallel"]')).toContainText("not reported by the server");
  const panel = page.getByTestId("explain-panel");
  await panel.locator("summary").click();
  await expect(panel).toContainText("Token counts were not reported");
});

test("a server that drops the running stream for the newest request: the panel names it and the setting", async ({ page }) => {
  await openWith(page, {
    topic: "interrupts",
    questions: many(4),
    provider: mockOpenAi("mock?interrupt=1&ttft=0&tps=20&tokens=10"),
  });
  await runAndWait(page, "run-parallel");
  const par = (await lanes(page)).filter((l) => l.run === "parallel");
  expect(par.some((l) => l.status === "failed")).toBe(true);
  const panel = page.getByTestId("explain-panel");
  await panel.locator("summary").click();
  await expect(panel).toContainText("--interrupt_requests False");
});
