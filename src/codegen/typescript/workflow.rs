//! The program's ending: the synthesis (its prompt and its call), `runWorkflow` (the research,
//! then the synthesis, with the wall time), and `main`; each for settle-all and fail-fast.

use super::*;

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
