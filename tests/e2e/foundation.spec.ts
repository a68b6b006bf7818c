import { test, expect } from "@playwright/test";

test("pressing Run shows every answer, in question order", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("./");
  const questions = page.getByTestId("question-input");
  await expect(questions).toHaveCount(3);
  const asked = await questions.evaluateAll((els) => els.map((e) => (e as HTMLTextAreaElement).value));

  await page.getByTestId("run-parallel").click();
  await page.getByTestId("tab-answers").click();
  const answers = page.locator('[data-testid="lane-answer"][data-run="parallel"]');
  await expect(answers).toHaveCount(3);
  for (let i = 0; i < 3; i++) {
    await expect(answers.nth(i)).toHaveAttribute("data-status", "done", { timeout: 30_000 });
  }
  const topic = await page.getByTestId("topic-input").inputValue();
  for (let i = 0; i < 3; i++) {
    const heading = await answers.nth(i).locator("h3").innerText();
    expect(heading).toBe(asked[i].replaceAll("{topic}", topic));
    expect((await answers.nth(i).locator(".answer-text").innerText()).length).toBeGreaterThan(40);
  }
  expect(errors).toEqual([]);
});
