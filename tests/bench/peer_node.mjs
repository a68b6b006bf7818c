// A peer for `cargo xtask bench`: the page's research calls sent with the official Node SDK.
//
//   node tests/bench/peer_node.mjs --base-url URL --model M --max-tokens 256 \
//        --questions '["Q1", …]' [--rounds 3]
//
// Sends every question at once (`Promise.all`), streaming as the page does, and measures the wall
// time around the `Promise.all`: from just before the first request is created to the end of the
// last stream. One unmeasured round first (connections and code paths warm up, as the page gets
// one), then `--rounds` measured rounds. Prints `BENCH peer_node_ms=<median>` on stdout.

import Anthropic from "@anthropic-ai/sdk";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { median } from "./lib/stats.mjs";

const { values: options } = parseArgs({
  options: {
    "base-url": { type: "string" },
    model: { type: "string" },
    "max-tokens": { type: "string", default: "256" },
    questions: { type: "string" },
    rounds: { type: "string", default: "3" },
  },
});
if (!options["base-url"] || !options.model || !options.questions) {
  console.error("usage: peer_node.mjs --base-url URL --model M --questions JSON [--max-tokens N] [--rounds N]");
  process.exit(2);
}
const questions = JSON.parse(options.questions);
const maxTokens = Number(options["max-tokens"]);
const client = new Anthropic({ baseURL: options["base-url"], apiKey: "bench-key", maxRetries: 0 });

/** One streamed research call; returns its text (the page keeps the text too). */
async function ask(question) {
  const stream = await client.messages.create({
    model: options.model,
    max_tokens: maxTokens,
    messages: [{ role: "user", content: question }],
    stream: true,
  });
  let text = "";
  for await (const event of stream) {
    if (event.type === "content_block_delta" && event.delta.type === "text_delta") text += event.delta.text;
  }
  return text;
}

/** Milliseconds for all questions at once. */
async function researchRound() {
  const started = performance.now();
  const answers = await Promise.all(questions.map(ask));
  const elapsed = performance.now() - started;
  if (answers.some((a) => !a)) throw new Error("an answer came back empty");
  return elapsed;
}

await researchRound();
const walls = [];
for (let i = 0; i < Number(options.rounds); i++) walls.push(await researchRound());
console.error(`  bench: Node SDK: ${walls.map((w) => w.toFixed(1)).join(", ")} ms`);
console.log(`BENCH peer_node_ms=${median(walls).toFixed(3)}`);
console.log(`BENCH peer_node_rounds=${walls.length}`);
