//! The explain panel's sentences about limits, with the run's own numbers: server slots (calls
//! answered in waves of k, and the setting that changes k on each local server), calls that
//! waited for a budget, the adaptive limit, streams a server cut when another request arrived,
//! and token counts the server did not report.

use crate::base::seconds_text;
use crate::engine::{Group, LaneStatus, Outcome, QueueReason, RunFigures, RunView, Waves};
use crate::explain::Explanation;
use crate::providers::ProviderError;

/// Every limits sentence that applies to the finished run in `view`.
pub fn explain_limits(view: &RunView, figures: &RunFigures) -> Vec<Explanation> {
    [
        server_slots(view),
        budgets(view),
        adaptive(view),
        interrupted(view),
        unreported_tokens(figures),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// "About k at a time": the staircase of first tokens, and what to change on each server.
pub fn server_slots(view: &RunView) -> Option<Explanation> {
    let waves = Waves::of_group(view, Group::Parallel)?;
    let k = waves.per_wave;
    let browser = if k == 6 {
        " Six at a time is also what a browser allows per HTTP/1.1 server (six connections): \
         if the network phases show calls stalled, that is the limit instead."
    } else {
        ""
    };
    Some(Explanation {
        title: "The server ran the calls a few at a time",
        text: format!(
            "The server answered about {k} at a time: the {} calls were sent together, but never \
             more than {k} streamed at once, and each later call's first token came only after \
             another call ended — {} waves. A local server generates for a fixed number of \
             requests at once and queues the rest inside itself, which the page sees only as a \
             long time to first token. To run more at once: llama.cpp `llama-server --parallel N` \
             (the context `-c` is shared between the slots), Ollama `OLLAMA_NUM_PARALLEL=N`, \
             LM Studio's parallel-requests setting (max concurrent predictions), vLLM \
             `--max-num-seqs N`.{browser}",
            waves.calls, waves.waves
        ),
    })
}

/// Calls that waited for the request or token budget instead of being sent into a 429.
pub fn budgets(view: &RunView) -> Option<Explanation> {
    let waited: Vec<(QueueReason, f64)> = view
        .lanes
        .iter()
        .filter_map(|l| {
            let reason = l.waited_for.filter(|r| *r != QueueReason::Permit)?;
            Some((
                reason,
                l.started_ms.unwrap_or(view.last_event_ms) - l.opened_ms,
            ))
        })
        .collect();
    if waited.is_empty() {
        return None;
    }
    let count = |reason| waited.iter().filter(|(r, _)| *r == reason).count();
    let longest = waited.iter().map(|(_, w)| *w).fold(0.0, f64::max);
    let parts: Vec<String> = [
        (QueueReason::Tokens, "the token budget"),
        (QueueReason::Requests, "the request budget"),
    ]
    .into_iter()
    .filter(|(r, _)| count(*r) > 0)
    .map(|(r, name)| format!("{} for {name}", count(r)))
    .collect();
    Some(Explanation {
        title: "Calls waited for the budget",
        text: format!(
            "{} calls waited ({}) instead of being sent into a 429; the longest waited {}. A \
             budget is a bucket that refills continuously: a minute's worth at once, then as \
             fast as it refills.",
            waited.len(),
            parts.join(", "),
            seconds_text(longest)
        ),
    })
}

fn is_overload(error: &ProviderError) -> bool {
    matches!(
        error,
        ProviderError::Http {
            status: 429 | 529,
            ..
        }
    )
}

/// Attempts the server refused with 429 or 529 (retried ones and final refusals).
pub fn refusals(view: &RunView) -> usize {
    view.lanes
        .iter()
        .map(|l| {
            let retried = l
                .retry_errors
                .iter()
                .filter(|(_, m)| m.contains("429") || m.contains("529"))
                .count();
            let final_refusal =
                matches!(&l.outcome, Some(Outcome::Failed { error }) if is_overload(error));
            retried + usize::from(final_refusal)
        })
        .sum()
}

/// The adaptive limit: where it started and ended, and how many calls the server refused.
pub fn adaptive(view: &RunView) -> Option<Explanation> {
    let first = view.limit_trace.first()?.2;
    let last = view.limit_trace.last()?.2;
    let highest = view.limit_trace.iter().map(|t| t.2).max().unwrap_or(last);
    let refusals = refusals(view);
    Some(Explanation {
        title: "The adaptive limit",
        text: format!(
            "The limit started at {first} and ended at {last} (highest {highest}); the server \
             refused {refusals} attempts with 429 or 529. It grows by one call per success \
             while calls wait for it and falls by 30 % on an overload, holding new calls back \
             for the server's retry-after — additive increase, multiplicative decrease, as TCP \
             finds a network's capacity."
        ),
    })
}

/// Parallel calls whose streams the server closed as another request arrived.
pub fn interrupted(view: &RunView) -> Option<Explanation> {
    let lanes = view.question_lanes(Group::Parallel);
    // Every attempt's start (a retry is a new request too).
    let attempt_starts = |l: &crate::engine::LaneView| -> Vec<f64> {
        l.phases
            .iter()
            .filter(|p| p.status == LaneStatus::Waiting)
            .map(|p| p.start_ms)
            .collect()
    };
    let starts: Vec<f64> = lanes.iter().flat_map(|l| attempt_starts(l)).collect();
    let cut = lanes
        .iter()
        .filter(|l| {
            // A cut stream; or, when the server closed the connection before its first bytes
            // went out (a busy server may), a connection that closed without an answer.
            matches!(
                &l.outcome,
                Some(Outcome::Failed {
                    error: ProviderError::StreamCut { .. } | ProviderError::Network { .. }
                })
            )
        })
        .filter(|l| {
            let own = attempt_starts(l).last().copied().or(l.started_ms);
            let (Some(own), Some(end)) = (own, l.ended_ms) else {
                return false;
            };
            // Another request went out after this one's last attempt and shortly before it
            // was cut.
            starts.iter().any(|s| *s > own && (end - s).abs() <= 1000.0)
        })
        .count();
    let failed = lanes
        .iter()
        .filter(|l| l.status == LaneStatus::Failed)
        .count();
    if cut == 0 {
        return None;
    }
    Some(Explanation {
        title: "The server cut streams when another request arrived",
        text: format!(
            "{cut} of the {} parallel calls were cut by the server (the stream closed without \
             its end) as another request arrived; {failed} failed in all. Some servers answer \
             one request at a time and drop the running one for the newest: llama-cpp-python's \
             server does so by default (start it with `--interrupt_requests False` to queue \
             instead). Figures that compare this run with a sequential one would compare unlike \
             work.",
            lanes.len()
        ),
    })
}

/// Token counts the server did not report, and the estimates shown instead.
pub fn unreported_tokens(figures: &RunFigures) -> Option<Explanation> {
    let calls: usize = figures
        .token_estimates
        .iter()
        .map(|e| e.unreported_calls)
        .sum();
    if calls == 0 {
        return None;
    }
    let tokens_in: u64 = figures.token_estimates.iter().map(|e| e.tokens_in).sum();
    let tokens_out: u64 = figures.token_estimates.iter().map(|e| e.tokens_out).sum();
    Some(Explanation {
        title: "Token counts were not reported",
        text: format!(
            "The server reported no token usage for {calls} calls that streamed text (some \
             local servers, such as llama-cpp-python's, ignore `stream_options.include_usage`): \
             their tokens are not known. Estimated at about four characters a token: about \
             {tokens_in} in and {tokens_out} out."
        ),
    })
}

/// The rate-limit headers of one call, for its details: what was left of each budget and when
/// it resets, or — over HTTP, once the call got an answer — that the page could not read them.
/// `None` for a call that has none to tell (simulated, or still waiting).
pub fn rate_limit_details(lane: &crate::engine::LaneView, over_http: bool) -> Option<String> {
    use crate::wire::RateLimitBudget;
    let Some(info) = lane.rate_limit.as_ref() else {
        return (over_http && lane.ended_ms.is_some()).then(|| {
            "Rate limit: the page could not read this call's rate-limit headers — the server \
             sent none, or did not list them in Access-Control-Expose-Headers, so the browser \
             hides them."
                .to_string()
        });
    };
    let budget = |name: &str, b: &RateLimitBudget| -> Option<String> {
        let left = match (b.remaining, b.limit) {
            (Some(r), Some(l)) => format!("{r} of {l} {name} left"),
            (Some(r), None) => format!("{r} {name} left"),
            (None, Some(l)) => format!("a limit of {l} {name}"),
            (None, None) => name.to_string(),
        };
        let reset = b
            .reset_in_ms
            .map(|ms| format!(", full again in {}", seconds_text(ms)));
        (b.remaining.is_some() || b.limit.is_some() || b.reset_in_ms.is_some())
            .then(|| format!("{left}{}", reset.unwrap_or_default()))
    };
    let mut parts: Vec<String> = [
        budget("requests", &info.requests),
        budget("tokens", &info.tokens),
        budget("input tokens", &info.input_tokens),
        budget("output tokens", &info.output_tokens),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(ms) = info.retry_after_ms {
        parts.push(format!("retry after {}", seconds_text(ms)));
    }
    Some(format!("Rate limit after this call: {}.", parts.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::*;
    use crate::providers::simulated::{ServerCapacity, SimulatedProvider, SimulationSettings};
    use std::cell::RefCell;
    use std::rc::Rc;

    fn simulated_run(plan: RunPlan, server: ServerCapacity) -> RunView {
        let clock = VirtualClock::new();
        let settings = SimulationSettings {
            server,
            ..SimulationSettings::default()
        };
        let provider = SimulatedProvider::new(Rc::new(clock.clone()), settings);
        let events = Rc::new(RefCell::new(Vec::new()));
        let sink = events.clone();
        let env = RunEnv {
            clock: Rc::new(clock.clone()),
            provider: Rc::new(provider),
            sink: Rc::new(move |e| sink.borrow_mut().push(e)),
            jitter_seed: 1,
        };
        run_virtual(
            &clock,
            async move { run(&plan, env, CancelToken::new()).await },
        )
        .expect("the run ends");
        let view = RunView::from_events(events.borrow().iter());
        view
    }

    fn eight_questions() -> Vec<String> {
        (0..8).map(|i| format!("What is fact {i}?")).collect()
    }

    #[test]
    fn two_slots_are_named_about_two_at_a_time_with_the_settings() {
        let plan = RunPlan {
            questions: eight_questions(),
            ..RunPlan::default()
        };
        let view = simulated_run(
            plan,
            ServerCapacity {
                max_concurrent: None,
                slots: Some(2),
            },
        );
        let text = server_slots(&view).expect("waves").text;
        assert!(text.contains("about 2 at a time"), "{text}");
        assert!(text.contains("--parallel N") && text.contains("OLLAMA_NUM_PARALLEL"));
        assert!(text.contains("4 waves"), "{text}");
    }

    #[test]
    fn budgets_and_the_adaptive_limit_are_told_with_the_runs_numbers() {
        let plan = RunPlan {
            questions: eight_questions(),
            limits: ClientLimits {
                requests_per_minute: Some(4),
                adaptive: true,
                ..ClientLimits::default()
            },
            ..RunPlan::default()
        };
        let view = simulated_run(plan, ServerCapacity::default());
        let figures = RunFigures::compute(&view, view.last_event_ms);
        let texts: Vec<String> = explain_limits(&view, &figures)
            .into_iter()
            .map(|e| e.text)
            .collect();
        assert!(
            texts.iter().any(|t| t.contains("for the request budget")),
            "{texts:?}"
        );
        assert!(
            texts.iter().any(|t| t.contains("The limit started at 4")),
            "{texts:?}"
        );
        assert!(server_slots(&view).is_none());
    }
}
