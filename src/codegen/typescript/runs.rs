//! The program's calls and research runs: `ask`, then the questions one at a time or all at
//! once (limited or not, settle-all or fail-fast).

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
