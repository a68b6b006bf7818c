// Racing with variants as contestants: one contestant per variant, each on its own model; the
// faster variant wins, the slower one is cancelled and its connection seen closing by the mock.
import { test, expect } from "@playwright/test";
import { API, mockRequests, openWith, questions, runAndWait } from "./helpers";

test("racing variants A/B against the mock: the faster variant B wins, A's connection closes", async ({ page, request }) => {
  const unique = Date.now() % 100000;
  // A's model: the baseline waits 100 ms, A's contestant 1 s (then 2 s of text); B's contestant 100 ms.
  const slow = `mock?ttfts=100,1000&tps=20&tokens=40&ttft=${unique}`;
  const fast = `mock?ttfts=100&tps=20&tokens=40&ttft=${unique + 1}`;
  await openWith(page, {
    topic: "Lisbon",
    questions: questions("What is the best way to get around {topic}?"),
    provider: {
      kind: "anthropic",
      anthropic: { model: slow, base_url: API },
      openai: { model: "llama3.2", base_url: "http://localhost:11434/v1" },
      max_tokens: 256,
    },
    variants: { others: [{ provider: "anthropic", model: fast, system_prompt: "", max_tokens: 256 }] },
    run: { compare_timing: "one_after_the_other", timeout_ms: 30000 },
    patterns: { pattern: "racing", samples: 5 },
  });
  await page.getByTestId("api-key").fill("test-key");
  await expect(page.getByTestId("variant")).toHaveCount(2);
  await runAndWait(page, "run-pattern");

  // One contestant per variant (N = 5 is for samples), each lane carrying its variant.
  const race = page.locator('[data-testid="lane"][data-run="race"]');
  await expect(race).toHaveCount(2);
  const b = race.and(page.locator('[data-variant="B"]'));
  const a = race.and(page.locator('[data-variant="A"]'));
  await expect(b).toHaveAttribute("data-winner", "true");
  await expect(b).toHaveAttribute("data-status", "done");
  await expect(a).toHaveAttribute("data-status", "cancelled");
  const end = async (l: typeof a) => Number(await l.getAttribute("data-end-ms"));
  expect(Math.abs((await end(a)) - (await end(b)))).toBeLessThan(150);

  // The panel names the winning variant and each contestant's time and tokens.
  const winner = page.getByTestId("race-winner-ms");
  await expect(winner).toHaveAttribute("data-variant", "B");
  await expect(winner).toContainText("Variant B won");
  const rows = page.getByTestId("race-contestant");
  await expect(rows).toHaveCount(2);
  await expect(rows.and(page.locator('[data-variant="B"]'))).toHaveAttribute("data-winner", "true");
  await expect(rows.and(page.locator('[data-variant="A"]'))).toHaveAttribute("data-status", "cancelled");
  expect(Number(await rows.and(page.locator('[data-variant="B"]')).getAttribute("data-tokens-out"))).toBeGreaterThan(0);
  await expect(page.getByTestId("pattern-explain")).toContainText("(variant B)");

  // The server saw A's contestant leave before its answer was complete; B's own model answered.
  await expect
    .poll(async () => (await mockRequests(request, slow)).filter((r) => r.client_disconnected).length, { timeout: 10_000 })
    .toBe(1);
  expect(await mockRequests(request, slow)).toHaveLength(2); // the baseline and A's contestant
  const fastLog = await mockRequests(request, fast);
  expect(fastLog).toHaveLength(1);
  expect(fastLog[0].completed).toBe(true);
});
