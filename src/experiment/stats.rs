//! Percentiles of measured times, kept sorted as samples arrive so a summary costs nothing.
//!
//! Percentiles use the **nearest-rank** definition: the p-th percentile of n sorted samples is
//! the sample at rank ⌈p/100 · n⌉ (1-based), so it is always a measured value (p50 of 1, 2, 3, 4
//! is 2; p99 of 100 samples is the 99th smallest; p100 is the maximum).

use serde::Serialize;

/// Measured values in ascending order (non-finite values are never kept).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Samples {
    sorted: Vec<f64>,
}

impl Samples {
    /// Room for `n` values.
    pub fn with_capacity(n: usize) -> Samples {
        Samples {
            sorted: Vec::with_capacity(n),
        }
    }

    /// Adds one value in its place (O(log n) search, one move of the larger values).
    pub fn insert(&mut self, value: f64) {
        if !value.is_finite() {
            return;
        }
        let at = self.sorted.partition_point(|v| *v <= value);
        self.sorted.insert(at, value);
    }

    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// The values, smallest first.
    pub fn sorted(&self) -> &[f64] {
        &self.sorted
    }

    /// The nearest-rank `p`-th percentile (0 < p ≤ 100); `None` without samples.
    pub fn percentile(&self, p: f64) -> Option<f64> {
        nearest_rank(&self.sorted, p)
    }

    /// How many values are strictly above `threshold`.
    pub fn count_above(&self, threshold: f64) -> usize {
        self.sorted.len() - self.sorted.partition_point(|v| *v <= threshold)
    }

    /// The summary the distribution panel shows.
    pub fn summary(&self) -> Option<Summary> {
        Some(Summary {
            p50: self.percentile(50.0)?,
            p95: self.percentile(95.0)?,
            p99: self.percentile(99.0)?,
            max: *self.sorted.last()?,
            samples: self.sorted.len(),
        })
    }
}

/// The nearest-rank `p`-th percentile of `sorted` (ascending); `None` when empty or `p` is not
/// in (0, 100].
pub fn nearest_rank(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() || !(p > 0.0 && p <= 100.0) {
        return None;
    }
    let n = sorted.len();
    // A tiny allowance so that 95/100 · 20 = 19 is not rounded up to 20 by float error.
    let rank = ((p / 100.0) * n as f64 - 1e-9).ceil().max(1.0) as usize;
    sorted.get(rank.min(n) - 1).copied()
}

/// p50, p95, p99 and max of a set of samples, with their number.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
    pub samples: usize,
}

/// What a distribution measures (the `data-of` value).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Wall time of a run group (its calls and its synthesis), once per round.
    Wall,
    /// One call, from its first start to its end (retries included).
    Call,
    /// One call, from its first start to its first token.
    Ttft,
}

impl Metric {
    pub const ALL: [Metric; 3] = [Metric::Wall, Metric::Call, Metric::Ttft];

    /// The `data-of` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Wall => "wall",
            Metric::Call => "call",
            Metric::Ttft => "ttft",
        }
    }

    /// What a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Metric::Wall => "Group wall time",
            Metric::Call => "Single-call latency",
            Metric::Ttft => "Time to first token",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_picks_measured_values() {
        let s: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(nearest_rank(&s, 50.0), Some(50.0));
        assert_eq!(nearest_rank(&s, 95.0), Some(95.0));
        assert_eq!(nearest_rank(&s, 99.0), Some(99.0));
        assert_eq!(nearest_rank(&s, 100.0), Some(100.0));
        assert_eq!(nearest_rank(&[1.0, 2.0, 3.0, 4.0], 50.0), Some(2.0));
        assert_eq!(nearest_rank(&[7.0], 99.0), Some(7.0));
        assert_eq!(nearest_rank(&[], 50.0), None);
        assert_eq!(nearest_rank(&s, 0.0), None);
        let twenty: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(nearest_rank(&twenty, 95.0), Some(19.0));
    }

    #[test]
    fn samples_stay_sorted_and_count_above() {
        let mut s = Samples::default();
        for v in [5.0, 1.0, 3.0, f64::NAN, 3.0, 9.0] {
            s.insert(v);
        }
        assert_eq!(s.sorted(), &[1.0, 3.0, 3.0, 5.0, 9.0]);
        assert_eq!(s.count_above(3.0), 2);
        let summary = s.summary().expect("samples");
        assert_eq!((summary.p50, summary.max, summary.samples), (3.0, 9.0, 5));
    }
}
