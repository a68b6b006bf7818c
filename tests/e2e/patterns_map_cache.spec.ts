import { expect, test } from "@playwright/test";
import { openWith, questions, runAndWait } from "./helpers";
import { mockProvider, startOwnMock } from "./support";

// Map-reduce and the cached prefix through the contract: the reduce tree's levels run in
// order (each level starts after the one below began to finish, the top after everything
// below ended), and a warm-up before the fan-out costs less than a cold fan-out at the mock's
// (Anthropic) prices, with the cache writes and reads on every lane.

interface PatternLane {
  run: string;
  level: number | null;
  status: string;
  start: number | null;
  end: number | null;
  write: number | null;
  read: number | null;
}

async function patternLanes(page: import("@playwright/test").Page): Promise<PatternLane[]> {
  return page.$$eval('[data-testid="lane"]', (els) =>
    els.map((e) => {
      const d = (e as HTMLElement).dataset;
      const num = (v?: string) => (v === undefined || v === "" ? null : Number(v));
      return {
        run: d.run ?? "",
        level: num(d.level),
        status: d.status ?? "",
        start: num(d.startMs),
        end: num(d.endMs),
        write: num(d.cacheWriteTokens),
        read: num(d.cacheReadTokens),
      };
    }),
  );
}

const DOCUMENT = Array.from(
  { length: 8 },
  (_, i) =>
    `Section ${i + 1} of the harbour report. The tonnage grew in year ${i + 1}, and the new quay ` +
    `opened to ships from the north; the council must decide on the repairs.`,
).join("\n\n");

test("map-reduce runs the map, then each reduce level in order, up to one call", async ({ page }) => {
  await openWith(page, {
    questions: questions("What does the report say about the harbour?"),
    simulation: { speed: 4 },
    patterns: { pattern: "map-reduce", document: DOCUMENT, chunk_size: 200, reduce_fan_in: 2 },
  });
  await expect(page.getByTestId("pattern-select")).toHaveValue("map-reduce");
  await runAndWait(page, "run-pattern", 90_000);
  const all = await patternLanes(page);
  const tree = all.filter((l) => l.run === "map" || l.run === "reduce");
  expect(tree.every((l) => l.status === "done")).toBe(true);
  const byLevel = (level: number) => tree.filter((l) => l.level === level);
  // 8 chunks, fan-in 2: 8 → 4 → 2 → 1.
  expect([0, 1, 2, 3].map((l) => byLevel(l).length)).toEqual([8, 4, 2, 1]);
  expect(byLevel(0).every((l) => l.run === "map")).toBe(true);
  for (let level = 1; level <= 3; level++) {
    const below = byLevel(level - 1);
    const here = byLevel(level);
    // Node j of this level merges nodes 2j and 2j + 1 below: it starts after both ended.
    here.forEach((node, j) => {
      expect(node.run).toBe("reduce");
      const inputs = [below[2 * j], below[2 * j + 1]];
      for (const input of inputs) expect(node.start!).toBeGreaterThanOrEqual(input.end!);
    });
  }
  const top = byLevel(3)[0];
  expect(tree.every((l) => l === top || l.end! <= top.start!)).toBe(true);
  // The baseline: one call over the whole text (it fits the simulated model's context).
  const baseline = all.filter((l) => l.run === "baseline");
  expect(baseline.length).toBe(1);
  await expect(page.getByTestId("pattern-explain")).toContainText("reduce level");
  // "Show me the code" gives the map-reduce program of this set-up.
  await page.getByTestId("export-code").click();
  await page.getByTestId("code-python").click();
  await expect(page.getByTestId("generated-code")).toContainText("FAN_IN = 2");
  await expect(page.getByTestId("generated-code")).toContainText("CHUNK_SIZE = 200");
});

test("a warm-up then fan-out costs less than a cold fan-out at the mock's prices", async ({ page }) => {
  const mock = await startOwnMock();
  try {
    await openWith(page, {
      questions: questions(
        "What does the eastern quay need?",
        "Who opposes the ferry terminal?",
        "What did the survey find?",
        "What does the report recommend?",
      ),
      // A priced model name (Claude Haiku 4.5's list price) that the mock answers.
      provider: mockProvider("claude-haiku-4-5?ttft=400&tps=100&tokens=10", mock.url),
      patterns: { pattern: "cached-prefix", shared_prefix: DOCUMENT.repeat(6) },
    });
    await page.getByTestId("api-key").fill("test-key");
    await runAndWait(page, "run-pattern", 90_000);
    const all = await patternLanes(page);
    const cold = all.filter((l) => l.run === "baseline");
    const warm = all.filter((l) => l.run === "warm");
    const fanOut = all.filter((l) => l.run === "fan-out");
    expect([cold.length, warm.length, fanOut.length]).toEqual([4, 1, 3]);
    expect(all.every((l) => l.status === "done")).toBe(true);
    // Cold: every call writes. Warm: one write, then reads.
    expect(cold.every((l) => (l.write ?? 0) > 0 && (l.read ?? 0) === 0)).toBe(true);
    expect((warm[0].write ?? 0) > 0 && (warm[0].read ?? 0) === 0).toBe(true);
    expect(fanOut.every((l) => (l.read ?? 0) > 0 && (l.write ?? 0) === 0)).toBe(true);
    // The fan-out waits for the warm-up's response to begin.
    expect(fanOut.every((l) => l.start! >= warm[0].start!)).toBe(true);
    const cost = async (run: string) =>
      Number(await page.locator(`[data-testid="metric-cost"][data-run="${run}"]`).getAttribute("data-value"));
    const coldCost = await cost("baseline");
    const warmCost = await cost("fan-out");
    expect(coldCost).toBeGreaterThan(0);
    expect(warmCost).toBeLessThan(coldCost);
    await expect(page.getByTestId("pattern-explain")).toContainText("4 cache writes");
  } finally {
    mock.stop();
  }
});

test("offline, the simulated model follows the cache rule and a free model is priced for the comparison", async ({ page }) => {
  await openWith(page, {
    questions: questions("What needs repair?", "Who is against the ferry?", "What did the survey find?"),
    simulation: { speed: 4 },
    patterns: { pattern: "cached-prefix", shared_prefix: DOCUMENT.repeat(6) },
  });
  await runAndWait(page, "run-pattern", 90_000);
  const all = await patternLanes(page);
  const writes = (run: string) => all.filter((l) => l.run === run && (l.write ?? 0) > 0).length;
  const reads = (run: string) => all.filter((l) => l.run === run && (l.read ?? 0) > 0).length;
  expect([writes("baseline"), reads("baseline")]).toEqual([3, 0]);
  expect([writes("warm"), writes("fan-out"), reads("fan-out")]).toEqual([1, 0, 2]);
  const cost = async (run: string) =>
    Number(await page.locator(`[data-testid="metric-cost"][data-run="${run}"]`).getAttribute("data-value"));
  expect(await cost("fan-out")).toBeLessThan(await cost("baseline"));
  await expect(page.getByTestId("pattern-explain")).toContainText("list price");
});

test("a document longer than the model's context runs without a baseline, and the page says so", async ({ page }) => {
  // About 40,000 characters: some 10,000 tokens, more than the simulated model's 8,192.
  const long = Array.from({ length: 24 }, () => DOCUMENT).join("\n\n");
  await openWith(page, {
    questions: questions("What does the report say?"),
    simulation: { speed: 4 },
    patterns: { pattern: "map-reduce", document: long, chunk_size: 9000, reduce_fan_in: 0 },
  });
  await runAndWait(page, "run-pattern", 90_000);
  const all = await patternLanes(page);
  expect(all.filter((l) => l.run === "baseline").length).toBe(0);
  expect(all.filter((l) => l.run === "reduce").length).toBe(1);
  expect(all.filter((l) => l.run === "map").length).toBeGreaterThan(3);
  await expect(page.getByTestId("pattern-explain")).toContainText("One call cannot take this text");
});
