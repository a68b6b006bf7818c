// A cached prefix: a cold fan-out against warm-one-then-fan-out (Parallel Playground).
//
// Every call shares PREFIX, sent as the system prompt marked with cache_control. A cache entry
// is available only once the response that wrote it has begun, so calls fired at once all
// write it (1.25x the input price), while after one warm-up call the others read it (0.1x).
// Needs `npm install @anthropic-ai/sdk`; reads ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL).
import Anthropic from "@anthropic-ai/sdk";

const MODEL = @MODEL@;
const SYSTEM = @SYSTEM@;
const MAX_TOKENS = @MAX_TOKENS@;
const CONCURRENCY_LIMIT = @LIMIT@;
const QUESTIONS: string[] = [
@QUESTIONS@];
const PREFIX = @PREFIX@;

const client = new Anthropic();
const NONCE = String(Math.floor(Math.random() * 1_000_000)).padStart(6, "0");
let running = 0;
const waiting: (() => void)[] = [];
async function limited<T>(work: () => Promise<T>): Promise<T> {
  while (running >= CONCURRENCY_LIMIT) await new Promise<void>((go) => waiting.push(go));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

type Usage = { input_tokens: number; cache_creation_input_tokens?: number | null; cache_read_input_tokens?: number | null };

function systemBlocks(side: string) {
  const own = SYSTEM.trim() ? SYSTEM.trim() + "\n\n" : "";
  return [{ type: "text" as const, text: `[run ${NONCE} · ${side}]\n\n${own}${PREFIX.trim()}`, cache_control: { type: "ephemeral" as const } }];
}

function ask(side: string, question: string, began?: () => void): Promise<Usage> {
  return limited(async () => {
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: MAX_TOKENS,
      system: systemBlocks(side),
      messages: [{ role: "user", content: question }],
    });
    stream.on("text", () => began?.());
    const message = await stream.finalMessage();
    began?.();
    return message.usage as Usage;
  });
}

function report(name: string, usages: Usage[]) {
  const writes = usages.filter((u) => (u.cache_creation_input_tokens ?? 0) > 0).length;
  const reads = usages.filter((u) => (u.cache_read_input_tokens ?? 0) > 0).length;
  const units = usages.reduce((sum, u) => sum + u.input_tokens + 1.25 * (u.cache_creation_input_tokens ?? 0) + 0.1 * (u.cache_read_input_tokens ?? 0), 0);
  console.log(`${name}: ${usages.length} calls, cache writes ${writes}, cache reads ${reads}, input cost ${units.toFixed(0)} token-price units`);
}

async function main() {
  let started = performance.now();
  const cold = await Promise.all(QUESTIONS.map((q) => ask("baseline", q)));
  const coldS = (performance.now() - started) / 1000;
  started = performance.now();
  let began!: () => void;
  const begun = new Promise<void>((resolve) => (began = resolve));
  const warm = ask("strategy", QUESTIONS[0], began);
  await begun;
  const waitedS = (performance.now() - started) / 1000;
  const rest = await Promise.all(QUESTIONS.slice(1).map((q) => ask("strategy", q)));
  const warmS = (performance.now() - started) / 1000;
  report("cold fan-out", cold);
  report("warm then fan-out", [await warm, ...rest]);
  console.log(`cold: ${coldS.toFixed(2)} s; warm then fan-out: ${warmS.toFixed(2)} s (the fan-out waited ${waitedS.toFixed(2)} s for the warm-up to begin)`);
}

main();
