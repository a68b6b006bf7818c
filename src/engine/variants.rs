//! Variants: up to four versions of one set-up (A–D) that differ in provider, model, system
//! prompt, max tokens or temperature, run on the same questions on one time axis.
//!
//! Each variant has its own [`RunPlan`] and its own provider; they share the run's clock, its time
//! zero and its lane ids, so the timeline draws every variant's rows against one axis and
//! every lane carries its [`Variant`]. [`RunView::only_variant`] and [`variant_figures`] give the
//! figures of one variant for the side-by-side table.

use super::cancel::CancelToken;
use super::event::{Emitter, EventKind, Group, LaneKind, Variant};
use super::figures::RunFigures;
use super::plan::{RunKind, RunPlan};
use super::scheduler::{run_groups, GroupReport, RunEnv};
use super::timeline::{LaneView, RunView};
use crate::providers::Provider;
use futures::future::join_all;
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// One variant of the set-up: its letter, its plan and the provider it calls.
#[derive(Clone)]
pub struct VariantRun {
    pub variant: Variant,
    pub plan: RunPlan,
    pub provider: Rc<dyn Provider>,
}

/// Whether the variants run together or one after the other.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VariantTiming {
    /// All variants start at once (each still behaves as it would alone).
    #[default]
    SameTime,
    /// Variant B starts when A has finished, and so on (no variant slows another down).
    OneAfterTheOther,
}

/// What each variant produced.
#[derive(Clone, Debug, Serialize)]
pub struct VariantReport {
    pub variants: Vec<(Variant, Vec<GroupReport>)>,
    pub cancelled: bool,
}

/// Runs every variant's plan with its own provider on one clock and one lane count. `env`'s
/// provider is not used (each variant brings its own). At most [`Variant::MAX`] variants run;
/// more are ignored.
pub async fn run_variants(
    runs: &[VariantRun],
    timing: VariantTiming,
    env: RunEnv,
    cancel: CancelToken,
) -> VariantReport {
    let runs = &runs[..runs.len().min(Variant::MAX)];
    let emitter = Emitter::new(env.clock.clone(), env.sink.clone());
    let first = runs.first().map(|r| &r.plan);
    emitter.emit(EventKind::RunStarted {
        mode: RunKind::Research(first.map_or(super::plan::RunMode::Parallel, |p| p.mode)),
        questions: first.map_or(0, |p| p.questions.len()),
        model: runs
            .iter()
            .map(|r| format!("{}: {}", r.variant.letter(), r.plan.model))
            .collect::<Vec<_>>()
            .join(" · "),
        concurrency_limit: first.and_then(|p| p.concurrency_limit),
    });
    let one = |run: &VariantRun| {
        let env = RunEnv {
            provider: run.provider.clone(),
            ..env.clone()
        };
        let emitter = emitter.clone();
        let cancel = cancel.clone();
        let run = run.clone();
        async move {
            let groups = run_groups(&run.plan, &env, &cancel, &emitter, run.variant).await;
            (run.variant, groups)
        }
    };
    let variants = match timing {
        VariantTiming::SameTime => join_all(runs.iter().map(one)).await,
        VariantTiming::OneAfterTheOther => {
            let mut done = Vec::with_capacity(runs.len());
            for run in runs {
                done.push(one(run).await);
            }
            done
        }
    };
    let cancelled = cancel.is_cancelled();
    emitter.emit(EventKind::RunFinished { cancelled });
    VariantReport {
        variants,
        cancelled,
    }
}

impl RunView {
    /// The variants that have lanes, in letter order.
    pub fn variants(&self) -> Vec<Variant> {
        let mut seen: Vec<Variant> = self.lanes.iter().map(|l| l.info.variant).collect();
        seen.sort();
        seen.dedup();
        seen
    }

    /// The view of one variant alone: its lanes, and its groups' spans taken from them (a group
    /// starts when its lanes open and ends with its last lane, once every lane has ended and its
    /// synthesis ran or the run is over).
    pub fn only_variant(&self, variant: Variant) -> RunView {
        let lanes: Vec<LaneView> = self
            .lanes
            .iter()
            .filter(|l| l.info.variant == variant)
            .cloned()
            .collect();
        let mut groups = Vec::new();
        for (group, _, _) in &self.groups {
            if groups.iter().any(|(g, _, _)| g == group) {
                continue;
            }
            let of: Vec<&LaneView> = lanes.iter().filter(|l| l.info.group == *group).collect();
            let Some(start) = of.iter().map(|l| l.opened_ms).reduce(f64::min) else {
                continue;
            };
            let has_synthesis = of.iter().any(|l| l.info.kind == LaneKind::Synthesis);
            let all_ended = of.iter().all(|l| l.ended_ms.is_some());
            let end = (all_ended && (has_synthesis || self.finished))
                .then(|| of.iter().filter_map(|l| l.ended_ms).fold(start, f64::max));
            groups.push((*group, start, end));
        }
        let synthesis_skipped = if self.variants().len() <= 1 {
            self.synthesis_skipped.clone()
        } else {
            Vec::new()
        };
        // Field by field: `..self.clone()` would copy every lane (text included) only to drop it.
        RunView {
            lanes,
            mode: self.mode,
            model: self.model.clone(),
            concurrency_limit: self.concurrency_limit,
            groups,
            synthesis_skipped,
            last_event_ms: self.last_event_ms,
            limit_trace: Vec::new(),
            finished: self.finished,
            cancelled: self.cancelled,
        }
    }
}

/// The figures of each variant that ran, in letter order (for the side-by-side table).
pub fn variant_figures(view: &RunView, now_ms: f64) -> Vec<(Variant, RunFigures)> {
    view.variants()
        .into_iter()
        .map(|v| (v, RunFigures::compute(&view.only_variant(v), now_ms)))
        .collect()
}

/// The groups a variant's answers are compared in: parallel when it ran, else sequential.
pub fn answer_group(view: &RunView) -> Group {
    if view.lanes.iter().any(|l| l.info.group == Group::Parallel) {
        Group::Parallel
    } else {
        Group::Sequential
    }
}
