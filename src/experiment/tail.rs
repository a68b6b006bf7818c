//! The tail of the slowest: a parallel run of N calls lasts as long as its slowest call, so with
//! a share p of slow calls it is slow with probability 1 − (1 − p)^N (Dean & Barroso, "The Tail
//! at Scale", CACM 2013: 1 % slow calls at N = 100 → 63 % of runs slow).
//!
//! **What "slow" means here.** A call is slow when its latency (first start to end, successful
//! calls of the parallel run) is above a threshold T taken from the measured per-call
//! distribution: T is the nearest-rank percentile 100·(1 − s), where s is the simulated model's
//! slow-outlier knob when it is set (between 0 and 0.5), and 1 % otherwise — so T is the p99 of
//! the calls unless the knob says otherwise. A parallel run is slow when its slowest call is
//! above T. The prediction uses the *measured* share p̂ of calls above T and each run's own N;
//! the observation counts the runs. When calls are independent the two agree; when they are not
//! (a server that slows everyone down at once) the observation says so.

use super::record::GroupWall;
use super::stats::Samples;
use crate::engine::Variant;
use serde::Serialize;

/// The share of calls counted as slow: the knob when it is usable, else 1 %.
pub fn slow_share(knob: Option<f64>) -> f64 {
    match knob {
        Some(s) if s > 0.0 && s <= 0.5 => s,
        _ => 0.01,
    }
}

/// Observed and predicted share of slow parallel runs of one variant.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TailFigures {
    pub variant: Variant,
    /// The share s that sets the threshold.
    pub slow_share: f64,
    /// Calls above this many milliseconds are slow.
    pub threshold_ms: f64,
    /// Measured share of calls above the threshold (p̂).
    pub measured_share: f64,
    /// Mean calls per parallel run (N).
    pub calls_per_run: f64,
    /// Mean over the runs of 1 − (1 − p̂)^N.
    pub predicted: f64,
    /// Share of runs whose slowest call was above the threshold.
    pub observed: f64,
    pub runs: usize,
    pub slow_runs: usize,
}

impl TailFigures {
    /// The figures from the parallel run's call latencies and its runs; `None` without both.
    pub fn compute<'a>(
        variant: Variant,
        slow_share: f64,
        calls: &Samples,
        runs: impl Iterator<Item = &'a GroupWall>,
    ) -> Option<TailFigures> {
        let threshold_ms = calls.percentile(100.0 * (1.0 - slow_share))?;
        let measured_share = calls.count_above(threshold_ms) as f64 / calls.len() as f64;
        let (mut count, mut slow_runs, mut predicted, mut total_calls) = (0, 0, 0.0, 0usize);
        for run in runs.filter(|r| r.timed_calls > 0) {
            count += 1;
            total_calls += run.timed_calls;
            predicted += 1.0 - (1.0 - measured_share).powi(run.timed_calls as i32);
            if run.slowest_call_ms.is_some_and(|ms| ms > threshold_ms) {
                slow_runs += 1;
            }
        }
        if count == 0 {
            return None;
        }
        let runs = count as f64;
        Some(TailFigures {
            variant,
            slow_share,
            threshold_ms,
            measured_share,
            calls_per_run: total_calls as f64 / runs,
            predicted: predicted / runs,
            observed: slow_runs as f64 / runs,
            runs: count,
            slow_runs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Group;

    fn run(slowest: f64, calls: usize) -> GroupWall {
        GroupWall {
            group: Group::Parallel,
            variant: Variant::A,
            wall_ms: slowest,
            timed_calls: calls,
            slowest_call_ms: Some(slowest),
        }
    }

    #[test]
    fn one_slow_call_in_a_hundred() {
        // 10 runs of 10 calls: 100 calls, one of them (in run 0) slow.
        let mut calls = Samples::default();
        for i in 0..100 {
            calls.insert(if i == 0 { 5000.0 } else { 1000.0 + i as f64 });
        }
        let runs: Vec<GroupWall> = (0..10)
            .map(|r| run(if r == 0 { 5000.0 } else { 1099.0 }, 10))
            .collect();
        let tail = TailFigures::compute(Variant::A, 0.01, &calls, runs.iter()).expect("runs");
        assert_eq!(tail.threshold_ms, 1099.0);
        assert!((tail.measured_share - 0.01).abs() < 1e-12);
        assert!((tail.predicted - (1.0 - 0.99f64.powi(10))).abs() < 1e-12);
        assert_eq!((tail.slow_runs, tail.runs), (1, 10));
        assert!((tail.observed - 0.1).abs() < 1e-12);
    }

    #[test]
    fn knob_outside_its_range_means_one_percent() {
        assert_eq!(slow_share(None), 0.01);
        assert_eq!(slow_share(Some(0.0)), 0.01);
        assert_eq!(slow_share(Some(0.9)), 0.01);
        assert_eq!(slow_share(Some(0.05)), 0.05);
    }
}
