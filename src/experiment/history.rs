//! [`History`]: the last runs of the session, kept as plain records (no reactive state), with
//! their figures; any two can be put side by side.

use super::record::RoundRecord;
use crate::engine::{RunFigures, RunView};
use std::collections::VecDeque;

/// The most runs kept.
pub const MAX_HISTORY: usize = 20;

/// One kept run: its number in the session, a title, the record of its calls (its last round)
/// and its figures.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEntry {
    pub number: u64,
    pub title: String,
    pub record: RoundRecord,
    pub figures: RunFigures,
    /// The last event, ms since the run began (the time axis of its timeline).
    pub span_ms: f64,
}

impl HistoryEntry {
    /// The entry of run `number` from its folded view.
    pub fn of_view(number: u64, title: String, round: u32, view: &RunView) -> HistoryEntry {
        HistoryEntry {
            number,
            title,
            record: RoundRecord::from_view(round, view),
            figures: RunFigures::compute(view, view.last_event_ms),
            span_ms: view.last_event_ms,
        }
    }

    /// The run's wall time: its parallel run's, else its sequential run's, else agents'.
    pub fn wall_ms(&self) -> Option<f64> {
        let f = &self.figures;
        f.parallel
            .as_ref()
            .or(f.sequential.as_ref())
            .map(|g| g.wall_ms)
            .or_else(|| f.agents.as_ref().map(|a| a.wall_ms))
            .or_else(|| self.record.walls.iter().map(|w| w.wall_ms).reduce(f64::max))
    }

    /// Output tokens of every call.
    pub fn tokens_out(&self) -> u64 {
        self.record
            .calls
            .iter()
            .map(|c| u64::from(c.tokens_out))
            .sum()
    }
}

/// The kept runs, oldest first, at most [`MAX_HISTORY`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    entries: VecDeque<HistoryEntry>,
}

impl History {
    /// Keeps `entry`, forgetting the oldest beyond [`MAX_HISTORY`] (and an earlier entry of the
    /// same number, when a run is recorded again).
    pub fn push(&mut self, entry: HistoryEntry) {
        self.entries.retain(|e| e.number != entry.number);
        self.entries.push_back(entry);
        while self.entries.len() > MAX_HISTORY {
            self.entries.pop_front();
        }
    }

    /// Newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &HistoryEntry> {
        self.entries.iter().rev()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry of run `number`, if still kept.
    pub fn get(&self, number: u64) -> Option<&HistoryEntry> {
        self.entries.iter().find(|e| e.number == number)
    }

    /// The latest run and the one before it ("this run vs the previous one").
    pub fn last_two(&self) -> Option<(u64, u64)> {
        let mut newest = self.newest_first();
        let this = newest.next()?.number;
        let previous = newest.next()?.number;
        Some((previous, this))
    }
}

/// One bar of a small timeline: row, start and end (ms), status name.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub row: usize,
    pub start_ms: f64,
    pub end_ms: f64,
    pub status: &'static str,
    pub run: &'static str,
}

/// The bars of a kept run's timeline, one row per call in the order the calls opened (calls
/// that never started have none).
pub fn bars(entry: &HistoryEntry) -> Vec<Bar> {
    entry
        .record
        .calls
        .iter()
        .enumerate()
        .filter_map(|(row, c)| {
            let start_ms = c.start_ms?;
            Some(Bar {
                row,
                start_ms,
                end_ms: c.end_ms.unwrap_or(entry.span_ms).max(start_ms),
                status: c.status(),
                run: c.info.run_name(),
            })
        })
        .collect()
}
