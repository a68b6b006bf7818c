//! Experiments: a run repeated for R rounds, its distributions, and the tail of the slowest.
//!
//! [`run_rounds`] runs the rounds one after another; each finished round becomes a compact
//! [`RoundRecord`], and [`Experiment::push`] adds it to sorted samples per run group, variant and
//! [`Metric`] — so a summary is a few lookups however many rounds ran. Percentiles are
//! nearest-rank ([`stats`]). [`Experiment::tail`] sets the parallel run's observed share of slow
//! runs beside the prediction 1 − (1 − p)^N ([`tail`]); [`Experiment::csv`] writes every call of
//! every round.

mod csv;
pub mod history;
pub mod panel;
mod record;
mod rounds;
pub mod stats;
pub mod tail;

pub use csv::{csv_field, CSV_HEADER};
pub use record::{CallRecord, GroupWall, RoundRecord};
pub use rounds::{round_seed, run_rounds, run_rounds_of};
pub use stats::{nearest_rank, Metric, Samples, Summary};
pub use tail::TailFigures;

use crate::engine::{Group, Variant};

/// Which samples a distribution holds: a metric of one run (`data-run`) of one variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DistKey {
    pub metric: Metric,
    /// `sequential`, `parallel`, `synthesis`, … (the lanes' `data-run`; for walls, the group).
    pub run: &'static str,
    pub variant: Variant,
}

/// Order of runs in the panel: the research groups first, then the rest as they appear.
fn run_rank(run: &str) -> u8 {
    match run {
        "sequential" => 0,
        "parallel" => 1,
        "synthesis" => 2,
        _ => 3,
    }
}

/// The rounds of one run and their statistics.
#[derive(Clone, Debug, Default)]
pub struct Experiment {
    /// How many rounds were asked for.
    pub planned: u32,
    /// Every round that ended, oldest first.
    pub rounds: Vec<RoundRecord>,
    dists: Vec<(DistKey, Samples)>,
    /// The share of calls counted as slow for the tail (the slow-outlier knob, or 1 %).
    slow_share: f64,
}

impl Experiment {
    /// An experiment of `planned` rounds; `slow_knob` is the simulated model's slow-outlier rate
    /// when it applies (see [`tail`] for how it sets the threshold of "slow").
    pub fn new(planned: u32, slow_knob: Option<f64>) -> Experiment {
        Experiment {
            planned,
            // Reserved once: a hundred rounds never reallocate (and fragment) the list.
            rounds: Vec::with_capacity(planned.min(1000) as usize),
            slow_share: tail::slow_share(slow_knob),
            ..Experiment::default()
        }
    }

    /// Adds a finished round's samples.
    pub fn push(&mut self, mut round: RoundRecord) {
        if let Some(earlier) = self.rounds.last() {
            round.share_infos(earlier);
        }
        // Room for every round's samples at once, so the sorted lists grow without copies.
        let per_round = round.calls.len();
        let expected = per_round * (self.planned as usize).clamp(1, 1000);
        for wall in &round.walls {
            let key = DistKey {
                metric: Metric::Wall,
                run: wall.group.as_str(),
                variant: wall.variant,
            };
            let rounds = expected / per_round.max(1);
            self.samples_mut(key, rounds).insert(wall.wall_ms);
        }
        for call in &round.calls {
            let run = call.info.run_name();
            let variant = call.info.variant;
            if let Some(ms) = call.latency_ms() {
                let metric = Metric::Call;
                let key = DistKey {
                    metric,
                    run,
                    variant,
                };
                self.samples_mut(key, expected).insert(ms);
            }
            if let Some(ms) = call.ttft_ms() {
                let metric = Metric::Ttft;
                let key = DistKey {
                    metric,
                    run,
                    variant,
                };
                self.samples_mut(key, expected).insert(ms);
            }
        }
        self.rounds.push(round);
    }

    fn samples_mut(&mut self, key: DistKey, expected: usize) -> &mut Samples {
        let at = match self.dists.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                self.dists.push((key, Samples::with_capacity(expected)));
                self.dists
                    .sort_by_key(|(k, _)| (k.metric, run_rank(k.run), k.run, k.variant));
                self.dists.iter().position(|(k, _)| *k == key).unwrap_or(0)
            }
        };
        &mut self.dists[at].1
    }

    /// The samples of one distribution.
    pub fn samples(&self, key: DistKey) -> Option<&Samples> {
        self.dists.iter().find(|(k, _)| *k == key).map(|(_, s)| s)
    }

    /// Every distribution with samples, by metric, then run, then variant.
    pub fn distributions(&self) -> impl Iterator<Item = (DistKey, &Samples)> {
        self.dists.iter().map(|(k, s)| (*k, s))
    }

    /// The tail of the parallel run, per variant that ran one.
    pub fn tail(&self) -> Vec<TailFigures> {
        let mut variants: Vec<Variant> = self
            .rounds
            .iter()
            .flat_map(|r| r.walls.iter())
            .filter(|w| w.group == Group::Parallel)
            .map(|w| w.variant)
            .collect();
        variants.sort();
        variants.dedup();
        variants
            .into_iter()
            .filter_map(|variant| {
                let calls = self.samples(DistKey {
                    metric: Metric::Call,
                    run: Group::Parallel.as_str(),
                    variant,
                })?;
                let runs = self
                    .rounds
                    .iter()
                    .flat_map(|r| r.walls.iter())
                    .filter(|w| w.group == Group::Parallel && w.variant == variant);
                TailFigures::compute(variant, self.slow_share, calls, runs)
            })
            .collect()
    }

    /// Every call of every round as CSV (a header, then one row per call per round).
    pub fn csv(&self) -> String {
        let mut out = String::from(CSV_HEADER);
        out.push('\n');
        for round in &self.rounds {
            for call in &round.calls {
                csv::write_row(&mut out, call);
            }
        }
        out
    }
}
