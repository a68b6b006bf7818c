//! The batch job as a TypeScript program on the official `@anthropic-ai/sdk` (Node 18+): the
//! same steps as the Python one ([`super::python`]): a synthesis per variant, or with voting
//! each question's majority, and the same results file.

use super::program_data::{
    request_rows, substitute_note, variants_table, voting_literal, Language,
};
use super::{string_literal, BatchJob, RESULTS_FILE, RESULTS_FORMAT};

/// The name to save the program under.
pub const FILE_NAME: &str = "batch-research.ts";

/// The program for `job`.
pub fn program(job: &BatchJob) -> String {
    let questions: Vec<String> = job.questions.iter().map(|q| string_literal(q)).collect();
    TEMPLATE
        .replace("__SUBSTITUTE__", &substitute_note(job, "//"))
        .replace("__VARIANTS__", &variants_table(job, Language::TypeScript))
        .replace(
            "__SYNTHESIS__",
            &string_literal(&job.synthesis_instructions),
        )
        .replace("__QUORUM__", &job.quorum.to_string())
        .replace(
            "__QUESTIONS__",
            &format!("[\n  {},\n]", questions.join(",\n  ")),
        )
        .replace("__REQUESTS__", &request_rows(job, Language::TypeScript))
        .replace("__VOTING__", &voting_literal(job, Language::TypeScript))
        .replace("__TALLY__", TALLY)
        .replace("__RESULTS_FILE__", RESULTS_FILE)
        .replace("__FORMAT__", RESULTS_FORMAT)
}

const TEMPLATE: &str = r#"/**
 * Parallel Playground: the research questions as one Message Batch.
 *
 * Creates the batch (one request per question and variant, or per voting sample, named by
 * custom_id), polls it with backoff until it has ended, printing the request counts as they
 * change, reads the results, asks for each variant's synthesis of its answers that succeeded
 * (the failed ones are named as gaps), or with voting takes each question's majority, and
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

__SUBSTITUTE__// Each variant's model and numbers; its synthesis runs with them over its own answers.
const VARIANTS: Record<string, { model: string; max_tokens: number; temperature: number | null }> =
  __VARIANTS__;
const MODEL = VARIANTS.A.model;
const SYNTHESIS_INSTRUCTIONS = __SYNTHESIS__;
const QUORUM = __QUORUM__; // fewest answers the synthesis needs
const QUESTIONS: string[] = __QUESTIONS__;
// [custom_id, question index, variant, voting sample or null, Messages API parameters]:
// q<i> for variant A, q<i>-<V> for variant V, q<i>-s<k> for voting sample k.
type Row = [string, number, string, number | null, Anthropic.MessageCreateParamsNonStreaming];
const REQUESTS: Row[] = __REQUESTS__;
// Voting: each question's samples give one result each and the majority wins (null: no voting).
const VOTING: { extraction: string; marker: string } | null = __VOTING__;
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

/** Variant `variant`'s synthesis of its answers, with its model and numbers. */
async function synthesize(client: Anthropic, variant: string, outcomes: Entry[]) {
  const settings = VARIANTS[variant];
  const answered = outcomes.filter((o) => o.status === "succeeded").length;
  if (answered < QUORUM) {
    const why =
      `No synthesis: only ${answered} of ${outcomes.length} answers succeeded, ` +
      `and the quorum asks for at least ${QUORUM}.`;
    log(`Variant ${variant}: ${why}`);
    return { status: "skipped", reason: why };
  }
  log(`Synthesizing variant ${variant}: ${answered} of ${outcomes.length} answers`);
  try {
    const message = await client.messages.create({
      model: settings.model,
      max_tokens: settings.max_tokens,
      messages: [{ role: "user", content: synthesisPrompt(outcomes) }],
      ...(settings.temperature === null ? {} : { temperature: settings.temperature }),
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

__TALLY__

async function main(): Promise<void> {
  const client = new Anthropic();
  const created = await client.messages.batches.create({
    requests: REQUESTS.map(([customId, , , , params]) => ({ custom_id: customId, params })),
  });
  log(`Created batch ${created.id} with ${REQUESTS.length} requests`);
  const batch = await waitUntilEnded(client, created);
  const found = await readResults(client, batch.id);
  const results: Entry[] = REQUESTS.map(
    ([customId]) => found.get(customId) ?? { custom_id: customId, status: "missing" },
  );
  for (const entry of results) log(`${entry.custom_id}: ${entry.status}`);
  const syntheses: Record<string, object> = {};
  let votes: Vote[] = [];
  if (VOTING === null) {
    // Each variant's synthesis merges its own answers, one per question, in order.
    for (const variant of Object.keys(VARIANTS)) {
      const outcomes = results.filter((_, i) => REQUESTS[i][2] === variant);
      const synthesis = await synthesize(client, variant, outcomes);
      syntheses[variant] = synthesis;
      if (synthesis.status === "done") console.log(`\n${synthesis.text}\n`);
    }
  } else {
    votes = vote(results);
  }
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
    ...(VOTING === null ? { synthesis: syntheses.A, syntheses } : { votes }),
  };
  writeFileSync(RESULTS_FILE, JSON.stringify(report, null, 2));
  log(`Wrote ${RESULTS_FILE}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
"#;

/// Voting's reading of an answer and the majority, as the page does it
/// ([`crate::patterns::extract`]): the same extraction, normalization and tie rule.
const TALLY: &str = r#"const MARKS = ".,;:!*_`\"";
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isSpace = (c: string) => /\s/u.test(c);

interface Vote {
  variant: string;
  question: number;
  winner: string | null;
  agreement: number;
  counts: [string, number][];
  voted: number;
  abstained: number;
}

/** A result as it is compared: trimmed of spaces and punctuation, lower case. */
function normalize(result: string): string {
  const chars = [...result];
  let start = 0;
  let end = chars.length;
  const trimmed = (c: string) => isSpace(c) || MARKS.includes(c);
  while (start < end && trimmed(chars[start])) start += 1;
  while (end > start && trimmed(chars[end - 1])) end -= 1;
  const words = chars.slice(start, end).join("").split(/\s+/u).filter((w) => w !== "");
  return [...words.join(" ").toLowerCase()].slice(0, 200).join("");
}

function formatNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value === 0 ? 0 : value);
  return String(Math.round(value * 1e6) / 1e6);
}

function lastNumber(text: string): string | null {
  const chars = [...text];
  let end = chars.length;
  while (end > 0 && !isDigit(chars[end - 1])) end -= 1;
  if (end === 0) return null;
  let start = end;
  while (start > 0) {
    const c = chars[start - 1];
    if (isDigit(c) || ((c === "." || c === ",") && start >= 2 && isDigit(chars[start - 2]))) {
      start -= 1;
    } else {
      break;
    }
  }
  if (start > 0 && chars[start - 1] === "-") start -= 1;
  const number = chars.slice(start, end).join("").replaceAll(",", "");
  const value = /^-?\d+(\.\d+)?$/.test(number) ? Number(number) : NaN;
  return Number.isFinite(value) ? formatNumber(value) : number;
}

/** The final result of an answer: the last number, the last line, or what follows the marker. */
function extract(text: string): string | null {
  const how = VOTING?.extraction ?? "number";
  const marker = (VOTING?.marker ?? "").trim();
  let raw: string | null;
  if (how === "number") {
    raw = lastNumber(text);
  } else if (how === "last-line") {
    const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
    raw = lines.length > 0 ? lines[lines.length - 1] : null;
  } else {
    const at = marker === "" ? -1 : text.lastIndexOf(marker);
    raw = at >= 0 ? text.slice(at + marker.length).split("\n")[0].trim() : null;
  }
  const result = raw ? normalize(raw) : "";
  return result === "" ? null : result;
}

/** The votes of one question: counts (most first, ties in the order first seen), the winner
 * and its share of the votes. */
function tally(texts: (string | null)[]): Omit<Vote, "variant" | "question"> {
  const counts = new Map<string, number>();
  let voted = 0;
  let abstained = 0;
  for (const text of texts) {
    const result = text === null ? null : extract(text);
    if (result === null) {
      abstained += 1;
      continue;
    }
    voted += 1;
    counts.set(result, (counts.get(result) ?? 0) + 1);
  }
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  return {
    winner: ranked.length > 0 ? ranked[0][0] : null,
    agreement: ranked.length > 0 ? ranked[0][1] / voted : 0,
    counts: ranked,
    voted,
    abstained,
  };
}

/** The majority of each question's samples, variant by variant. */
function vote(results: Entry[]): Vote[] {
  const votes: Vote[] = [];
  for (const variant of Object.keys(VARIANTS)) {
    QUESTIONS.forEach((_, question) => {
      const texts = results
        .filter((_, i) => REQUESTS[i][2] === variant && REQUESTS[i][1] === question)
        .map((e) => (e.status === "succeeded" ? (e.text ?? "") : null));
      const counted: Vote = { variant, question, ...tally(texts) };
      votes.push(counted);
      const share = Math.round(counted.agreement * 100);
      log(`Variant ${variant}, question ${question + 1}: ${counted.winner} (${share}% of ${counted.voted} votes)`);
    });
  }
  return votes;
}
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
        assert!(text.contains(r#"["q0", 0, "A", null, {"#));
        assert!(text.contains(r#""system":"Be brief.""#));
        assert!(text.contains(
            r#""A": {"model": "claude-sonnet-4-5", "max_tokens": 1024, "temperature": 0.25},"#
        ));
        assert!(
            text.contains("const VOTING: { extraction: string; marker: string } | null = null;")
        );
        for placeholder in ["__VARIANTS__", "__QUESTIONS__", "__REQUESTS__", "__TALLY__"] {
            assert!(!text.contains(placeholder), "{placeholder} was left");
        }
    }
}
