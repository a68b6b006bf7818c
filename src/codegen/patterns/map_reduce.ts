// Map-reduce over a document, against one call over the whole text (Parallel Playground).
//
// Chunks by paragraphs (at most CHUNK_SIZE characters; a longer paragraph at sentence ends,
// then at spaces), one call per chunk in parallel (at most CONCURRENCY_LIMIT at once), then a
// reduce tree with fan-in FAN_IN: a merging call starts only once all of its inputs are done.
// Needs `npm install @anthropic-ai/sdk`; reads ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL).
import Anthropic from "@anthropic-ai/sdk";

const MODEL = @MODEL@;
const SYSTEM: string | undefined = @SYSTEM@;
const MAX_TOKENS = @MAX_TOKENS@;
const CONCURRENCY_LIMIT = @LIMIT@;
const TASK = @TASK@;
const CHUNK_SIZE = @CHUNK_SIZE@;
const FAN_IN = @FAN_IN@;
const DOCUMENT = @DOCUMENT@;

const client = new Anthropic();
let started = performance.now();
const log = (text: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(2).padStart(6)}s] ${text}`);
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

function pack(units: string[], sep: string, size: number): string[] {
  const out: string[] = [];
  let current = "";
  for (const unit of units) {
    if (current && current.length + sep.length + unit.length > size) {
      out.push(current);
      current = "";
    }
    current = current ? current + sep + unit : unit;
  }
  return current ? [...out, current] : out;
}

function splitLong(paragraph: string, size: number): string[] {
  const units: string[] = [];
  for (const sentence of paragraph.split(/(?<=[.!?])\s+/)) {
    if (sentence.length <= size) units.push(sentence);
    else for (const word of sentence.split(/\s+/)) for (let i = 0; i < word.length; i += size) units.push(word.slice(i, i + size));
  }
  return pack(units.filter((u) => u), " ", size);
}

function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  let current = "";
  for (const paragraph of text.split(/\n\s*\n/).map((p) => p.trim())) {
    if (!paragraph) continue;
    if (paragraph.length > size) {
      if (current) out.push(current);
      current = "";
      out.push(...splitLong(paragraph, size));
      continue;
    }
    if (current && current.length + 2 + paragraph.length > size) {
      out.push(current);
      current = "";
    }
    current = current ? `${current}\n\n${paragraph}` : paragraph;
  }
  return current ? [...out, current] : out;
}

function ask(label: string, prompt: string): Promise<string> {
  return limited(async () => {
    log(`Asking: ${label}`);
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: MAX_TOKENS,
      ...(SYSTEM ? { system: SYSTEM } : {}),
      messages: [{ role: "user", content: prompt }],
    });
    log(`Answered: ${label}`);
    return message.content.map((b) => (b.type === "text" ? b.text : "")).join("");
  });
}

const spanLabel = ([a, b]: [number, number]) => (b === a + 1 ? `Part ${a + 1}` : `Parts ${a + 1}-${b}`);

async function mapReduce(): Promise<string> {
  const parts = chunks(DOCUMENT, CHUNK_SIZE);
  const total = parts.length;
  let level: [Promise<string>, [number, number]][] = parts.map((chunk, i) => [
    ask(`level 0, part ${i + 1} of ${total}`, `${TASK}\n\nAnswer from this part of a longer document only (part ${i + 1} of ${total}); keep names, numbers and claims.\n\n${chunk}`),
    [i, i + 1],
  ]);
  const fanIn = FAN_IN >= 2 && FAN_IN < total ? FAN_IN : Math.max(total, 2);
  let depth = 0;
  while (level.length > 1) {
    depth++;
    const above: typeof level = [];
    for (let start = 0; start < level.length; start += fanIn) {
      const group = level.slice(start, start + fanIn);
      const span: [number, number] = [group[0][1][0], group[group.length - 1][1][1]];
      if (group.length === 1) {
        above.push(group[0]);
        continue;
      }
      const d = depth;
      // Waits for every input before it asks.
      const merged = Promise.all(group.map(([p]) => p)).then((answers) => {
        const body = answers.map((a, i) => `\n### Answer ${i + 1}: ${spanLabel(group[i][1])}\n${a.trim()}\n`).join("");
        return ask(`level ${d}, ${spanLabel(span)}`, `Merge these partial answers about consecutive parts of one document into one answer to: ${TASK}\n\nAll ${answers.length} research answers are below, in question order.\n${body}`);
      });
      above.push([merged, span]);
    }
    level = above;
  }
  return level[0][0];
}

async function main() {
  started = performance.now();
  const whole = await ask("baseline, the whole document", `${TASK}\n\nThe document:\n\n${DOCUMENT.trim()}`);
  const baselineS = (performance.now() - started) / 1000;
  started = performance.now();
  const merged = await mapReduce();
  const strategyS = (performance.now() - started) / 1000;
  console.log(`\nBaseline (one call): ${baselineS.toFixed(2)} s; map-reduce: ${strategyS.toFixed(2)} s`);
  console.log(`\n## One call\n${whole}\n\n## Map-reduce\n${merged}`);
}

main();
