//! The program's limits: the request and token budgets (token buckets that may go into debt,
//! as the page's engine keeps them) and the adaptive concurrency limit (AIMD), with the
//! program's own retries when the limit adapts (so that every 429 reaches it). Laid out as
//! Prettier lays it out.

use super::Setup;

/// The budget constants.
pub(super) fn constants(setup: &Setup<'_>) -> String {
    let mut out = String::new();
    if let Some(n) = setup.requests_per_minute {
        out.push_str(&format!(
            "const REQUESTS_PER_MINUTE = {}; // client-side budget: calls wait, not 429\n",
            super::grouped(u64::from(n))
        ));
    }
    if let Some(n) = setup.tokens_per_minute {
        out.push_str(&format!(
            "const TOKENS_PER_MINUTE = {}; // input (4 characters a token) + MAX_TOKENS\n",
            super::grouped(u64::from(n))
        ));
    }
    if setup.adaptive {
        out.push_str("const INITIAL_LIMIT = 4; // where the adaptive concurrency limit starts\n");
    }
    out
}

const SLEEP: &str = r#"
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
"#;

const TOKEN_BUCKET: &str = r#"
/**
 * A budget per minute that refills continuously, up to one minute's worth.
 * reserve() takes what a call needs at once and says how long to wait (ms) until
 * the bucket has covered it: the bucket may go into debt, so calls start in the
 * order they asked, each as soon as the refill pays for it.
 */
class TokenBucket {
  private readonly capacity: number;
  private readonly perMs: number;
  private level: number;
  private updated = performance.now();

  constructor(perMinute: number) {
    this.capacity = perMinute;
    this.perMs = perMinute / 60_000;
    this.level = perMinute;
  }

  private refill(): void {
    const now = performance.now();
    this.level = Math.min(
      this.capacity,
      this.level + (now - this.updated) * this.perMs,
    );
    this.updated = now;
  }

  reserve(amount: number): number {
    this.refill();
    this.level -= amount;
    return Math.max(0, -this.level / this.perMs);
  }

  /** Gives back what a call reserved but did not use. */
  refund(amount: number): void {
    this.refill();
    this.level = Math.min(this.capacity, this.level + Math.max(0, amount));
  }
}
"#;

const ADAPTIVE_LIMIT: &str = r#"
/**
 * A concurrency limit that finds what the server tolerates, as TCP does (AIMD):
 * one more call per success while calls wait for it (by one per round once the
 * server has refused a call), 30 % fewer on a 429 or 529 (only the first refusal
 * of calls sent under the current limit counts), and no new call until the
 * server's retry-after has passed.
 */
class AdaptiveLimit {
  private readonly ceiling: number;
  private limit: number;
  private slowStart = true;
  private inFlight = 0;
  private epoch = 0;
  private pausedUntil = 0;
  private waiters: Array<() => void> = [];

  constructor(ceiling: number) {
    this.ceiling = ceiling;
    this.limit = Math.min(INITIAL_LIMIT, ceiling);
  }

  private allowed(): number {
    return Math.max(1, Math.floor(this.limit));
  }

  /** Waits for a place; returns the epoch the call is sent in. */
  async acquire(): Promise<number> {
    for (;;) {
      const pause = this.pausedUntil - performance.now();
      if (pause > 0) {
        await sleep(pause);
      } else if (this.inFlight < this.allowed()) {
        this.inFlight++;
        return this.epoch;
      } else {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
      }
    }
  }

  /** A call sent in `epoch` ended: a success, a refusal, or another failure. */
  release(epoch: number, outcome: Outcome, retryAfterMs?: number): void {
    const before = this.allowed();
    const binding = this.waiters.length > 0 || this.inFlight >= before;
    this.inFlight--;
    if (outcome === "overloaded") {
      if (retryAfterMs !== undefined) {
        const resume = performance.now() + Math.min(retryAfterMs, 60_000);
        this.pausedUntil = Math.max(this.pausedUntil, resume);
      }
      if (epoch === this.epoch) {
        this.limit = Math.max(1, this.limit * 0.7);
        this.slowStart = false;
        this.epoch++;
      }
    } else if (outcome === "ok" && binding) {
      const step = this.slowStart ? 1 : 1 / this.limit;
      this.limit = Math.min(this.ceiling, this.limit + step);
    }
    if (this.allowed() !== before) log(`Concurrency limit: ${this.allowed()}`);
    for (let free = this.allowed() - this.inFlight; free > 0; free--) {
      this.waiters.shift()?.();
    }
  }
}

type Outcome = "ok" | "overloaded" | "failed";

/** The server's retry-after in ms, when it sent one. */
function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof Anthropic.APIError)) return undefined;
  const seconds = Number(error.headers?.get("retry-after") ?? Number.NaN);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
"#;

/// Whether calls reserve tokens (only a token budget needs the count).
fn counts_tokens(setup: &Setup<'_>) -> bool {
    setup.tokens_per_minute.is_some()
}

/// The classes, the budgets' instances and `admitted`, which sends one call within the
/// limits.
pub(super) fn helpers(setup: &Setup<'_>) -> String {
    if !setup.has_limits() {
        return String::new();
    }
    let tokens = counts_tokens(setup);
    let budgets = setup.requests_per_minute.is_some() || tokens;
    let mut out = SLEEP.to_string();
    if tokens {
        out.push_str(
            r#"
/** What a call may spend: its input (about four characters a token) and MAX_TOKENS. */
function reservedTokens(prompt: string, system = ""): number {
  return Math.ceil((prompt.length + system.length) / 4) + MAX_TOKENS;
}
"#,
        );
    }
    if budgets {
        out.push_str(TOKEN_BUCKET);
    }
    if setup.adaptive {
        out.push_str(ADAPTIVE_LIMIT);
    }
    out.push('\n');
    if setup.requests_per_minute.is_some() {
        out.push_str("const REQUEST_BUDGET = new TokenBucket(REQUESTS_PER_MINUTE);\n");
    }
    if tokens {
        out.push_str("const TOKEN_BUDGET = new TokenBucket(TOKENS_PER_MINUTE);\n");
    }
    if setup.adaptive {
        let ceiling = if setup.has_parallel_run() && setup.concurrency_limit.is_some() {
            "CONCURRENCY_LIMIT"
        } else {
            "Infinity"
        };
        out.push_str(&format!("const LIMIT = new AdaptiveLimit({ceiling});\n"));
    }
    let (param, arg) = if tokens {
        ("tokens: number", "tokens")
    } else {
        ("", "")
    };
    if budgets {
        let wait = match (setup.requests_per_minute.is_some(), tokens) {
            (true, true) => {
                "  const wait = Math.max(
    REQUEST_BUDGET.reserve(1),
    TOKEN_BUDGET.reserve(tokens),
  );"
            }
            (true, false) => "  const wait = REQUEST_BUDGET.reserve(1);",
            _ => "  const wait = TOKEN_BUDGET.reserve(tokens);",
        };
        out.push_str(&format!(
            r#"
/** Reserves one request and waits until the budgets cover it. */
async function waitForBudgets({param}): Promise<void> {{
{wait}
  if (wait > 0) await sleep(wait);
}}
"#
        ));
    }
    let take = if budgets {
        format!("await waitForBudgets({arg});\n")
    } else {
        String::new()
    };
    let refund = if tokens {
        "// Gives back what the answer did not use (about four characters a token).
TOKEN_BUDGET.refund(MAX_TOKENS - Math.ceil(text.length / 4));
"
    } else {
        ""
    };
    let indent =
        |text: &str, by: &str| -> String { text.lines().map(|l| format!("{by}{l}\n")).collect() };
    let params = if tokens {
        "(\n  send: () => Promise<string>,\n  tokens: number,\n): Promise<string> {"
    } else {
        "(send: () => Promise<string>): Promise<string> {"
    };
    if setup.adaptive {
        out.push_str(&format!(
            r#"
/**
 * Sends one call within the limits, retrying rate limits, overloads, server
 * errors and lost connections itself (with the server's retry-after, or a
 * backoff), so that every refusal reaches the adaptive limit.
 */
async function admitted{params}
  for (let attempt = 0; ; attempt++) {{
{take}    const epoch = await LIMIT.acquire();
    try {{
      const text = await send();
      LIMIT.release(epoch, "ok");
{refund}      return text;
    }} catch (error) {{
      const status =
        error instanceof Anthropic.APIError ? error.status : undefined;
      const overloaded = status === 429 || status === 529;
      const wait = retryAfterMs(error);
      LIMIT.release(epoch, overloaded ? "overloaded" : "failed", wait);
      const retryable =
        overloaded ||
        (status !== undefined && status >= 500) ||
        error instanceof Anthropic.APIConnectionError;
      if (attempt >= MAX_RETRIES || !retryable) throw error;
      await sleep(wait ?? 500 * 2 ** attempt);
    }}
  }}
}}
"#,
            take = indent(&take, "    "),
            refund = indent(refund, "      "),
        ));
    } else {
        out.push_str(&format!(
            r#"
/** Sends one call once the budgets cover it. */
async function admitted{params}
{take}  const text = await send();
{refund}  return text;
}}
"#,
            take = indent(&take, "  "),
            refund = indent(refund, "  "),
        ));
    }
    out
}

/// `createMessage` when calls wait for the limits: it hands `createAttempt` (the plain call,
/// under another name of the same length) to `admitted`. `params` are its parameters, as
/// `createAttempt` takes them.
pub(super) fn create_message(setup: &Setup<'_>, params: &[&str]) -> String {
    let names: Vec<&str> = params
        .iter()
        .map(|p| p.split([':', '?']).next().unwrap_or(p))
        .collect();
    let signature = format!(
        "async function createMessage(client: Anthropic, {}): Promise<string> {{",
        params.join(", ")
    );
    let signature = if signature.len() <= super::WIDTH {
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
    let tokens = if counts_tokens(setup) {
        let system = if setup.system_prompt.is_some() {
            ", system"
        } else {
            ""
        };
        (
            format!("  const tokens = reservedTokens(prompt{system});\n"),
            ", tokens",
        )
    } else {
        (String::new(), "")
    };
    format!(
        r#"
/**
 * One call to the Messages API within the limits: it waits for the budgets and
 * the adaptive limit, then sends; returns the text.
 */
{signature}
{}  const send = () => createAttempt(client, {});
  return admitted(send{});
}}
"#,
        tokens.0,
        names.join(", "),
        tokens.1
    )
}
