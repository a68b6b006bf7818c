import { test, expect } from "@playwright/test";
import { API, lanes, openWith, questions } from "./helpers";

test("explore chaos", async ({ page, request }) => {
  test.setTimeout(120_000);
  const seed = process.env.SEED ?? "7";
  const limit = process.env.LIMIT ? Number(process.env.LIMIT) : null;
  const qs = Array.from({ length: 100 }, (_, i) => `Question ${i + 1}: what is fact number ${i + 1} about {topic}?`);
  await request.post(`${API}/__mock/reset`);
  const consoleMsgs: string[] = [];
  page.on("console", (m) => consoleMsgs.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => consoleMsgs.push(`PAGEERROR ${e.message}`));
  await openWith(page, {
    topic: "chaos",
    questions: questions(...qs),
    provider: {
      kind: "anthropic",
      anthropic: { model: `mock?ttft=150&tps=200&tokens=12&chaos=${seed}`, base_url: API },
      openai: { model: "llama3.2", base_url: "http://localhost:11434/v1" },
      max_tokens: 512,
    },
    run: { concurrency_limit: limit, timeout_ms: Number(process.env.TMO ?? 3000), failure_policy: "settle-all", quorum: 1, max_retries: 2 },
  });
  await page.getByTestId("api-key").fill("test-key");
  const t0 = Date.now();
  await page.getByTestId("run-parallel").click();
  await expect(page.getByTestId("run-bar")).toHaveAttribute("data-running", "false", { timeout: 100_000 });
  console.log("run took", Date.now() - t0);
  const all = await lanes(page);
  const counts: Record<string, number> = {};
  for (const l of all) counts[`${l.run}:${l.status}`] = (counts[`${l.run}:${l.status}`] ?? 0) + 1;
  console.log(JSON.stringify(counts));
  const log = await (await request.get(`${API}/__mock/requests`)).json();
  const beh: Record<string, number> = {};
  for (const r of log) beh[r.behaviour] = (beh[r.behaviour] ?? 0) + 1;
  console.log(JSON.stringify(beh), log.length);
  require("fs").writeFileSync(`/tmp/explore/log-${seed}-${limit}.json`, JSON.stringify(log, null, 1));
  const synth = all.filter((l) => l.run === "synthesis");
  console.log("synth", JSON.stringify(synth));
  console.log(consoleMsgs.slice(0, 30).join("\n"), consoleMsgs.length);
});
