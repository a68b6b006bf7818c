//! The TypeScript program: the official `@anthropic-ai/sdk` on Node, `Promise.allSettled` for
//! settle-all, `Promise.all` with an `AbortController` for fail-fast, seed 002's `Semaphore` for
//! the limit, and `AbortSignal.timeout` for the per-call timeout (seed 000, with seed 002's
//! policies). Formatted as Prettier formats it.

mod limits;
mod runs;
mod workflow;
use super::literal::{split_lines, typescript_string};
use super::Runs;
use super::{comment_block, temperature_note, Setup, SUBSTITUTE_NOTE, TITLE};
use runs::*;
use workflow::*;

/// Prettier's line length.
const WIDTH: usize = 80;

/// The whole program for `setup`.
pub(super) fn program(setup: &Setup<'_>) -> String {
    let mut out = String::new();
    header(&mut out, setup);
    out.push_str("import Anthropic from \"@anthropic-ai/sdk\";\n\n");
    constants(&mut out, setup);
    out.push_str(LOG_AND_TYPES);
    if setup.has_parallel_run() && setup.semaphore_limit().is_some() {
        out.push_str(SEMAPHORE);
    }
    out.push_str(&limits::helpers(setup));
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
    if setup.rounds > 1 {
        out.push_str(super::rounds::typescript::HELPERS);
    }
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
    out.push_str(&limits::constants(setup));
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
    if setup.rounds > 1 {
        out.push_str(&super::rounds::typescript::constant(setup));
    }
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
pub(super) fn string_constant(name: &str, text: &str) -> String {
    joined_string(&format!("const {name} ="), "  ", ";", text)
}

/// `head "…"end` on one line when it fits, else the string on the lines after `head`, indented
/// by `indent` and split into `+`-joined pieces (as Prettier lays out a long concatenation).
/// Used for constants (`const X =` … `;`) and for object fields (`name:` … `,`).
pub(in crate::codegen) fn joined_string(head: &str, indent: &str, end: &str, text: &str) -> String {
    let one_line = format!("{head} {}{end}\n", typescript_string(text));
    if one_line.chars().count() <= WIDTH + 1 {
        return one_line;
    }
    let pieces = split_lines(text, WIDTH - 6 - indent.len());
    if pieces.len() == 1 {
        // One long word: Prettier moves it to its own line.
        return format!("{head}\n{indent}{}{end}\n", typescript_string(text));
    }
    let mut out = format!("{head}\n");
    for (i, piece) in pieces.iter().enumerate() {
        let join = if i + 1 == pieces.len() { end } else { " +" };
        out.push_str(&format!("{indent}{}{join}\n", typescript_string(piece)));
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

pub(super) const SEMAPHORE: &str = r#"
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
    if setup.has_limits() {
        // The plain call under a name of the same length (so the layout stays Prettier's),
        // and `createMessage` sending it within the limits.
        let signature = signature.replacen("createMessage(", "createAttempt(", 1);
        return format!(
            "
/** One attempt at a call to the Messages API with the set-up's model. */
{signature}
{body}}}
{}",
            limits::create_message(setup, &params)
        );
    }
    format!(
        "
/** One call to the Messages API with the set-up's model; returns the text. */
{signature}
{body}}}
"
    )
}
