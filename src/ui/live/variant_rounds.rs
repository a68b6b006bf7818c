//! Variants with rounds: every round runs all variants of the set-up on one axis; each round's
//! record keeps every call's variant, so the distributions come per variant.

use super::LiveRun;
use crate::engine::{run_variants, RunEnv, VariantRun, VariantTiming};
use crate::experiment::run_rounds_of;
use std::rc::Rc;

/// Gives each round its variants (the simulated model re-seeded per round).
pub type VariantsForRound = Rc<dyn Fn(u32) -> Vec<VariantRun>>;

impl LiveRun {
    /// Starts `rounds` rounds of the variants `runs_for` gives, cancelling any run still going.
    pub fn start_variant_rounds(
        &self,
        runs_for: VariantsForRound,
        timing: VariantTiming,
        rounds: u32,
        slow_knob: Option<f64>,
        network_url: Option<String>,
    ) {
        let first = runs_for(1);
        let Some(provider) = first.first().map(|r| r.provider.clone()) else {
            return;
        };
        let exported = serde_json::Value::Array(
            first
                .iter()
                .map(|r| serde_json::to_value(&r.plan).unwrap_or_default())
                .collect(),
        );
        let rounds = rounds.max(1);
        self.reset_experiment(rounds, slow_knob);
        let this = *self;
        self.launch(exported, provider, network_url, move |env, cancel| {
            Box::pin(async move {
                let env_for = |round: u32| {
                    if round > 1 {
                        this.next_round(round);
                    }
                    RunEnv {
                        jitter_seed: env.jitter_seed.wrapping_add(u64::from(round)),
                        ..env.clone()
                    }
                };
                let mut first = Some(first);
                let runner = |round: u32, env: RunEnv, cancel| {
                    let runs = match first.take() {
                        Some(runs) if round == 1 => runs,
                        _ => runs_for(round),
                    };
                    async move {
                        run_variants(&runs, timing, env, cancel).await;
                    }
                };
                run_rounds_of(rounds, env_for, cancel, |r| this.record_round(r), runner).await;
            })
        });
    }
}
