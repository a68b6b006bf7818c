//! The program's calls and runs: `ask`, sequential and parallel (limited or not, settle-all or fail-fast), the synthesis and `main`.

use super::*;

pub(super) fn ask(setup: &Setup<'_>) -> String {
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

pub(super) const SEQUENTIAL_SETTLE_ALL: &str = r#"
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

pub(super) const SEQUENTIAL_FAIL_FAST: &str = r#"
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

pub(super) fn parallel(setup: &Setup<'_>) -> String {
    let limited = setup.semaphore_limit().is_some();
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

pub(super) const SYNTHESIS_SETTLE_ALL: &str = r#"
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

pub(super) const SYNTHESIS_FAIL_FAST: &str = r#"
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

pub(super) const WORKFLOW_SETTLE_ALL: &str = r#"
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

pub(super) const WORKFLOW_FAIL_FAST: &str = r#"
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

pub(super) fn main(setup: &Setup<'_>) -> String {
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
    let looped;
    let runs = if setup.rounds > 1 {
        looped = super::super::rounds::typescript::runs(setup);
        looped.as_str()
    } else {
        runs
    };
    let client = if setup.adaptive {
        "  // The SDK also reads ANTHROPIC_BASE_URL. Its own retries are off: admitted()
  // retries, so that the adaptive limit hears of every 429.
  const client = new Anthropic({ apiKey, maxRetries: 0 });"
    } else {
        "  // The SDK also reads ANTHROPIC_BASE_URL, and retries failed calls MAX_RETRIES
  // times (honouring the server's retry-after).
  const client = new Anthropic({ apiKey, maxRetries: MAX_RETRIES });"
    };
    format!(
        r#"
async function main(): Promise<void> {{
  const apiKey = process.env.ANTHROPIC_API_KEY;
  if (!apiKey) {{
    console.error("Set ANTHROPIC_API_KEY to your Anthropic API key first.");
    process.exit(1);
  }}
{client}
{runs}}}

main().catch((error) => {{
  console.error(error);
  process.exit(1);
}});
"#
    )
}
