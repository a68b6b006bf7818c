import { expect, test } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { lanes, openWith, questions, runAndWait, TRAVEL } from "./helpers";

// Written by the exported Python program (src/batch/python.rs) run against the mock API:
//   cargo run --example export_batch -- --out DIR --model 'mock?batch_ms=800' \
//     --questions '["What are the top 3 attractions in Paris?", "What is the best way to get around Paris? [[mock outcome=expired]]", "What local customs should visitors to Paris know?"]'
//   ANTHROPIC_BASE_URL=<mock> ANTHROPIC_API_KEY=k BATCH_POLL_SECONDS=0.1 python DIR/batch_research.py
const FIXTURE = path.join(__dirname, "fixtures", "batch_results.json");

const ANTHROPIC_JSONL = [
  '{"custom_id":"q2","result":{"type":"errored","error":{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}}}',
  '{"custom_id":"q0","result":{"type":"succeeded","message":{"model":"claude-haiku-4-5","content":[{"type":"text","text":"The Louvre, the Eiffel Tower and Notre-Dame."}],"usage":{"input_tokens":20,"output_tokens":12}}}}',
  '{"custom_id":"q1","result":{"type":"succeeded","message":{"model":"claude-haiku-4-5","content":[{"type":"text","text":"The Métro."}],"usage":{"input_tokens":20,"output_tokens":4}}}}',
  "",
].join("\n");

function file(name: string, text: string) {
  return { name, mimeType: "application/json", buffer: Buffer.from(text, "utf-8") };
}

test("the exported program's results file shows as batch lanes and a span beside the parallel run", async ({ page }) => {
  await openWith(page, {});
  await runAndWait(page, "run-parallel");
  const report = JSON.parse(fs.readFileSync(FIXTURE, "utf-8"));

  await page.getByTestId("import-results").setInputFiles(FIXTURE);
  await expect(page.locator('[data-testid="lane"][data-run="batch"]')).toHaveCount(3);
  const batch = (await lanes(page)).filter((l) => l.run === "batch");
  expect(batch.map((l) => l.status)).toEqual(["done", "timeout", "done"]);
  expect(batch.map((l) => l.index)).toEqual([0, 1, 2]);

  const answers = page.locator('[data-testid="lane-answer"][data-run="batch"]');
  await expect(answers).toHaveCount(3);
  await expect(answers.nth(0)).toContainText("Mock answer about");
  await expect(page.locator('[data-testid="batch-status"]').nth(1)).toHaveAttribute("data-status", "expired");
  await expect(page.locator('[data-testid="batch-status"]').nth(1)).toContainText("expired (24 hours)");

  const span = page.getByTestId("batch-span");
  await expect(span).toHaveAttribute("data-start-ms", "0");
  const end = Number(await span.getAttribute("data-end-ms"));
  expect(end).toBe(report.ended_at_ms - report.created_at_ms);
  // The parallel run of the same set-up, on the same scale.
  await expect(page.getByTestId("batch-parallel")).toHaveCount(1);

  const synthesis = page.getByTestId("batch-synthesis");
  await expect(synthesis).toHaveAttribute("data-status", "done");
  await expect(synthesis).toHaveAttribute("data-source", "file");
  await expect(synthesis).toContainText(report.synthesis.text.split(" ").slice(0, 4).join(" "));
});

test("a bad file gets words and nothing already on the page is lost", async ({ page }) => {
  await openWith(page, {});
  await page.getByTestId("import-results").setInputFiles(FIXTURE);
  await expect(page.locator('[data-testid="lane"][data-run="batch"]')).toHaveCount(3);
  const questionsBefore = await page.getByTestId("question-input").count();

  await page.getByTestId("import-results").setInputFiles(file("notes.txt", "just some notes\nnot a batch\n"));
  await expect(page.getByTestId("error")).toContainText("not a batch results file");
  await expect(page.locator('[data-testid="lane"][data-run="batch"]')).toHaveCount(3);

  const other = '{"custom_id":"task-7","result":{"type":"expired"}}\n';
  await page.getByTestId("import-results").setInputFiles(file("other.jsonl", other));
  await expect(page.getByTestId("error")).toContainText("No line of the file matches");
  await expect(page.getByTestId("question-input")).toHaveCount(questionsBefore);

  // Good lines are used; the cut-off last line is named.
  await page.getByTestId("import-results").setInputFiles(file("cut.jsonl", ANTHROPIC_JSONL + '{"custom_id":"q1","res'));
  await expect(page.getByTestId("import-problems")).toContainText("Line 4 is cut off");
  await expect(page.getByTestId("import-summary")).toContainText("lines 1–3");
});

test("results without a synthesis get it from the page, with the gap named", async ({ page }) => {
  await openWith(page, {});
  await page.getByTestId("import-results").setInputFiles(file("results.jsonl", ANTHROPIC_JSONL));
  const batch = (await lanes(page)).filter((l) => l.run === "batch");
  expect(batch.map((l) => l.status)).toEqual(["done", "done", "failed"]);
  await expect(page.getByTestId("import-summary")).toContainText("2 of 3 requests succeeded");
  const synthesis = page.getByTestId("batch-synthesis");
  await expect(synthesis).toHaveAttribute("data-status", "done");
  await expect(synthesis).toHaveAttribute("data-source", "page");
  await expect(synthesis).not.toBeEmpty();
});

test("the export offers both programs and both request files", async ({ page }) => {
  await openWith(page, { questions: questions(...TRAVEL) });
  await expect(page.getByTestId("batch-suggestion")).toHaveCount(0);
  const names: string[] = [];
  for (const which of ["python", "typescript", "anthropic", "openai"]) {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId(`export-batch-${which}`).click(),
    ]);
    names.push(download.suggestedFilename());
    if (which === "openai") {
      const text = fs.readFileSync(await download.path(), "utf-8");
      const lines = text.trim().split("\n").map((l) => JSON.parse(l));
      expect(lines.map((l) => l.custom_id)).toEqual(["q0", "q1", "q2"]);
      expect(lines[0].url).toBe("/v1/chat/completions");
    }
  }
  expect(names).toEqual(["batch_research.py", "batch-research.ts", "batch_requests.json", "batch_requests.jsonl"]);
});

test("above a few hundred calls per round the page suggests the batch with both costs", async ({ page }) => {
  const many = Array.from({ length: 320 }, (_, i) => `Question ${i} about {topic}?`);
  await openWith(page, { questions: questions(...many) });
  const suggestion = page.getByTestId("batch-suggestion");
  await expect(suggestion).toContainText("320 calls per round");
  await expect(suggestion).toContainText("as parallel calls now");
  await expect(suggestion).toContainText("as a batch");
});
