//! The program's limits: the request and token budgets (token buckets that may go into debt,
//! as the page's engine keeps them) and the adaptive concurrency limit (AIMD), with the
//! program's own retries when the limit adapts (so that every 429 reaches it).

use super::Setup;

/// The budget constants.
pub(super) fn constants(setup: &Setup<'_>) -> String {
    let mut out = String::new();
    if let Some(n) = setup.requests_per_minute {
        out.push_str(&format!(
            "REQUESTS_PER_MINUTE = {n}  # client-side budget: calls wait, not 429\n"
        ));
    }
    if let Some(n) = setup.tokens_per_minute {
        out.push_str(&format!(
            "TOKENS_PER_MINUTE = {n}  # input (about 4 characters a token) + MAX_TOKENS\n"
        ));
    }
    if setup.adaptive {
        out.push_str("INITIAL_LIMIT = 4  # where the adaptive concurrency limit starts\n");
    }
    out
}

const TOKEN_BUCKET: &str = r#"
class TokenBucket:
    """A budget per minute that refills continuously, up to one minute's worth.

    reserve() takes what a call needs at once and says how long to wait until the bucket
    has covered it: the bucket may go into debt, so calls start in the order they asked,
    each as soon as the refill pays for it."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.level = float(per_minute)
        self.per_second = per_minute / 60.0
        self.updated = time.perf_counter()

    def _refill(self) -> None:
        now = time.perf_counter()
        self.level = min(
            self.capacity, self.level + (now - self.updated) * self.per_second
        )
        self.updated = now

    def reserve(self, amount: float) -> float:
        self._refill()
        self.level -= amount
        return max(0.0, -self.level / self.per_second)

    def refund(self, amount: float) -> None:
        """Gives back what a call reserved but did not use."""
        self._refill()
        self.level = min(self.capacity, self.level + max(0.0, amount))

"#;

const ADAPTIVE_LIMIT: &str = r#"
class AdaptiveLimit:
    """A concurrency limit that finds what the server tolerates, as TCP does (AIMD).

    One more call per success while calls wait for it (by one per round once the server
    has refused a call), 30 % fewer on a 429 or 529 (only the first refusal of calls
    sent under the current limit counts), and no new call until the server's
    retry-after has passed."""

    def __init__(self, ceiling: float) -> None:
        self.ceiling = ceiling
        self.limit = float(min(INITIAL_LIMIT, ceiling))
        self.slow_start = True
        self.in_flight = 0
        self.epoch = 0
        self.paused_until = 0.0
        self.waiters: deque[asyncio.Future] = deque()

    def allowed(self) -> int:
        return max(1, int(self.limit))

    async def acquire(self) -> int:
        """Waits for a place; returns the epoch the call is sent in."""
        while True:
            pause = self.paused_until - time.perf_counter()
            if pause > 0:
                await asyncio.sleep(pause)
            elif self.in_flight < self.allowed():
                self.in_flight += 1
                return self.epoch
            else:
                waiter = asyncio.get_running_loop().create_future()
                self.waiters.append(waiter)
                try:
                    await waiter
                finally:
                    if waiter in self.waiters:
                        self.waiters.remove(waiter)

    def release(
        self, epoch: int, overloaded: bool = False, retry_after: float | None = None
    ) -> None:
        """A call sent in `epoch` ended: a success, or refused as overloaded."""
        before = self.allowed()
        binding = bool(self.waiters) or self.in_flight >= before
        self.in_flight -= 1
        if overloaded:
            if retry_after:
                resume = time.perf_counter() + min(retry_after, 60.0)
                self.paused_until = max(self.paused_until, resume)
            if epoch == self.epoch:
                self.limit = max(1.0, self.limit * 0.7)
                self.slow_start = False
                self.epoch += 1
        elif binding:
            step = 1.0 if self.slow_start else 1.0 / self.limit
            self.limit = min(self.ceiling, self.limit + step)
        if self.allowed() != before:
            log(f"Concurrency limit: {self.allowed()}")
        for _ in range(max(0, self.allowed() - self.in_flight)):
            if self.waiters:
                waiter = self.waiters.popleft()
                if not waiter.done():
                    waiter.set_result(None)


def retry_after_s(error: Exception) -> float | None:
    """The server's retry-after, in seconds, when it sent one."""
    response = getattr(error, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None

"#;

const RESERVED_TOKENS: &str = r#"
def reserved_tokens(prompt: str, options: dict) -> int:
    """What a call may spend: its input (about four characters a token) and MAX_TOKENS."""
    chars = len(prompt) + len(options.get("system", ""))
    return math.ceil(chars / 4) + MAX_TOKENS

"#;

/// The imports the limits need, beside the program's own
/// (after `import asyncio`, before `from dataclasses …`), in isort's order.
pub(super) fn imports(setup: &Setup<'_>) -> (&'static str, &'static str) {
    let math = if setup.has_limits() {
        "import math\n"
    } else {
        ""
    };
    let deque = if setup.adaptive {
        "from collections import deque\n"
    } else {
        ""
    };
    (math, deque)
}

/// The classes and `admitted`, which sends one call within the limits.
pub(super) fn helpers(setup: &Setup<'_>) -> String {
    if !setup.has_limits() {
        return String::new();
    }
    let budgets = setup.requests_per_minute.is_some() || setup.tokens_per_minute.is_some();
    let mut out = RESERVED_TOKENS.to_string();
    if budgets {
        out.push_str(TOKEN_BUCKET);
    }
    if setup.adaptive {
        out.push_str(ADAPTIVE_LIMIT);
    }
    out.push_str(
        "
# Made in main(), inside the event loop.
",
    );
    if setup.requests_per_minute.is_some() {
        out.push_str("REQUEST_BUDGET: TokenBucket | None = None\n");
    }
    if setup.tokens_per_minute.is_some() {
        out.push_str("TOKEN_BUDGET: TokenBucket | None = None\n");
    }
    if setup.adaptive {
        out.push_str("LIMIT: AdaptiveLimit | None = None\n");
    }
    if budgets {
        let mut waits = Vec::new();
        if setup.requests_per_minute.is_some() {
            waits.push("REQUEST_BUDGET.reserve(1)");
        }
        if setup.tokens_per_minute.is_some() {
            waits.push("TOKEN_BUDGET.reserve(tokens)");
        }
        out.push_str(&format!(
            r#"

async def wait_for_budgets(tokens: int) -> None:
    """Reserves one request of `tokens` and waits until the budgets cover it."""
    wait = max({})
    if wait > 0:
        await asyncio.sleep(wait)
"#,
            if waits.len() == 1 {
                format!("0.0, {}", waits[0])
            } else {
                waits.join(", ")
            }
        ));
    }
    let take = if budgets {
        "        await wait_for_budgets(tokens)\n"
    } else {
        ""
    };
    let take_once = if budgets {
        "    await wait_for_budgets(tokens)\n"
    } else {
        ""
    };
    let refund = if setup.tokens_per_minute.is_some() {
        "    used = message.usage.input_tokens + message.usage.output_tokens
    TOKEN_BUDGET.refund(tokens - used)
"
    } else {
        ""
    };
    if setup.adaptive {
        out.push_str(&format!(
            r#"

async def admitted(send, tokens: int):
    """Sends one call within the limits, retrying rate limits, overloads, server
    errors and lost connections itself (with the server's retry-after, or a
    backoff), so that every refusal reaches the adaptive limit."""
    for attempt in range(MAX_RETRIES + 1):
{take}        epoch = await LIMIT.acquire()
        try:
            message = await send()
        except (anthropic.APIStatusError, anthropic.APIConnectionError) as error:
            status = getattr(error, "status_code", None)
            overloaded = status in (429, 529)
            wait = retry_after_s(error)
            LIMIT.release(epoch, overloaded, wait)
            retryable = status is None or status >= 500 or overloaded
            if attempt == MAX_RETRIES or not retryable:
                raise
            await asyncio.sleep(wait if wait is not None else 0.5 * 2**attempt)
            continue
        except BaseException:
            LIMIT.release(epoch)
            raise
        LIMIT.release(epoch)
        break
{refund}    return message

"#
        ));
    } else {
        out.push_str(&format!(
            r#"

async def admitted(send, tokens: int):
    """Sends one call once the budgets cover it."""
{take_once}    message = await send()
{refund}    return message

"#
        ));
    }
    out
}

/// The lines at the top of `main()` that make the buckets and the limit.
pub(super) fn init(setup: &Setup<'_>) -> String {
    let mut names = Vec::new();
    let mut lines = String::new();
    if setup.requests_per_minute.is_some() {
        names.push("REQUEST_BUDGET");
        lines.push_str("    REQUEST_BUDGET = TokenBucket(REQUESTS_PER_MINUTE)\n");
    }
    if setup.tokens_per_minute.is_some() {
        names.push("TOKEN_BUDGET");
        lines.push_str("    TOKEN_BUDGET = TokenBucket(TOKENS_PER_MINUTE)\n");
    }
    if setup.adaptive {
        names.push("LIMIT");
        let ceiling = if setup.has_parallel_run() && setup.concurrency_limit.is_some() {
            "CONCURRENCY_LIMIT"
        } else {
            "float(\"inf\")"
        };
        lines.push_str(&format!("    LIMIT = AdaptiveLimit({ceiling})\n"));
    }
    if names.is_empty() {
        return String::new();
    }
    format!("    global {}\n{lines}", names.join(", "))
}
