//! Patterns of parallel calls beyond sectioning — voting, racing, hedging, map-reduce, a cached
//! prefix — each run as its **baseline** (the plain way) and its **strategy** on one clock, as
//! groups of one run, so the page draws both on one time axis.
//!
//! Pure like the engine: a [`PatternPlan`] in, the engine's events out (through [`RunEnv`]),
//! tested natively with virtual time. Each pattern lives in its own file; this module holds what
//! they share: the settings, the plan, and [`PatternRun`], which opens lanes and runs calls
//! through the run's admission (budgets, limits) like the research scheduler does.

pub mod cached_prefix;
pub mod chunking;
mod explain;
pub mod extract;
pub mod hedge_rounds;
mod hedging;
pub mod judge;
pub mod map_cache_summary;
pub mod map_reduce;
mod racing;
pub mod summary;
mod voting;
mod watch;

pub use explain::explain;
pub use extract::{extract, normalize, tally, Extraction, Tally};
pub use hedging::{percentile, HedgeOutcome};
pub use summary::{summarize, Contestant, GroupSummary, HedgeSummary, PatternSummary, RaceSummary};

use crate::base::SplitMix64;
use crate::engine::{
    run_admitted_call, CallAdmission, CallContext, CallResult, CancelToken, CompareTiming, Emitter,
    EventKind, Group, LaneId, LaneInfo, LaneKind, RunEnv, RunKind, RunPlan, Semaphore, Variant,
    VariantRun,
};
use crate::providers::ModelRequest;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

/// A pattern of parallel calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pattern {
    /// Different questions at once, then a synthesis (the page's compare).
    #[default]
    Sectioning,
    Voting,
    Racing,
    Hedging,
    MapReduce,
    CachedPrefix,
}

impl Pattern {
    /// Every pattern, in menu order.
    pub const ALL: [Pattern; 6] = [
        Pattern::Sectioning,
        Pattern::Voting,
        Pattern::Racing,
        Pattern::Hedging,
        Pattern::MapReduce,
        Pattern::CachedPrefix,
    ];

    /// The value of `pattern-select` and of saved workspaces.
    pub fn as_str(self) -> &'static str {
        match self {
            Pattern::Sectioning => "sectioning",
            Pattern::Voting => "voting",
            Pattern::Racing => "racing",
            Pattern::Hedging => "hedging",
            Pattern::MapReduce => "map-reduce",
            Pattern::CachedPrefix => "cached-prefix",
        }
    }

    /// Parses [`Pattern::as_str`].
    pub fn parse(value: &str) -> Option<Pattern> {
        Pattern::ALL.into_iter().find(|p| p.as_str() == value)
    }

    /// The name a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Pattern::Sectioning => "Sectioning (different questions, then a synthesis)",
            Pattern::Voting => "Voting (the same question N times, majority)",
            Pattern::Racing => "Racing (first of N wins)",
            Pattern::Hedging => "Hedging (a backup copy after a delay)",
            Pattern::MapReduce => "Map-reduce over a document",
            Pattern::CachedPrefix => "Cached prefix (warm one, then fan out)",
        }
    }

    /// The group of the strategy's calls (map-reduce also has [`Group::Reduce`], the cached
    /// prefix [`Group::Warm`] before it).
    pub fn strategy_group(self) -> Group {
        match self {
            Pattern::Sectioning => Group::Parallel,
            Pattern::Voting => Group::Vote,
            Pattern::Racing => Group::Race,
            Pattern::Hedging => Group::Hedge,
            Pattern::MapReduce => Group::Map,
            Pattern::CachedPrefix => Group::FanOut,
        }
    }
}

/// The settings of the patterns (each pattern reads its own; all are kept in the workspace).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PatternSettings {
    pub pattern: Pattern,
    /// N: voting samples, racing contestants, hedged calls.
    pub samples: usize,
    /// How a voting answer's final result is read.
    pub extraction: Extraction,
    /// Hedging: the delay before a backup copy; `None` is the p95 of the calls seen so far.
    pub hedge_after_ms: Option<f64>,
    /// Map-reduce: the text to split.
    pub document: String,
    /// Map-reduce: the largest chunk, in characters.
    pub chunk_size: usize,
    /// Map-reduce: how many results one reduce call merges.
    pub reduce_fan_in: usize,
    /// Cached prefix: the long prefix the calls share.
    pub shared_prefix: String,
    /// Voting: a judge call reads the N answers and names the result, instead of a majority.
    pub judge: bool,
}

/// Default N of voting, racing and hedging.
pub const DEFAULT_SAMPLES: usize = 5;
/// Most samples of one pattern run.
pub const MAX_SAMPLES: usize = 50;
/// The temperature of sampled calls when the set-up gives none (voting needs one above 0).
pub const SAMPLING_TEMPERATURE: f32 = 1.0;

impl Default for PatternSettings {
    fn default() -> Self {
        PatternSettings {
            pattern: Pattern::Sectioning,
            samples: DEFAULT_SAMPLES,
            extraction: Extraction::Number,
            hedge_after_ms: None,
            document: String::new(),
            chunk_size: 1200,
            reduce_fan_in: 4,
            shared_prefix: String::new(),
            judge: false,
        }
    }
}

/// A pattern run: the research plan it borrows its questions, model and policies from, and the
/// pattern's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PatternPlan {
    pub base: RunPlan,
    pub settings: PatternSettings,
}

impl PatternPlan {
    pub fn pattern(&self) -> Pattern {
        self.settings.pattern
    }

    /// N, kept between 1 and [`MAX_SAMPLES`].
    pub fn samples(&self) -> usize {
        self.settings.samples.clamp(1, MAX_SAMPLES)
    }

    /// The first question: the one voting and racing ask N times.
    pub fn question(&self) -> &str {
        self.base.questions.first().map_or("", String::as_str)
    }

    /// The request of one call of `question`, at the sampling temperature.
    pub fn request(&self, question: &str) -> ModelRequest {
        let mut request = ModelRequest::ask(
            &self.base.model,
            self.base.system_prompt.as_deref(),
            question,
            self.base.max_tokens,
        );
        request.temperature = Some(
            self.base
                .temperature
                .filter(|t| *t > 0.0)
                .unwrap_or(SAMPLING_TEMPERATURE),
        );
        request
    }
}

/// Why a pattern cannot run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("{0} is not available yet in this version of the playground.")]
    NotYet(&'static str),
    #[error("Sectioning runs with the Compare button (sequential against parallel).")]
    Sectioning,
    #[error("Add a question to run a pattern.")]
    NoQuestion,
    #[error("Paste a document for map-reduce to split.")]
    NoDocument,
    #[error("Write the long prefix the calls share.")]
    NoPrefix,
}

/// What a pattern run produced, for tests and the explanation (the page reads the events).
#[derive(Clone, Debug, Default)]
pub struct PatternReport {
    pub baseline: Vec<CallResult>,
    pub strategy: Vec<CallResult>,
    /// Voting: the tally of the samples (decided after all settled).
    pub tally: Option<Tally>,
    /// Voting with a judge: its call, started once every sample had settled.
    pub judge: Option<CallResult>,
    /// Racing: the lane that won.
    pub winner: Option<LaneId>,
    /// Hedging: each call's outcome.
    pub hedges: Vec<HedgeOutcome>,
    pub cancelled: bool,
}

/// Whether `pattern` can run in this version (the others say "not yet").
pub fn is_available(pattern: Pattern) -> bool {
    matches!(
        pattern,
        Pattern::Voting
            | Pattern::Racing
            | Pattern::Hedging
            | Pattern::MapReduce
            | Pattern::CachedPrefix
    )
}

/// Checks that `plan` can run, before anything starts.
pub fn check(plan: &PatternPlan) -> Result<(), PatternError> {
    match plan.pattern() {
        Pattern::Sectioning => Err(PatternError::Sectioning),
        Pattern::MapReduce if plan.settings.document.trim().is_empty() => {
            Err(PatternError::NoDocument)
        }
        Pattern::MapReduce => Ok(()),
        Pattern::CachedPrefix if plan.settings.shared_prefix.trim().is_empty() => {
            Err(PatternError::NoPrefix)
        }
        _ if plan.question().trim().is_empty() => Err(PatternError::NoQuestion),
        _ => Ok(()),
    }
}

/// Runs the pattern's baseline and strategy on one clock, emitting the engine's events (a
/// `RunStarted` of kind [`RunKind::Pattern`], the groups, their lanes, a `RunFinished`).
pub async fn run_pattern(
    plan: &PatternPlan,
    env: RunEnv,
    cancel: CancelToken,
) -> Result<PatternReport, PatternError> {
    run_pattern_with_variants(plan, &[], env, cancel).await
}

/// [`run_pattern`] with the set-up's variants: racing races one contestant per variant (each
/// with its own provider); the other patterns ignore them. `env`'s provider answers the
/// baseline (variant A).
pub async fn run_pattern_with_variants(
    plan: &PatternPlan,
    variants: &[VariantRun],
    env: RunEnv,
    cancel: CancelToken,
) -> Result<PatternReport, PatternError> {
    check(plan)?;
    let run = PatternRun::new(plan, env);
    run.ctx.emitter.emit(EventKind::RunStarted {
        mode: RunKind::Pattern,
        questions: plan.base.questions.len(),
        model: plan.base.model.clone(),
        concurrency_limit: plan.base.concurrency_limit,
    });
    let mut report = match plan.pattern() {
        Pattern::Voting => voting::run(&run, plan, &cancel).await,
        Pattern::Racing => racing::run(&run, plan, variants, &cancel).await,
        Pattern::Hedging => hedging::run(&run, plan, &cancel).await,
        Pattern::MapReduce => map_reduce::run(&run, plan, &cancel).await,
        Pattern::CachedPrefix => cached_prefix::run(&run, plan, &cancel).await,
        // `check` refused it above.
        Pattern::Sectioning => PatternReport::default(),
    };
    report.cancelled = cancel.is_cancelled();
    run.ctx.emitter.emit(EventKind::RunFinished {
        cancelled: report.cancelled,
    });
    Ok(report)
}

/// What every call of a pattern run shares: the call context, the admission (budgets and an
/// adaptive limit) or the plain concurrency limit.
pub struct PatternRun {
    pub ctx: CallContext,
    admission: Option<Rc<CallAdmission>>,
    /// One semaphore per group, so the baseline and the strategy each get the limit (as the
    /// sequential and parallel runs of a compare do).
    limit: Option<usize>,
}

impl PatternRun {
    pub fn new(plan: &PatternPlan, env: RunEnv) -> PatternRun {
        let admission = CallAdmission::for_plan(&plan.base, env.clock.clone());
        let sink = match &admission {
            Some(admission) => admission.observing(env.sink.clone()),
            None => env.sink.clone(),
        };
        let emitter = Emitter::new(env.clock.clone(), sink);
        if let Some(admission) = &admission {
            admission.bind(&emitter);
        }
        PatternRun {
            ctx: CallContext {
                emitter,
                provider: env.provider.clone(),
                retry: plan.base.retry.clone(),
                timeout_ms: plan.base.timeout_ms,
                rng: Rc::new(RefCell::new(SplitMix64::new(env.jitter_seed))),
            },
            limit: match admission {
                Some(_) => None,
                None => plan.base.concurrency_limit,
            },
            admission,
        }
    }

    /// A semaphore for one group's calls (`None`: no limit, or the admission holds it).
    pub fn group_limit(&self) -> Option<Semaphore> {
        self.limit.map(Semaphore::new)
    }

    /// Opens a lane of `group` for call `index` (a `backup` copy of a hedged call, or at a
    /// reduce `level`).
    pub fn open(
        &self,
        group: Group,
        index: usize,
        backup: bool,
        level: Option<usize>,
        label: String,
    ) -> LaneId {
        self.open_as(Variant::A, group, index, backup, level, label)
    }

    /// [`PatternRun::open`] for a lane of `variant` (racing's variant contestants).
    pub fn open_as(
        &self,
        variant: Variant,
        group: Group,
        index: usize,
        backup: bool,
        level: Option<usize>,
        label: String,
    ) -> LaneId {
        self.ctx.emitter.open_lane(LaneInfo {
            group,
            kind: LaneKind::PatternCall {
                index,
                backup,
                level,
            },
            label,
            parent: None,
            variant,
        })
    }

    /// Runs one call on `lane` through the admission (gated by the concurrency limit).
    pub async fn call(
        &self,
        ctx: &CallContext,
        lane: LaneId,
        request: ModelRequest,
        cancel: &CancelToken,
        semaphore: Option<&Semaphore>,
    ) -> CallResult {
        run_admitted_call(
            ctx,
            self.admission.as_ref(),
            true,
            lane,
            request,
            cancel,
            semaphore,
        )
        .await
    }

    /// The baseline of voting and racing: `question` asked once, in the baseline group.
    pub async fn one_call_baseline(
        &self,
        plan: &PatternPlan,
        question: &str,
        cancel: &CancelToken,
    ) -> Vec<CallResult> {
        self.group(Group::Baseline, async {
            let lane = self.open(
                Group::Baseline,
                0,
                false,
                None,
                format!("One call: {question}"),
            );
            vec![
                self.call(&self.ctx, lane, plan.request(question), cancel, None)
                    .await,
            ]
        })
        .await
    }

    /// A group's `GroupStarted` … `GroupFinished` around `body`.
    pub async fn group<T>(&self, group: Group, body: impl Future<Output = T>) -> T {
        self.ctx.emitter.emit(EventKind::GroupStarted { group });
        let out = body.await;
        self.ctx.emitter.emit(EventKind::GroupFinished { group });
        out
    }
}

/// Runs the baseline and the strategy at the same time or one after the other, as the plan's
/// compare timing says.
pub async fn both<A, B>(
    timing: CompareTiming,
    baseline: impl Future<Output = A>,
    strategy: impl Future<Output = B>,
) -> (A, B) {
    match timing {
        CompareTiming::SameTime => futures::future::join(baseline, strategy).await,
        CompareTiming::OneAfterTheOther => {
            let a = baseline.await;
            let b = strategy.await;
            (a, b)
        }
    }
}

/// The label of sample `index` (1-based for people).
fn sample_label(kind: &str, index: usize, question: &str) -> String {
    format!("{kind} {}: {question}", index + 1)
}
