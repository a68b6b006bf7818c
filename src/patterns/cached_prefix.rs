//! Cached prefix (Anthropic prompt caching): N calls — the set-up's questions — share a long
//! prefix, sent as the system prompt marked with `cache_control`. A cache entry becomes
//! available only once the response that wrote it *begins*, so:
//!
//! - **baseline, cold fan-out**: all N at once; none finds the entry, all N pay the write
//!   (1.25× the input price for the 5-minute cache);
//! - **strategy, warm then fan out**: one call first; the other N − 1 start the moment its
//!   first token arrives and read the entry (0.1×). The warm-up's time to first token is what
//!   this costs in wall time.
//!
//! The baseline's prefix and the strategy's each begin with their own tag (and a run nonce), so the baseline cannot warm
//! the cache for the strategy, nor an earlier run (within the cache's five minutes) for this one.

use super::watch::{Flag, Watched};
use super::{both, PatternPlan, PatternReport, PatternRun};
use crate::engine::{CallContext, CallResult, CancelToken, Group};
use crate::providers::ModelRequest;
use futures::future::{join, join_all, select};
use std::rc::Rc;

/// The system prompt of a group's calls: the tag, the set-up's system prompt, the prefix.
pub fn cached_system(tag: &str, system: Option<&str>, prefix: &str) -> String {
    let mut text = format!("[{tag}]\n\n");
    if let Some(system) = system.map(str::trim).filter(|s| !s.is_empty()) {
        text.push_str(system);
        text.push_str("\n\n");
    }
    text.push_str(prefix.trim());
    text
}

/// Anthropic caches only prefixes of at least this many tokens (1,024 for Sonnet and Opus 4;
/// 2,048 for Haiku 3 and 3.5; 4,096 for Opus 4.5 and Haiku 4.5); shorter ones are silently not
/// cached. The simulated model and the mock cache any length.
pub fn minimum_cacheable_tokens(model: &str) -> u64 {
    let name = model.to_ascii_lowercase();
    if name.contains("opus-4-5") || name.contains("haiku-4-5") {
        4096
    } else if name.contains("haiku") {
        2048
    } else {
        1024
    }
}

/// Runs the cold fan-out and the warm-up followed by the fan-out.
pub(super) async fn run(
    run: &PatternRun,
    plan: &PatternPlan,
    cancel: &CancelToken,
) -> PatternReport {
    let questions: Vec<&str> = plan
        .base
        .questions
        .iter()
        .map(String::as_str)
        .filter(|q| !q.trim().is_empty())
        .collect();
    let nonce = run.ctx.rng.borrow_mut().next_u64() % 1_000_000;
    // The warm-up and the fan-out share a tag; the baseline has its own.
    let request = |group: Group, question: &str| {
        let side = if group == Group::Baseline {
            "baseline"
        } else {
            "strategy"
        };
        let tag = format!("run {nonce:06} · {side}");
        let system = cached_system(
            &tag,
            plan.base.system_prompt.as_deref(),
            &plan.settings.shared_prefix,
        );
        let mut request = ModelRequest::ask(
            &plan.base.model,
            Some(&system),
            question,
            plan.base.max_tokens,
        );
        request.temperature = plan.base.temperature;
        request.cache_system = true;
        request
    };
    let label = |i: usize, q: &str| format!("{}: {q}", i + 1);

    let baseline = run.group(Group::Baseline, async {
        let limit = run.group_limit();
        let lanes: Vec<_> = questions
            .iter()
            .enumerate()
            .map(|(i, q)| run.open(Group::Baseline, i, false, None, label(i, q)))
            .collect();
        join_all(lanes.iter().zip(&questions).map(|(lane, q)| {
            run.call(
                &run.ctx,
                *lane,
                request(Group::Baseline, q),
                cancel,
                limit.as_ref(),
            )
        }))
        .await
    });

    let strategy = async {
        let Some((first, rest)) = questions.split_first() else {
            return Vec::new();
        };
        let limit = run.group_limit();
        let limit = limit.as_ref();
        let warm_lane = run.open(Group::Warm, 0, false, None, label(0, first));
        let fan_lanes: Vec<_> = rest
            .iter()
            .enumerate()
            .map(|(i, q)| run.open(Group::FanOut, i + 1, false, None, label(i + 1, q)))
            .collect();
        // The warm-up goes through a provider that says when its first token arrives.
        let watched = Rc::new(Watched::new(run.ctx.provider.clone()));
        let warm_ctx = CallContext {
            provider: watched.clone(),
            ..run.ctx.clone()
        };
        let warm_done = Flag::default();
        let warm = run.group(Group::Warm, async {
            let result = run
                .call(
                    &warm_ctx,
                    warm_lane,
                    request(Group::Warm, first),
                    cancel,
                    limit,
                )
                .await;
            warm_done.set();
            result
        });
        let fan_out = async {
            // The entry is there once the warm-up's response begins; a warm-up that fails
            // before that lets the fan-out go when it ends (the calls then write).
            select(watched.first_token.wait(), warm_done.wait()).await;
            run.group(Group::FanOut, async {
                join_all(fan_lanes.iter().zip(rest).map(|(lane, q)| {
                    run.call(&run.ctx, *lane, request(Group::FanOut, q), cancel, limit)
                }))
                .await
            })
            .await
        };
        let (warm, fanned): (CallResult, Vec<CallResult>) = join(warm, fan_out).await;
        std::iter::once(warm).chain(fanned).collect()
    };

    let (baseline, strategy) = both(plan.base.compare_timing, baseline, strategy).await;
    PatternReport {
        baseline,
        strategy,
        ..PatternReport::default()
    }
}
