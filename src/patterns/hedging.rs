//! Hedging (Dean & Barroso, "The Tail at Scale"): a call that has not produced its first token
//! (or finished) after a delay gets **one** backup copy; the first of the two to finish wins and
//! the other is cancelled. The delay is fixed, or the 95th percentile of the first-token times
//! seen so far in the run. Baseline: the same calls unhedged — run first when the delay is the
//! p95, so that the strategy has times to learn from.

use super::watch::Watched;
use super::{both, sample_label, PatternPlan, PatternReport, PatternRun};
use crate::engine::{
    CallContext, CallResult, CancelReason, CancelToken, CompareTiming, Group, Semaphore,
};
use futures::future::{join, join_all, select, Either};
use std::cell::RefCell;
use std::pin::pin;
use std::rc::Rc;

/// One hedged call: its first copy, the backup if one was sent, and when.
#[derive(Clone, Debug)]
pub struct HedgeOutcome {
    pub primary: CallResult,
    pub backup: Option<CallResult>,
    /// The delay this call waited (`None`: no delay known yet, so no hedge).
    pub delay_ms: Option<f64>,
}

impl HedgeOutcome {
    /// The copy whose answer is used: the first to finish complete, else the primary.
    pub fn used(&self) -> &CallResult {
        match &self.backup {
            Some(b)
                if b.succeeded()
                    && (!self.primary.succeeded() || b.ended_ms < self.primary.ended_ms) =>
            {
                b
            }
            _ => &self.primary,
        }
    }

    /// From the primary's start to the answer used (`None` if it never started).
    pub fn latency_ms(&self) -> Option<f64> {
        let start = self.primary.started_ms?;
        Some(self.used().ended_ms - start)
    }
}

/// The `p`-th percentile (0–100) of `values`, nearest rank; `None` when empty.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

/// The first-token times (from each copy's start) seen so far.
type Seen = RefCell<Vec<f64>>;

fn record(seen: &Seen, result: &CallResult) {
    if let (Some(start), Some(first)) = (result.started_ms, result.first_token_ms) {
        seen.borrow_mut().push(first - start);
    }
}

pub(super) async fn run(
    run: &PatternRun,
    plan: &PatternPlan,
    cancel: &CancelToken,
) -> PatternReport {
    let n = plan.samples();
    let questions: Vec<&str> = plan.base.questions.iter().map(String::as_str).collect();
    let question = |k: usize| {
        questions
            .get(k % questions.len().max(1))
            .copied()
            .unwrap_or("")
    };
    let seen: Seen = RefCell::new(Vec::new());
    let fixed = plan
        .settings
        .hedge_after_ms
        .filter(|d| d.is_finite() && *d >= 0.0);
    // With the p95 as the delay, the plain calls run first: they are the "calls seen so far".
    let timing = match fixed {
        Some(_) => plan.base.compare_timing,
        None => CompareTiming::OneAfterTheOther,
    };
    let baseline = run.group(Group::Baseline, async {
        let semaphore = run.group_limit();
        let lanes: Vec<_> = (0..n)
            .map(|k| {
                run.open(
                    Group::Baseline,
                    k,
                    false,
                    None,
                    sample_label("Call", k, question(k)),
                )
            })
            .collect();
        join_all(lanes.into_iter().enumerate().map(|(k, lane)| {
            let semaphore = semaphore.as_ref();
            let seen = &seen;
            async move {
                let result = run
                    .call(&run.ctx, lane, plan.request(question(k)), cancel, semaphore)
                    .await;
                record(seen, &result);
                result
            }
        }))
        .await
    });
    let strategy = run.group(Group::Hedge, async {
        let semaphore = run.group_limit();
        let lanes: Vec<_> = (0..n)
            .map(|k| {
                run.open(
                    Group::Hedge,
                    k,
                    false,
                    None,
                    sample_label("Call", k, question(k)),
                )
            })
            .collect();
        join_all(lanes.into_iter().enumerate().map(|(k, lane)| {
            let call = HedgedCall {
                run,
                index: k,
                lane,
                question: question(k),
                semaphore: semaphore.as_ref(),
                cancel,
                seen: &seen,
                fixed,
            };
            call.run(plan)
        }))
        .await
    });
    let (baseline, hedges) = both(timing, baseline, strategy).await;
    PatternReport {
        baseline,
        strategy: hedges.iter().map(|h| h.used().clone()).collect(),
        hedges,
        ..PatternReport::default()
    }
}

struct HedgedCall<'a> {
    run: &'a PatternRun,
    index: usize,
    lane: usize,
    question: &'a str,
    semaphore: Option<&'a Semaphore>,
    cancel: &'a CancelToken,
    seen: &'a Seen,
    fixed: Option<f64>,
}

impl HedgedCall<'_> {
    async fn run(self, plan: &PatternPlan) -> HedgeOutcome {
        let run = self.run;
        let watched = Rc::new(Watched::new(run.ctx.provider.clone()));
        let primary_ctx = CallContext {
            provider: watched.clone(),
            ..run.ctx.clone()
        };
        let primary_cancel = self.cancel.child();
        let backup_cancel = self.cancel.child();
        let request = plan.request(self.question);
        let mut primary = pin!(run.call(
            &primary_ctx,
            self.lane,
            request.clone(),
            &primary_cancel,
            self.semaphore
        ));
        let delay = RefCell::new(None);
        // The delay counts from the moment the request goes out (after any queue).
        let timer = pin!(async {
            watched.started.wait().await;
            let ms = self.fixed.or_else(|| percentile(&self.seen.borrow(), 95.0));
            *delay.borrow_mut() = ms;
            match ms {
                Some(ms) => run.ctx.emitter.clock().sleep(ms).await,
                None => futures::future::pending::<()>().await,
            }
        });
        let outcome = match select(primary.as_mut(), timer).await {
            Either::Left((result, _)) => HedgeOutcome {
                primary: result,
                backup: None,
                delay_ms: *delay.borrow(),
            },
            Either::Right(((), _))
                if watched.first_token.is_set() || self.cancel.is_cancelled() =>
            {
                HedgeOutcome {
                    primary: primary.await,
                    backup: None,
                    delay_ms: *delay.borrow(),
                }
            }
            Either::Right(((), _)) => {
                // One backup copy, never more: the first of the two to finish wins.
                let backup_lane = run.open(
                    Group::Hedge,
                    self.index,
                    true,
                    None,
                    format!("Backup {}: {}", self.index + 1, self.question),
                );
                let primary_lane = self.lane;
                let first = async {
                    let r = primary.await;
                    if r.succeeded() {
                        backup_cancel.cancel(CancelReason::Superseded {
                            winner_lane: primary_lane,
                        });
                    }
                    r
                };
                let second = async {
                    let r = run
                        .call(
                            &run.ctx,
                            backup_lane,
                            request,
                            &backup_cancel,
                            self.semaphore,
                        )
                        .await;
                    if r.succeeded() {
                        primary_cancel.cancel(CancelReason::Superseded {
                            winner_lane: backup_lane,
                        });
                    }
                    r
                };
                let (primary, backup) = join(first, second).await;
                HedgeOutcome {
                    primary,
                    backup: Some(backup),
                    delay_ms: *delay.borrow(),
                }
            }
        };
        record(self.seen, &outcome.primary);
        if let Some(backup) = &outcome.backup {
            record(self.seen, backup);
        }
        outcome
    }
}
