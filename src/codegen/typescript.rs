//! The TypeScript program: the official `@anthropic-ai/sdk` on Node, `Promise.allSettled` for
//! settle-all, `Promise.all` with an `AbortController` for fail-fast, seed 002's `Semaphore` for
//! the limit, and `AbortSignal.timeout` for the per-call timeout (seed 000, with seed 002's
//! policies). Formatted as Prettier formats it.

use super::literal::{split_lines, typescript_string};
use super::Runs;
use super::{comment_block, temperature_note, Setup, SUBSTITUTE_NOTE, TITLE};

/// Prettier's line length.
const WIDTH: usize = 80;

/// The whole program for `setup`.
pub(super) fn program(setup: &Setup<'_>) -> String {
    let mut out = String::new();
    header(&mut out, setup);
    out.push_str("import Anthropic from \"@anthropic-ai/sdk\";\n\n");
    constants(&mut out, setup);
    out.push_str(LOG_AND_TYPES);
    if setup.has_parallel_run() && setup.concurrency_limit.is_some() {
        out.push_str(SEMAPHORE);
    }
    out.push_str(DESCRIBE);
    out.push_str(&create_message(setup));
    out.push_str(&ask(setup));
    if setup.has_sequential_run() {
        out.push_str(if setup.fail_fast {
            SEQUENTIAL_FAIL_FAST
        } else {
            SEQUENTIAL_SETTLE_ALL
        });
    }
    if setup.has_parallel_run() {
        out.push_str(&parallel(setup));
    }
    out.push_str(if setup.fail_fast {
        SYNTHESIS_FAIL_FAST
    } else {
        SYNTHESIS_SETTLE_ALL
    });
    out.push_str(if setup.fail_fast {
        WORKFLOW_FAIL_FAST
    } else {
        WORKFLOW_SETTLE_ALL
    });
    out.push_str(&main(setup));
    out
}

fn header(out: &mut String, setup: &Setup<'_>) {
    let mut paragraphs = vec![TITLE.to_string()];
    paragraphs.extend(setup.description());
    out.push_str("/**\n");
    out.push_str(&comment_block(&paragraphs, " * ", WIDTH));
    out.push_str(
        " *
 * Run it (Node 20 or later):
 *   npm install @anthropic-ai/sdk tsx
 *   export ANTHROPIC_API_KEY=...      # your API key
 *   export ANTHROPIC_BASE_URL=...     # optional: a proxy or another endpoint
 *   npx tsx parallel-research.ts
 */
",
    );
}

fn constants(out: &mut String, setup: &Setup<'_>) {
    if setup.model_substituted {
        out.push_str(&format!("// {SUBSTITUTE_NOTE}\n"));
    }
    out.push_str(&string_constant("MODEL", setup.model));
    out.push_str(&format!("const MAX_TOKENS = {};\n", setup.max_tokens));
    if let Some(t) = setup.temperature_literal() {
        out.push_str(&format!("// {}\n", temperature_note(&t)));
    }
    if let Some(system) = setup.system_prompt {
        out.push_str(&string_constant("SYSTEM_PROMPT", system));
    }
    out.push_str(&string_constant(
        "SYNTHESIS_INSTRUCTIONS",
        setup.synthesis_instructions,
    ));
    let literals: Vec<String> = setup
        .questions
        .iter()
        .map(|q| typescript_string(q))
        .collect();
    let one_line = format!("const QUESTIONS: string[] = [{}];\n", literals.join(", "));
    if one_line.chars().count() <= WIDTH + 1 {
        out.push_str(&one_line);
    } else {
        out.push_str("const QUESTIONS: string[] = [\n");
        for literal in &literals {
            out.push_str(&format!("  {literal},\n"));
        }
        out.push_str("];\n");
    }
    if setup.has_parallel_run() {
        if let Some(k) = setup.concurrency_limit {
            out.push_str(&format!(
                "const CONCURRENCY_LIMIT = {k}; // most calls in flight at once\n"
            ));
        }
    }
    if let Some(ms) = setup.timeout_ms {
        out.push_str(&format!(
            "const TIMEOUT_MS = {}; // per call, retries included\n",
            grouped(ms)
        ));
    }
    out.push_str(&format!(
        "const MAX_RETRIES = {}; // for rate limits, server errors and lost connections\n",
        setup.max_retries
    ));
    if !setup.fail_fast {
        out.push_str(&format!(
            "const QUORUM = {}; // fewest answers the synthesis needs\n",
            setup.quorum
        ));
    }
}

/// `20_000` for 20000: digits grouped by thousands, as a numeric literal may be.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('_');
        }
        out.push(c);
    }
    out
}

/// `const NAME = "…";`, or the text split into `+`-joined pieces when it is long or has
/// newlines (as Prettier lays out a long concatenation).
fn string_constant(name: &str, text: &str) -> String {
    let one_line = format!("const {name} = {};\n", typescript_string(text));
    if one_line.chars().count() <= WIDTH + 1 {
        return one_line;
    }
    let pieces = split_lines(text, WIDTH - 8);
    if pieces.len() == 1 {
        // One long word: Prettier moves it to its own line.
        return format!("const {name} =\n  {};\n", typescript_string(text));
    }
    let mut out = format!("const {name} =\n");
    for (i, piece) in pieces.iter().enumerate() {
        let end = if i + 1 == pieces.len() { ";" } else { " +" };
        out.push_str(&format!("  {}{end}\n", typescript_string(piece)));
    }
    out
}

const LOG_AND_TYPES: &str = r#"
const START = performance.now();

/** Prints a line stamped with the seconds since the program started. */
function log(message: string): void {
  const seconds = ((performance.now() - START) / 1000).toFixed(2).padStart(6);
  console.log(`[${seconds}s] ${message}`);
}

interface Answer {
  text: string;
  seconds: number;
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
"#;

const SEMAPHORE: &str = r#"
/** Lets at most `maxConcurrent` calls run at once; the others wait in line. */
class Semaphore {
  private queue: Array<() => void> = [];
  private active = 0;
  private readonly maxConcurrent: number;

  constructor(maxConcurrent: number) {
    this.maxConcurrent = maxConcurrent;
  }

  async acquire(): Promise<void> {
    if (this.active < this.maxConcurrent) {
      this.active++;
      return;
    }
    return new Promise<void>((resolve) => {
      this.queue.push(() => {
        this.active++;
        resolve();
      });
    });
  }

  release(): void {
    this.active--;
    const next = this.queue.shift();
    if (next) next();
  }
}
"#;

const DESCRIBE: &str = r#"
/** Says in one line why a call failed. */
function describe(error: unknown): string {
  if (error instanceof Anthropic.APIError && error.status !== undefined) {
    return `HTTP ${error.status}: ${error.apiMessage ?? error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
"#;

/// Whether the research calls take the fail-fast stop signal.
fn takes_stop(setup: &Setup<'_>) -> bool {
    setup.fail_fast && setup.has_parallel_run()
}

fn create_message(setup: &Setup<'_>) -> String {
    let stop = takes_stop(setup);
    let mut params = vec!["prompt: string"];
    if setup.system_prompt.is_some() {
        params.push("system?: string");
    }
    if stop {
        params.push("stop?: AbortSignal");
    }
    let signature = format!(
        "async function createMessage(client: Anthropic, {}): Promise<string> {{",
        params.join(", ")
    );
    let signature = if signature.len() <= WIDTH {
        signature
    } else {
        format!(
            "async function createMessage(\n  client: Anthropic,\n{}\n): Promise<string> {{",
            params
                .iter()
                .map(|p| format!("  {p},"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    };
    let timeout = setup.timeout_ms.is_some();
    let i = if timeout { "    " } else { "  " };
    let mut fields = vec!["model: MODEL", "max_tokens: MAX_TOKENS"];
    if setup.system_prompt.is_some() {
        fields.push("system");
    }
    fields.push("messages: [{ role: \"user\", content: prompt }]");
    let signal = match (timeout, stop) {
        (true, true) => Some("{ signal: stop ? AbortSignal.any([timeout, stop]) : timeout }"),
        (true, false) => Some("{ signal: timeout }"),
        (false, true) => Some("{ signal: stop }"),
        (false, false) => None,
    };
    let mut call = String::new();
    match signal {
        Some(signal) => {
            call.push_str(&format!(
                "{i}const message = await client.messages.create(\n"
            ));
            call.push_str(&format!("{i}  {{\n"));
            for field in &fields {
                call.push_str(&format!("{i}    {field},\n"));
            }
            call.push_str(&format!("{i}  }},\n{i}  {signal},\n{i});\n"));
        }
        None => {
            call.push_str(&format!(
                "{i}const message = await client.messages.create({{\n"
            ));
            for field in &fields {
                call.push_str(&format!("{i}  {field},\n"));
            }
            call.push_str(&format!("{i}}});\n"));
        }
    }
    let text = format!(
        "{i}return message.content\n\
         {i}  .map((block) => (block.type === \"text\" ? block.text : \"\"))\n\
         {i}  .join(\"\");\n"
    );
    let body = if timeout {
        format!(
            r#"  // AbortSignal.timeout ends the call when its time is up, retries included.
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  try {{
{call}{text}  }} catch (error) {{
    if (timeout.aborted) {{
      throw new Error(
        `Timed out after ${{TIMEOUT_MS / 1000}} s (the per-call timeout).`,
      );
    }}
    throw error;
  }}
"#
        )
    } else {
        format!("{call}{text}")
    };
    format!(
        "
/** One call to the Messages API with the set-up's model; returns the text. */
{signature}
{body}}}
"
    )
}

fn ask(setup: &Setup<'_>) -> String {
    let stop = takes_stop(setup);
    let mut args = vec!["question"];
    if setup.system_prompt.is_some() {
        args.push("SYSTEM_PROMPT");
    }
    if stop {
        args.push("stop");
    }
    let signature = if stop {
        "async function ask(
  client: Anthropic,
  questionNumber: number,
  question: string,
  stop?: AbortSignal,
): Promise<Answer> {"
    } else {
        "async function ask(
  client: Anthropic,
  questionNumber: number,
  question: string,
): Promise<Answer> {"
    };
    let failed = if stop {
        r#"    const reason = describe(error);
    if (stop?.aborted) {
      log(`Cancelled: ${question}`);
    } else {
      log(`Failed: ${question}: ${reason}`);
    }
"#
    } else {
        r#"    const reason = describe(error);
    log(`Failed: ${question}: ${reason}`);
"#
    };
    format!(
        r#"
/** Asks one research question, logging when it starts and when it ends. */
{signature}
  log(`Asking: ${{question}}`);
  const started = performance.now();
  try {{
    const text = await createMessage(client, {});
    const seconds = (performance.now() - started) / 1000;
    log(`Answered: ${{question}} (${{seconds.toFixed(2)}} s)`);
    return {{ text, seconds }};
  }} catch (error) {{
{failed}    const seconds = (performance.now() - started) / 1000;
    throw new ResearchError(questionNumber, reason, seconds);
  }}
}}
"#,
        args.join(", ")
    )
}

const SEQUENTIAL_SETTLE_ALL: &str = r#"
/** Asks the questions one at a time, each call after the previous one. */
async function researchSequential(
  client: Anthropic,
): Promise<Array<Answer | ResearchError>> {
  const outcomes: Array<Answer | ResearchError> = [];
  for (const [index, question] of QUESTIONS.entries()) {
    try {
      outcomes.push(await ask(client, index + 1, question));
    } catch (error) {
      // settle-all: note the failure and go on.
      outcomes.push(error as ResearchError);
    }
  }
  return outcomes;
}
"#;

const SEQUENTIAL_FAIL_FAST: &str = r#"
/**
 * Asks the questions one at a time, each call after the previous one. The first
 * failure ends the loop (fail-fast).
 */
async function researchSequential(client: Anthropic): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const [index, question] of QUESTIONS.entries()) {
    answers.push(await ask(client, index + 1, question));
  }
  return answers;
}
"#;

fn parallel(setup: &Setup<'_>) -> String {
    let limited = setup.concurrency_limit.is_some();
    let doc = match (limited, setup.fail_fast) {
        (true, false) => "/** Asks every question at once, at most CONCURRENCY_LIMIT at a time. */",
        (false, false) => "/** Asks every question at once. */",
        (true, true) => {
            "/**
 * Asks every question at once, at most CONCURRENCY_LIMIT at a time. The first
 * failure cancels the calls still running (fail-fast).
 */"
        }
        (false, true) => {
            "/**
 * Asks every question at once. The first failure cancels the calls still
 * running (fail-fast).
 */"
        }
    };
    if setup.fail_fast {
        let (semaphore, acquire, release) = if limited {
            (
                "  const semaphore = new Semaphore(CONCURRENCY_LIMIT);\n",
                "    // Waits here while CONCURRENCY_LIMIT calls are in flight.
    await semaphore.acquire();
",
                "    } finally {
      semaphore.release();
",
            )
        } else {
            ("", "", "")
        };
        let not_started = if limited {
            "      // A call still waiting for its turn when another failed never starts.
      stop.signal.throwIfAborted();
"
        } else {
            ""
        };
        format!(
            r#"
{doc}
async function researchParallel(client: Anthropic): Promise<Answer[]> {{
{semaphore}  const stop = new AbortController();
  const calls = QUESTIONS.map(async (question, index) => {{
{acquire}    try {{
{not_started}      return await ask(client, index + 1, question, stop.signal);
    }} catch (error) {{
      stop.abort(); // cancels the calls still running
      throw error;
{release}    }}
  }});
  try {{
    // Promise.all keeps the answers in question order and rejects at the first
    // failure, but does not stop the other calls: aborting `stop` does.
    return await Promise.all(calls);
  }} catch (error) {{
    // Wait until the cancelled calls have stopped.
    await Promise.allSettled(calls);
    throw error;
  }}
}}
"#
        )
    } else {
        let calls = if limited {
            r#"  const semaphore = new Semaphore(CONCURRENCY_LIMIT);
  const results = await Promise.allSettled(
    QUESTIONS.map(async (question, index) => {
      // Waits here while CONCURRENCY_LIMIT calls are in flight.
      await semaphore.acquire();
      try {
        return await ask(client, index + 1, question);
      } finally {
        semaphore.release();
      }
    }),
  );
"#
        } else {
            r#"  const results = await Promise.allSettled(
    QUESTIONS.map((question, index) => ask(client, index + 1, question)),
  );
"#
        };
        format!(
            r#"
{doc}
async function researchParallel(
  client: Anthropic,
): Promise<Array<Answer | ResearchError>> {{
{calls}  // allSettled waits for every call, whatever happens to the others
  // (settle-all), and keeps the results in question order; a failed call
  // rejected with its ResearchError.
  return results.map((result) =>
    result.status === "fulfilled"
      ? result.value
      : (result.reason as ResearchError),
  );
}}
"#
        )
    }
}

const SYNTHESIS_SETTLE_ALL: &str = r#"
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

/** Merges the answers in one more call, if enough of them came back. */
async function synthesize(
  client: Anthropic,
  outcomes: Array<Answer | ResearchError>,
): Promise<Answer | null> {
  const answered = outcomes.filter((o) => !(o instanceof ResearchError)).length;
  if (answered < QUORUM) {
    log(
      `No synthesis: only ${answered} of ${outcomes.length} answers ` +
        `succeeded, and the quorum asks for at least ${QUORUM}.`,
    );
    return null;
  }
  log(`Synthesizing ${answered} of ${outcomes.length} answers`);
  const started = performance.now();
  try {
    const text = await createMessage(client, synthesisPrompt(outcomes));
    const seconds = (performance.now() - started) / 1000;
    log(`Synthesis done (${seconds.toFixed(2)} s)`);
    return { text, seconds };
  } catch (error) {
    log(`Synthesis failed: ${describe(error)}`);
    return null;
  }
}
"#;

const SYNTHESIS_FAIL_FAST: &str = r#"
/**
 * The synthesis request, built as the page builds it: every answer in question
 * order.
 */
function synthesisPrompt(answers: Answer[]): string {
  let prompt = `${SYNTHESIS_INSTRUCTIONS.trim()}\n\n`;
  const total = answers.length;
  prompt += `All ${total} research answers are below, in question order.\n`;
  answers.forEach((answer, index) => {
    prompt += `\n### Question ${index + 1}: ${QUESTIONS[index].trim()}\n`;
    prompt += `${answer.text.trim()}\n`;
  });
  return prompt;
}

/** Merges the answers in one more call. */
async function synthesize(
  client: Anthropic,
  answers: Answer[],
): Promise<Answer | null> {
  log(`Synthesizing ${answers.length} answers`);
  const started = performance.now();
  try {
    const text = await createMessage(client, synthesisPrompt(answers));
    const seconds = (performance.now() - started) / 1000;
    log(`Synthesis done (${seconds.toFixed(2)} s)`);
    return { text, seconds };
  } catch (error) {
    log(`Synthesis failed: ${describe(error)}`);
    return null;
  }
}
"#;

const WORKFLOW_SETTLE_ALL: &str = r#"
/**
 * The research, then the synthesis, printed as they happen. Returns the wall
 * time, or null when there is no synthesis.
 */
async function runWorkflow(
  client: Anthropic,
  research: (client: Anthropic) => Promise<Array<Answer | ResearchError>>,
): Promise<number | null> {
  const started = performance.now();
  const outcomes = await research(client);
  const answered = outcomes.filter((o) => !(o instanceof ResearchError)).length;
  log(`Research done: ${answered} of ${outcomes.length} questions answered.`);
  let callSeconds = outcomes.reduce((sum, outcome) => sum + outcome.seconds, 0);
  const synthesis = await synthesize(client, outcomes);
  if (synthesis) {
    callSeconds += synthesis.seconds;
    console.log(`\n${synthesis.text}\n`);
  }
  const wall = (performance.now() - started) / 1000;
  console.log(
    `Wall time: ${wall.toFixed(2)} s. ` +
      `Sum of call times: ${callSeconds.toFixed(2)} s.`,
  );
  return synthesis ? wall : null;
}
"#;

const WORKFLOW_FAIL_FAST: &str = r#"
/**
 * The research, then the synthesis, printed as they happen. Returns the wall
 * time, or null when there is no synthesis.
 */
async function runWorkflow(
  client: Anthropic,
  research: (client: Anthropic) => Promise<Answer[]>,
): Promise<number | null> {
  const started = performance.now();
  let answers: Answer[];
  try {
    answers = await research(client);
  } catch (error) {
    if (!(error instanceof ResearchError)) throw error;
    log(
      `No synthesis: question ${error.questionNumber} failed ` +
        "and fail-fast stopped the run.",
    );
    const wall = (performance.now() - started) / 1000;
    console.log(`Wall time: ${wall.toFixed(2)} s.`);
    return null;
  }
  const total = answers.length;
  log(`Research done: ${total} of ${total} questions answered.`);
  let callSeconds = answers.reduce((sum, answer) => sum + answer.seconds, 0);
  const synthesis = await synthesize(client, answers);
  if (synthesis) {
    callSeconds += synthesis.seconds;
    console.log(`\n${synthesis.text}\n`);
  }
  const wall = (performance.now() - started) / 1000;
  console.log(
    `Wall time: ${wall.toFixed(2)} s. ` +
      `Sum of call times: ${callSeconds.toFixed(2)} s.`,
  );
  return synthesis ? wall : null;
}
"#;

fn main(setup: &Setup<'_>) -> String {
    let runs = match setup.runs {
        Runs::Parallel => {
            "  if ((await runWorkflow(client, researchParallel)) === null) {
    process.exitCode = 1;
  }
"
        }
        Runs::Sequential => {
            "  if ((await runWorkflow(client, researchSequential)) === null) {
    process.exitCode = 1;
  }
"
        }
        Runs::Both => {
            r#"  console.log("Sequential run: one question at a time");
  const sequential = await runWorkflow(client, researchSequential);
  console.log("\nParallel run: all questions at once");
  const parallel = await runWorkflow(client, researchParallel);
  if (sequential === null || parallel === null) {
    process.exitCode = 1;
    return;
  }
  const speedup = (sequential / parallel).toFixed(1);
  console.log(
    `\nSequential ${sequential.toFixed(2)} s, ` +
      `parallel ${parallel.toFixed(2)} s: ${speedup}x faster in parallel.`,
  );
"#
        }
    };
    format!(
        r#"
async function main(): Promise<void> {{
  const apiKey = process.env.ANTHROPIC_API_KEY;
  if (!apiKey) {{
    console.error("Set ANTHROPIC_API_KEY to your Anthropic API key first.");
    process.exit(1);
  }}
  // The SDK also reads ANTHROPIC_BASE_URL, and retries failed calls MAX_RETRIES
  // times (honouring the server's retry-after).
  const client = new Anthropic({{ apiKey, maxRetries: MAX_RETRIES }});
{runs}}}

main().catch((error) => {{
  console.error(error);
  process.exit(1);
}});
"#
    )
}
