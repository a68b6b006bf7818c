//! The batch job as a TypeScript program on the official `@anthropic-ai/sdk` (Node 18+): the
//! same steps as the Python one ([`super::python`]) and the same results file.

use super::{string_literal, BatchJob, RESULTS_FILE, RESULTS_FORMAT};

/// The name to save the program under.
pub const FILE_NAME: &str = "batch-research.ts";

/// The program for `job`.
pub fn program(job: &BatchJob) -> String {
    let questions: Vec<String> = job.questions.iter().map(|q| string_literal(q)).collect();
    let requests: Vec<String> = job
        .requests
        .iter()
        .map(|r| {
            format!(
                "  [{}, {}, {}],\n",
                string_literal(&r.custom_id),
                r.question,
                string_literal(&r.prompt)
            )
        })
        .collect();
    let system = job
        .requests
        .first()
        .and_then(|r| r.system_prompt.as_deref())
        .map_or("null".to_string(), string_literal);
    let temperature = job
        .temperature
        .map_or("null".to_string(), |t| format!("{t:?}"));
    let substitute = if job.model_substituted {
        "// The page ran its offline simulated model; this model stands in for it.\n"
    } else {
        ""
    };
    TEMPLATE
        .replace("__SUBSTITUTE__", substitute)
        .replace("__MODEL__", &string_literal(&job.model))
        .replace("__MAX_TOKENS__", &job.max_tokens.to_string())
        .replace("__TEMPERATURE__", &temperature)
        .replace("__SYSTEM__", &system)
        .replace(
            "__SYNTHESIS__",
            &string_literal(&job.synthesis_instructions),
        )
        .replace("__QUORUM__", &job.quorum.to_string())
        .replace(
            "__QUESTIONS__",
            &format!("[\n  {},\n]", questions.join(",\n  ")),
        )
        .replace("__REQUESTS__", &format!("[\n{}]", requests.concat()))
        .replace("__RESULTS_FILE__", RESULTS_FILE)
        .replace("__FORMAT__", RESULTS_FORMAT)
}

const TEMPLATE: &str = r#"/**
 * Parallel Playground: the research questions as one Message Batch.
 *
 * Creates the batch (one request per question, named by custom_id), polls it with backoff
 * until it has ended, printing the request counts as they change, reads the results, asks
 * for the synthesis of the answers that succeeded (the failed ones are named as gaps) and
 * writes everything to one results file that the page can import.
 *
 * A batch costs half the price of the same calls made one by one, and most finish within
 * the hour (at most 24 hours).
 *
 * Run it (Node 18 or later):
 *   npm install @anthropic-ai/sdk tsx
 *   export ANTHROPIC_API_KEY=...      # your API key
 *   export ANTHROPIC_BASE_URL=...     # optional: a proxy or another endpoint
 *   npx tsx batch-research.ts [__RESULTS_FILE__]
 */

import Anthropic from "@anthropic-ai/sdk";
import { writeFileSync } from "node:fs";

__SUBSTITUTE__const MODEL = __MODEL__;
const MAX_TOKENS = __MAX_TOKENS__;
const TEMPERATURE: number | null = __TEMPERATURE__;
const SYSTEM_PROMPT: string | null = __SYSTEM__;
const SYNTHESIS_INSTRUCTIONS = __SYNTHESIS__;
const QUORUM = __QUORUM__; // fewest answers the synthesis needs
const QUESTIONS: string[] = __QUESTIONS__;
// [custom_id, question index, prompt]: q<i> per question; q<i>-<V> and q<i>-s<k> would be
// variants and voting samples of the same question.
const REQUESTS: [string, number, string][] = __REQUESTS__;
const RESULTS_FILE = process.argv[2] ?? "__RESULTS_FILE__";
// Seconds between the first polls; the wait grows by half each time, up to a minute.
const POLL_START_S = Number(process.env.BATCH_POLL_SECONDS ?? "10");
const POLL_MAX_S = 60;
const SENTENCES: Record<string, string> = {
  canceled: "The batch was cancelled before this request ran.",
  expired: "The batch expired (24 hours) before this request ran.",
  missing: "The results file has no line for this request.",
};
const STARTED = performance.now();

interface Entry {
  custom_id: string;
  status: string;
  text?: string;
  input_tokens?: number;
  output_tokens?: number;
  error?: string;
}

function log(message: string): void {
  const seconds = ((performance.now() - STARTED) / 1000).toFixed(2).padStart(7);
  console.log(`[${seconds}s] ${message}`);
}

function params(prompt: string): Anthropic.MessageCreateParamsNonStreaming {
  const request: Anthropic.MessageCreateParamsNonStreaming = {
    model: MODEL,
    max_tokens: MAX_TOKENS,
    messages: [{ role: "user", content: prompt }],
  };
  if (SYSTEM_PROMPT) request.system = SYSTEM_PROMPT;
  if (TEMPERATURE !== null) request.temperature = TEMPERATURE;
  return request;
}

const sleep = (seconds: number) => new Promise((done) => setTimeout(done, seconds * 1000));

async function waitUntilEnded(client: Anthropic, first: Anthropic.Messages.MessageBatch) {
  let batch = first;
  let wait = POLL_START_S;
  let last = "";
  for (;;) {
    const c = batch.request_counts;
    const counts = `${c.processing} processing, ${c.succeeded} succeeded, ${c.errored} errored, ${c.canceled} canceled, ${c.expired} expired`;
    if (counts !== last) {
      log(`${batch.processing_status}: ${counts}`);
      last = counts;
    }
    if (batch.processing_status === "ended") return batch;
    await sleep(wait);
    wait = Math.min(wait * 1.5, POLL_MAX_S);
    batch = await client.messages.batches.retrieve(batch.id);
  }
}

async function readResults(client: Anthropic, batchId: string): Promise<Map<string, Entry>> {
  const found = new Map<string, Entry>();
  for await (const line of await client.messages.batches.results(batchId)) {
    const result = line.result;
    const entry: Entry = { custom_id: line.custom_id, status: result.type };
    if (result.type === "succeeded") {
      entry.text = result.message.content
        .map((block) => (block.type === "text" ? block.text : ""))
        .join("");
      entry.input_tokens = result.message.usage.input_tokens;
      entry.output_tokens = result.message.usage.output_tokens;
    } else if (result.type === "errored") {
      const error = result.error.error;
      entry.error = `${error.type}: ${error.message}`;
    }
    found.set(line.custom_id, entry);
  }
  return found;
}

function reason(entry: Entry): string {
  if (entry.status === "errored") {
    return "The request failed inside the batch: " + (entry.error ?? "");
  }
  return SENTENCES[entry.status] ?? SENTENCES.missing;
}

/** The synthesis request, built as the page builds it. */
function synthesisPrompt(outcomes: Entry[]): string {
  const answered = outcomes.filter((o) => o.status === "succeeded").length;
  const total = outcomes.length;
  let prompt = SYNTHESIS_INSTRUCTIONS.trim() + "\n\n";
  if (answered === total) {
    prompt += `All ${total} research answers are below, in question order.\n`;
  } else {
    prompt +=
      `Some research failed: ${answered} of ${total} questions have an answer. ` +
      "Synthesize the available answers and clearly note the gaps left by the " +
      "missing ones.\n";
  }
  outcomes.forEach((outcome, i) => {
    const question = QUESTIONS[i].trim();
    if (outcome.status === "succeeded") {
      prompt += `\n### Question ${i + 1}: ${question}\n${(outcome.text ?? "").trim()}\n`;
    } else {
      prompt += `\n### Missing ${i + 1}: ${question}\n(No answer: ${reason(outcome).trim()})\n`;
    }
  });
  return prompt;
}

async function synthesize(client: Anthropic, outcomes: Entry[]) {
  const answered = outcomes.filter((o) => o.status === "succeeded").length;
  if (answered < QUORUM) {
    const why =
      `No synthesis: only ${answered} of ${outcomes.length} answers succeeded, ` +
      `and the quorum asks for at least ${QUORUM}.`;
    log(why);
    return { status: "skipped", reason: why };
  }
  log(`Synthesizing ${answered} of ${outcomes.length} answers`);
  try {
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: MAX_TOKENS,
      messages: [{ role: "user", content: synthesisPrompt(outcomes) }],
      ...(TEMPERATURE === null ? {} : { temperature: TEMPERATURE }),
    });
    const text = message.content.map((b) => (b.type === "text" ? b.text : "")).join("");
    return {
      status: "done",
      text,
      input_tokens: message.usage.input_tokens,
      output_tokens: message.usage.output_tokens,
    };
  } catch (error) {
    log(`Synthesis failed: ${String(error)}`);
    return { status: "failed", reason: String(error) };
  }
}

async function main(): Promise<void> {
  const client = new Anthropic();
  const created = await client.messages.batches.create({
    requests: REQUESTS.map(([customId, , prompt]) => ({
      custom_id: customId,
      params: params(prompt),
    })),
  });
  log(`Created batch ${created.id} with ${REQUESTS.length} requests`);
  const batch = await waitUntilEnded(client, created);
  const found = await readResults(client, batch.id);
  const results = REQUESTS.map(
    ([customId]) => found.get(customId) ?? { custom_id: customId, status: "missing" },
  );
  for (const entry of results) log(`${entry.custom_id}: ${entry.status}`);
  // The synthesis merges one answer per question: the first request of each (q<i>).
  const first = new Map<number, Entry>();
  REQUESTS.forEach(([, question], i) => {
    if (!first.has(question)) first.set(question, results[i]);
  });
  const outcomes = QUESTIONS.map(
    (_, i) => first.get(i) ?? { custom_id: `q${i}`, status: "missing" },
  );
  const synthesis = await synthesize(client, outcomes);
  if (synthesis.status === "done") console.log(`\n${synthesis.text}\n`);
  const createdAt = Date.parse(batch.created_at);
  const endedAt = batch.ended_at ? Date.parse(batch.ended_at) : null;
  const report = {
    format: "__FORMAT__",
    version: 1,
    api: "anthropic",
    batch_id: batch.id,
    model: MODEL,
    created_at: batch.created_at,
    ended_at: batch.ended_at,
    created_at_ms: createdAt,
    ended_at_ms: endedAt,
    results,
    synthesis,
  };
  writeFileSync(RESULTS_FILE, JSON.stringify(report, null, 2));
  log(`Wrote ${RESULTS_FILE}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RunPlan;

    #[test]
    fn program_carries_the_set_up_as_typescript_literals() {
        let plan = RunPlan {
            questions: vec!["Why `this` ${x}?".into()],
            system_prompt: Some("Be brief.".into()),
            temperature: Some(0.25),
            model: "claude-sonnet-4-5".into(),
            ..RunPlan::default()
        };
        let text = program(&BatchJob::from_plan(&plan));
        assert!(text.contains(r#"["q0", 0, "Why `this` ${x}?"],"#));
        assert!(text.contains(r#"const SYSTEM_PROMPT: string | null = "Be brief.";"#));
        assert!(text.contains("const TEMPERATURE: number | null = 0.25;"));
        assert!(text.contains(r#"const MODEL = "claude-sonnet-4-5";"#));
        for placeholder in ["__MODEL__", "__QUESTIONS__", "__REQUESTS__", "__FORMAT__"] {
            assert!(!text.contains(placeholder), "{placeholder} was left");
        }
    }
}
