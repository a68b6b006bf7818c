//! Rounds on the page: a run (a research run, or a hedging pattern run) repeated R times, one
//! round after another. Each round gets a fresh
//! store (so the timeline shows one round); the finished round is kept only as its compact
//! record in the [`Experiment`], except the latest round's full events. `show_round` redraws any
//! finished round from its record.

use super::{LiveRun, RunScope};
use crate::engine::{RunEnv, RunPlan, VariantRun};
use crate::experiment::{run_rounds, Experiment, RoundRecord};
use crate::providers::Provider;
use leptos::prelude::*;
use std::rc::Rc;

/// Gives each round its provider (the simulated model re-seeded per round).
pub type ProviderForRound = Rc<dyn Fn(u32) -> Rc<dyn Provider>>;

impl LiveRun {
    /// Starts `rounds` rounds of `plan`, cancelling any run still going. `slow_knob` is the
    /// simulated model's slow-outlier rate (it sets what "slow" means for the tail).
    pub fn start_rounds(
        &self,
        plan: RunPlan,
        rounds: u32,
        slow_knob: Option<f64>,
        provider_for: ProviderForRound,
        network_url: Option<String>,
    ) {
        let exported = serde_json::to_value(&plan).unwrap_or_default();
        let rounds = rounds.max(1);
        self.reset_experiment(rounds, slow_knob);
        let this = *self;
        let first = provider_for(1);
        self.launch(exported, first, network_url, move |env, cancel| {
            Box::pin(async move {
                let env_for = |round: u32| this.round_env(&env, round, &provider_for);
                run_rounds(&plan, rounds, env_for, cancel, |record| {
                    this.record_round(record)
                })
                .await;
            })
        });
    }

    /// Starts a pattern run (baseline and strategy) of `plan`, `rounds` times, round after
    /// round (each on the provider `provider_for` gives it); racing races the `variants` when
    /// there are any.
    pub fn start_pattern(
        &self,
        plan: crate::patterns::PatternPlan,
        rounds: u32,
        provider_for: ProviderForRound,
        variants: Vec<VariantRun>,
        network_url: Option<String>,
    ) {
        let exported = serde_json::to_value(&plan).unwrap_or_default();
        let rounds = rounds.max(1);
        self.reset_experiment(rounds, None);
        let this = *self;
        let first = provider_for(1);
        self.launch(exported, first, network_url, move |env, cancel| {
            Box::pin(async move {
                if rounds == 1 {
                    // The plan was checked before the run started; a refusal here has no lanes.
                    let _ =
                        crate::patterns::run_pattern_with_variants(&plan, &variants, env, cancel)
                            .await;
                    return;
                }
                let env_for = |round: u32| this.round_env(&env, round, &provider_for);
                let runner = |_, env, cancel| {
                    let (plan, variants) = (&plan, &variants);
                    async move {
                        let _ =
                            crate::patterns::run_pattern_with_variants(plan, variants, env, cancel)
                                .await;
                    }
                };
                crate::experiment::run_rounds_of(
                    rounds,
                    env_for,
                    cancel,
                    |r| this.record_round(r),
                    runner,
                )
                .await;
            })
        });
    }

    /// The environment of round `round`: from the second round on, a fresh store on show, the
    /// provider `provider_for` gives the round and a jitter seed of its own.
    fn round_env(&self, env: &RunEnv, round: u32, provider_for: &ProviderForRound) -> RunEnv {
        if round > 1 {
            self.next_round(round);
        }
        RunEnv {
            provider: if round > 1 {
                provider_for(round)
            } else {
                env.provider.clone()
            },
            jitter_seed: env.jitter_seed.wrapping_add(u64::from(round)),
            ..env.clone()
        }
    }

    /// Forgets the rounds of the last run.
    pub(super) fn reset_experiment(&self, rounds: u32, slow_knob: Option<f64>) {
        self.experiment
            .set_value(Experiment::new(rounds, slow_knob));
        self.round_shown.set(1);
        self.experiment_changed.notify();
    }

    pub(super) fn record_round(&self, record: RoundRecord) {
        if self
            .experiment
            .try_update_value(|e| e.push(record))
            .is_some()
        {
            self.experiment_changed.notify();
        }
    }

    /// Reads the rounds, subscribing the caller to each new round.
    pub fn with_experiment<R>(&self, f: impl FnOnce(&Experiment) -> R) -> Option<R> {
        self.experiment_changed.track();
        self.experiment.try_with_value(f)
    }

    /// Reads the rounds without subscribing (for exports).
    pub fn with_experiment_untracked<R>(&self, f: impl FnOnce(&Experiment) -> R) -> Option<R> {
        self.experiment.try_with_value(f)
    }

    /// Replaces the store on show by a fresh one for `round`, holding `events` (none while the
    /// round is still to run).
    fn swap_store(&self, round: u32, events: Vec<crate::engine::Event>) {
        self.lanes.set(Vec::new());
        let swapped = self.inner.try_update_value(|inner| {
            let parent = inner
                .parent
                .clone()
                .or_else(Owner::current)
                .unwrap_or_default();
            let plan = inner
                .scope
                .as_ref()
                .and_then(|s| s.store.try_with_value(|s| s.plan.clone()))
                .unwrap_or_default();
            let scope = RunScope::new(&parent, plan).with_round(round);
            scope.store.update_value(|s| s.events = events);
            inner.created = 0;
            inner.row_batch = Default::default();
            inner.network_matched = Vec::new();
            inner.scope.replace(scope)
        });
        if let Some(Some(old)) = swapped {
            old.dispose();
        }
        self.log.set(Vec::new());
        self.figures.set(Default::default());
        self.now_ms.set(0.0);
        self.round_shown.set(round);
        self.run_changed.notify();
    }

    /// Round `round` begins: the timeline shows it from now on.
    pub(super) fn next_round(&self, round: u32) {
        self.swap_store(round, Vec::new());
    }

    /// Shows finished round `round` (1-based); nothing while the rounds run.
    pub fn show_round(&self, round: u32) {
        if self.running.get_untracked() || self.round_shown.get_untracked() == round {
            return;
        }
        let Some(Some((events, latest))) = self.experiment.try_with_value(|e| {
            let latest = e.rounds.len() as u32;
            let record = e.rounds.get(round.checked_sub(1)? as usize)?;
            Some(((round != latest).then(|| record.to_events()), latest))
        }) else {
            return;
        };
        // The latest round keeps its full events (its answers) while another is on show.
        if self.round_shown.get_untracked() == latest {
            let full = self.with_store_untracked(|s| s.events.clone());
            self.inner.update_value(|inner| inner.latest_events = full);
        }
        let events = match events {
            Some(events) => events,
            None => self
                .inner
                .try_update_value(|inner| inner.latest_events.take())
                .flatten()
                .or_else(|| {
                    self.experiment
                        .try_with_value(|e| e.rounds.last().map(RoundRecord::to_events))
                        .flatten()
                })
                .unwrap_or_default(),
        };
        self.swap_store(round, events);
        self.schedule_frame();
    }
}
