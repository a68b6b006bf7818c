@HEADER@
import Anthropic from "@anthropic-ai/sdk";
@OPENAI_IMPORT@
/** One variant of the set-up: its letter, the API it calls and what it changes. */
interface Variant {
  letter: string;
  /** "anthropic", or "openai" for an OpenAI-compatible server. */
  api: "anthropic" | "openai";
  model: string;
  maxTokens: number;
  systemPrompt?: string;
  /** Absent: the server's default. */
  temperature?: number;
  /** An OpenAI-compatible server's address. */
  baseUrl?: string;
}

// One block per variant; every variant asks the same questions.
const VARIANTS: Variant[] = [
@VARIANTS@];
// true: the variants run at the same time; false: one after the other.
const TOGETHER: boolean = @TOGETHER@;
@CONSTANTS@
const START = performance.now();

/** Prints a line stamped with the seconds since the start, labelled with the variant. */
function log(variant: Variant, message: string): void {
  const seconds = ((performance.now() - START) / 1000).toFixed(2).padStart(6);
  console.log(`[${seconds}s] [${variant.letter}] ${message}`);
}

interface Answer {
  text: string;
  seconds: number;
  inputTokens: number;
  outputTokens: number;
}

/** A question without an answer: which one, why, and how long its call took. */
class ResearchError extends Error {
  readonly questionNumber: number;
  readonly reason: string;
  readonly seconds: number;

  constructor(questionNumber: number, reason: string, seconds: number) {
    super(reason);
    this.questionNumber = questionNumber;
    this.reason = reason;
    this.seconds = seconds;
  }
}

/** One run of one variant: its wall time, the sum of its call times and its tokens. */
interface Figures {
  wall: number;
  callSeconds: number;
  inputTokens: number;
  outputTokens: number;
  answered: number;
}
@SEMAPHORE@
/** Says in one line why a call failed. */
function describe(error: unknown): string {
  if (error instanceof Anthropic.APIError && error.status !== undefined) {
    return `HTTP ${error.status}: ${error.apiMessage ?? error.message}`;
  }
@OPENAI_DESCRIBE@  return error instanceof Error ? error.message : String(error);
}

type Client = Anthropic@OPENAI_TYPE@;

/** One client per API and address the variants call (each keeps its connections). */
function makeClients(): Map<string, Client> {
  const clients = new Map<string, Client>();
  for (const variant of VARIANTS) {
    const key = clientKey(variant);
    if (clients.has(key)) continue;
    if (variant.api === "anthropic") {
      const apiKey = process.env.ANTHROPIC_API_KEY;
      if (!apiKey) {
        console.error("Set ANTHROPIC_API_KEY to your Anthropic API key first.");
        process.exit(1);
      }
      // The SDK also reads ANTHROPIC_BASE_URL, and retries failed calls
      // MAX_RETRIES times (honouring the server's retry-after).
      clients.set(key, new Anthropic({ apiKey, maxRetries: MAX_RETRIES }));
    }
@OPENAI_CLIENT@  }
  return clients;
}

function clientKey(variant: Variant): string {
  return `${variant.api} ${variant.baseUrl ?? ""}`;
}

/** One call with the variant's model and numbers: the text and the tokens in and out. */
async function createMessage(
  clients: Map<string, Client>,
  variant: Variant,
  prompt: string,
  system?: string,
): Promise<[string, number, number]> {
  const client = clients.get(clientKey(variant));
  // AbortSignal.timeout ends the call when its time is up, retries included.
  const signal =
    TIMEOUT_MS === null ? undefined : AbortSignal.timeout(TIMEOUT_MS);
  try {
@OPENAI_CALL@    if (!(client instanceof Anthropic)) throw new Error("no Anthropic client");
    const message = await client.messages.create(
      {
        model: variant.model,
        max_tokens: variant.maxTokens,
        ...(system ? { system } : {}),
        messages: [{ role: "user", content: prompt }],
      },
      { signal },
    );
    const text = message.content
      .map((block) => (block.type === "text" ? block.text : ""))
      .join("");
    return [text, message.usage.input_tokens, message.usage.output_tokens];
  } catch (error) {
    if (signal?.aborted) {
      throw new Error(
        `Timed out after ${TIMEOUT_MS! / 1000} s (the per-call timeout).`,
      );
    }
    throw error;
  }
}

/** Asks one research question, logging when it starts and when it ends. */
async function ask(
  clients: Map<string, Client>,
  variant: Variant,
  questionNumber: number,
  question: string,
): Promise<Answer> {
  log(variant, `q${questionNumber} asking: ${question}`);
  const started = performance.now();
  try {
    const [text, inputTokens, outputTokens] = await createMessage(
      clients,
      variant,
      question,
      variant.systemPrompt,
    );
    const seconds = (performance.now() - started) / 1000;
    log(
      variant,
      `q${questionNumber} answered (${seconds.toFixed(2)} s, ${outputTokens} tokens)`,
    );
    for (const line of text.trim().split("\n")) {
      console.log(`[${variant.letter}] q${questionNumber} | ${line}`);
    }
    return { text, seconds, inputTokens, outputTokens };
  } catch (error) {
    const reason = describe(error);
    log(variant, `q${questionNumber} failed: ${reason}`);
    const seconds = (performance.now() - started) / 1000;
    throw new ResearchError(questionNumber, reason, seconds);
  }
}

/** Asks the questions one at a time, each call after the previous one. */
async function researchSequential(
  clients: Map<string, Client>,
  variant: Variant,
): Promise<Array<Answer | ResearchError>> {
  const outcomes: Array<Answer | ResearchError> = [];
  for (const [index, question] of QUESTIONS.entries()) {
    try {
      outcomes.push(await ask(clients, variant, index + 1, question));
    } catch (error) {
      // settle-all: note the failure and go on.
      outcomes.push(error as ResearchError);
    }
  }
  return outcomes;
}

/** Asks every question at once (at most CONCURRENCY_LIMIT at a time, if set). */
async function researchParallel(
  clients: Map<string, Client>,
  variant: Variant,
): Promise<Array<Answer | ResearchError>> {
  const semaphore = new Semaphore(
    CONCURRENCY_LIMIT ?? Math.max(1, QUESTIONS.length),
  );
  const results = await Promise.allSettled(
    QUESTIONS.map(async (question, index) => {
      // Waits here while CONCURRENCY_LIMIT calls are in flight.
      await semaphore.acquire();
      try {
        return await ask(clients, variant, index + 1, question);
      } finally {
        semaphore.release();
      }
    }),
  );
  // allSettled waits for every call (settle-all) and keeps question order.
  return results.map((result) =>
    result.status === "fulfilled"
      ? result.value
      : (result.reason as ResearchError),
  );
}

/**
 * The synthesis request, built as the page builds it: every answer in question
 * order, and the missing ones named so that the model can note the gaps.
 */
function synthesisPrompt(outcomes: Array<Answer | ResearchError>): string {
  const answered = outcomes.filter((o) => !(o instanceof ResearchError)).length;
  const total = outcomes.length;
  let prompt = `${SYNTHESIS_INSTRUCTIONS.trim()}\n\n`;
  if (answered === total) {
    prompt += `All ${total} research answers are below, in question order.\n`;
  } else {
    prompt +=
      `Some research failed: ${answered} of ${total} questions have an ` +
      "answer. Synthesize the available answers and clearly note the gaps " +
      "left by the missing ones.\n";
  }
  outcomes.forEach((outcome, index) => {
    const question = QUESTIONS[index].trim();
    if (outcome instanceof ResearchError) {
      prompt += `\n### Missing ${index + 1}: ${question}\n`;
      prompt += `(No answer: ${outcome.reason.trim()})\n`;
    } else {
      prompt += `\n### Question ${index + 1}: ${question}\n`;
      prompt += `${outcome.text.trim()}\n`;
    }
  });
  return prompt;
}

/**
 * One run of one variant: the research, then the synthesis, then its figures.
 * Returns null when there is no synthesis.
 */
async function runWorkflow(
  clients: Map<string, Client>,
  variant: Variant,
  name: string,
): Promise<Figures | null> {
  const research = name === "parallel" ? researchParallel : researchSequential;
  const started = performance.now();
  const outcomes = await research(clients, variant);
  const answers = outcomes.filter(
    (o): o is Answer => !(o instanceof ResearchError),
  );
  log(
    variant,
    `${name} research done: ${answers.length} of ${outcomes.length} answered.`,
  );
  let synthesis: Answer | null = null;
  if (answers.length < QUORUM) {
    log(
      variant,
      `No synthesis: ${answers.length} answers, the quorum is ${QUORUM}.`,
    );
  } else {
    log(variant, `synthesis of ${answers.length} answers`);
    const synthesisStarted = performance.now();
    try {
      const [text, inputTokens, outputTokens] = await createMessage(
        clients,
        variant,
        synthesisPrompt(outcomes),
      );
      const seconds = (performance.now() - synthesisStarted) / 1000;
      synthesis = { text, seconds, inputTokens, outputTokens };
      log(variant, `synthesis done (${seconds.toFixed(2)} s)`);
      console.log(`\n[${variant.letter}] ${name} synthesis:\n${text}\n`);
    } catch (error) {
      log(variant, `Synthesis failed: ${describe(error)}`);
    }
  }
  const calls = synthesis ? [...answers, synthesis] : answers;
  const figures: Figures = {
    wall: (performance.now() - started) / 1000,
    callSeconds:
      outcomes.reduce((sum, outcome) => sum + outcome.seconds, 0) +
      (synthesis?.seconds ?? 0),
    inputTokens: calls.reduce((sum, call) => sum + call.inputTokens, 0),
    outputTokens: calls.reduce((sum, call) => sum + call.outputTokens, 0),
    answered: answers.length,
  };
  console.log(
    `[${variant.letter}] ${name} wall time: ${figures.wall.toFixed(2)} s. ` +
      `Sum of call times: ${figures.callSeconds.toFixed(2)} s. ` +
      `Tokens in/out: ${figures.inputTokens}/${figures.outputTokens}.`,
  );
  return synthesis ? figures : null;
}

/** Every run of one variant, one after the other. */
async function runVariant(
  clients: Map<string, Client>,
  variant: Variant,
): Promise<Map<string, Figures | null>> {
  const runs = new Map<string, Figures | null>();
  for (const name of RUNS) {
    runs.set(name, await runWorkflow(clients, variant, name));
  }
  return runs;
}

/** The nearest-rank percentile, as the page computes it: the value at rank
 * ceil(p / 100 * n) of the sorted values (always a measured value). */
function percentile(values: number[], p: number): number {
  const ordered = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * ordered.length - 1e-9));
  return ordered[Math.min(rank, ordered.length) - 1];
}

/** Prints p50, p95, p99 and max of one variant's run over the rounds. */
function report(label: string, walls: number[]): void {
  if (walls.length === 0) {
    console.log(`${label}: no round ended with a synthesis.`);
    return;
  }
  const figures = [50, 95, 99]
    .map((p) => `p${p} ${percentile(walls, p).toFixed(2)} s`)
    .join(", ");
  const max = Math.max(...walls).toFixed(2);
  console.log(
    `${label} wall time over ${walls.length} rounds: ${figures}, max ${max} s`,
  );
}

async function main(): Promise<void> {
  const clients = makeClients();
  const walls = new Map<string, number[]>();
  for (const v of VARIANTS) {
    for (const name of RUNS) walls.set(`[${v.letter}] ${name}`, []);
  }
  let complete = true;
  for (let round = 1; round <= ROUNDS; round++) {
    if (ROUNDS > 1) console.log(`\nRound ${round} of ${ROUNDS}`);
    const roundStarted = performance.now();
    const results: Array<Map<string, Figures | null>> = [];
    if (TOGETHER) {
      // Every variant at the same time.
      results.push(
        ...(await Promise.all(VARIANTS.map((v) => runVariant(clients, v)))),
      );
    } else {
      // One variant after the other: none slows another down.
      for (const v of VARIANTS) results.push(await runVariant(clients, v));
    }
    console.log(`\nFigures, variant by variant (round ${round}):`);
    VARIANTS.forEach((variant, index) => {
      const runs = results[index];
      for (const [name, figures] of runs) {
        if (figures === null) {
          complete = false;
          console.log(
            `[${variant.letter}] ${variant.model} ${name}: no synthesis`,
          );
          continue;
        }
        walls.get(`[${variant.letter}] ${name}`)?.push(figures.wall);
        console.log(
          `[${variant.letter}] ${variant.model} ${name}: ` +
            `wall ${figures.wall.toFixed(2)} s, sum ${figures.callSeconds.toFixed(2)} s, ` +
            `tokens in ${figures.inputTokens} / out ${figures.outputTokens}, ` +
            `${figures.answered} of ${QUESTIONS.length} answered`,
        );
      }
      const sequential = runs.get("sequential");
      const parallel = runs.get("parallel");
      if (sequential && parallel) {
        const speedup = (sequential.wall / parallel.wall).toFixed(1);
        console.log(`[${variant.letter}] ${speedup}x faster in parallel`);
      }
    });
    const took = ((performance.now() - roundStarted) / 1000).toFixed(2);
    console.log(`Round ${round} took ${took} s`);
  }
  if (ROUNDS > 1) {
    console.log();
    for (const [label, values] of walls) report(label, values);
  }
  if (!complete) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
