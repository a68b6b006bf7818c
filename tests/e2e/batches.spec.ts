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

const VARIANT_B = { provider: "simulated", model: "fast-small", system_prompt: "Be brief.", max_tokens: 200 };

async function downloaded(page: import("@playwright/test").Page, which: string): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId(`export-batch-${which}`).click(),
  ]);
  return fs.readFileSync(await download.path(), "utf-8");
}

function succeededLine(customId: string, text: string): string {
  return JSON.stringify({
    custom_id: customId,
    result: {
      type: "succeeded",
      message: {
        model: "claude-haiku-4-5",
        content: [{ type: "text", text }],
        usage: { input_tokens: 10, output_tokens: 5 },
      },
    },
  });
}

test("two variants export a request per question and variant, and come back side by side", async ({ page }) => {
  await openWith(page, { questions: questions(...TRAVEL), variants: { others: [VARIANT_B] } });
  const lines = (await downloaded(page, "openai")).trim().split("\n").map((l) => JSON.parse(l));
  expect(lines.map((l) => l.custom_id)).toEqual(["q0", "q1", "q2", "q0-B", "q1-B", "q2-B"]);
  expect(lines[3].body.max_tokens).toBe(200);
  expect(lines[3].body.messages[0]).toEqual({ role: "system", content: "Be brief." });
  expect(lines[0].body.max_tokens).not.toBe(200);

  // The results come back in any order; q1-B expired inside the batch.
  const results = [...lines].reverse().map((l) =>
    l.custom_id === "q1-B"
      ? '{"custom_id":"q1-B","result":{"type":"expired"}}'
      : succeededLine(l.custom_id, `Answer ${l.custom_id}.`),
  );
  await page.getByTestId("import-results").setInputFiles(file("results.jsonl", results.join("\n") + "\n"));
  await expect(page.getByTestId("import-summary")).toContainText("5 of 6 requests succeeded");
  for (const letter of ["A", "B"]) {
    const answers = page.locator(`[data-testid="lane-answer"][data-run="batch"][data-variant="${letter}"]`);
    await expect(answers).toHaveCount(3);
    const suffix = letter === "A" ? "" : "-B";
    await expect(answers.nth(0)).toHaveText(`Answer q0${suffix}.`);
    await expect(answers.nth(2)).toHaveText(`Answer q2${suffix}.`);
  }
  const rowsB = page.locator('[data-testid="lane"][data-run="batch"][data-variant="B"]');
  await expect(rowsB).toHaveCount(3);
  expect(await rowsB.evaluateAll((els) => els.map((e) => e.getAttribute("data-status")))).toEqual([
    "done",
    "timeout",
    "done",
  ]);
  // One synthesis per variant, each over its own answers, run here.
  const syntheses = page.getByTestId("batch-synthesis");
  await expect(syntheses).toHaveCount(2);
  for (const letter of ["A", "B"]) {
    const synthesis = page.locator(`[data-testid="batch-synthesis"][data-variant="${letter}"]`);
    await expect(synthesis).toHaveAttribute("data-status", "done");
    await expect(synthesis).toHaveAttribute("data-source", "page");
  }
});

test("voting samples export one request per sample and import as the majority with its agreement", async ({ page }) => {
  await openWith(page, {
    questions: questions("What is 6 times 7?"),
    patterns: { pattern: "voting", samples: 3 },
  });
  const body = JSON.parse(await downloaded(page, "anthropic"));
  const ids = body.requests.map((r: { custom_id: string }) => r.custom_id);
  expect(ids).toEqual(["q0-s0", "q0-s1", "q0-s2"]);
  expect(body.requests[0].params.temperature).toBeGreaterThan(0);

  const results = [
    succeededLine("q0-s2", "It is 41."),
    succeededLine("q0-s0", "6 × 7 = **42**."),
    succeededLine("q0-s1", "42"),
    '{"custom_id":"q0-s7","result":{"type":"expired"}}',
  ];
  await page.getByTestId("import-results").setInputFiles(file("votes.jsonl", results.join("\n") + "\n"));
  const vote = page.getByTestId("batch-vote");
  await expect(vote).toHaveCount(1);
  await expect(vote).toHaveAttribute("data-value", "42");
  await expect(vote).toHaveAttribute("data-agreement", "0.6667");
  await expect(vote).toContainText("67% of 3 votes");
  await expect(page.getByTestId("batch-synthesis")).toHaveCount(0);
  // The stranger id is named; the lines that were used are given.
  await expect(page.getByTestId("import-problems")).toContainText("Line 4 (q0-s7) matches no request of this set-up");
  await expect(page.getByTestId("import-summary")).toContainText("lines 1–3");
});

test("variants count in the calls per round that bring the batch suggestion", async ({ page }) => {
  const many = Array.from({ length: 110 }, (_, i) => `Question ${i} about {topic}?`);
  await openWith(page, { questions: questions(...many) });
  await expect(page.getByTestId("batch-suggestion")).toHaveCount(0);
  await page.getByTestId("add-variant").click();
  await page.getByTestId("add-variant").click();
  await expect(page.getByTestId("batch-suggestion")).toContainText("330 calls per round");
});
