//! The run told in words, as the seeds print it: "🔄 Asking: …", "✅ Answered: … (1.8 s)".

use super::event::{Event, EventKind, Group, LaneKind, Outcome};
use super::timeline::RunView;
use crate::base::seconds_text;

/// How a log line should look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogTone {
    Info,
    Good,
    Warning,
    Bad,
}

/// One line of the event log.
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    pub at_ms: f64,
    pub group: Option<Group>,
    pub tone: LogTone,
    pub text: String,
}

/// The log line for `event`, if it deserves one. `view` must already include the event.
pub fn log_line(event: &Event, view: &RunView) -> Option<LogLine> {
    let line = |group: Option<Group>, tone: LogTone, text: String| {
        Some(LogLine {
            at_ms: event.at_ms,
            group,
            tone,
            text,
        })
    };
    let lane = |id: usize| view.lanes.get(id);
    match &event.kind {
        EventKind::GroupStarted { group } => line(
            Some(*group),
            LogTone::Info,
            format!("{} run started", group.title()),
        ),
        EventKind::Started {
            lane: id, attempt, ..
        } => {
            let l = lane(*id)?;
            let verb = match (&l.info.kind, attempt) {
                (LaneKind::Synthesis, 0) => "🧩 Synthesizing".to_string(),
                (LaneKind::Turn { agent, turn, .. }, _) => {
                    format!("🤖 {agent} turn {}", turn + 1)
                }
                (LaneKind::Tool { tool, .. }, _) => format!("🔧 Calling {tool}"),
                (LaneKind::Conversation { conversation }, _) => {
                    format!("💬 Conversation {} started", conversation + 1)
                }
                (_, 0) => "🔄 Asking".to_string(),
                (_, n) => format!("🔄 Asking again (retry {n})"),
            };
            if matches!(l.info.kind, LaneKind::Synthesis) && *attempt == 0 {
                return None; // SynthesisStarted says it better.
            }
            line(
                Some(l.info.group),
                LogTone::Info,
                format!("{verb}: {}", l.info.label),
            )
        }
        EventKind::RetryScheduled {
            lane: id,
            retry,
            delay_ms,
            error,
        } => {
            let l = lane(*id)?;
            line(
                Some(l.info.group),
                LogTone::Warning,
                format!(
                    "↻ Retry {retry} in {} for: {} ({})",
                    seconds_text(*delay_ms),
                    l.info.label,
                    error.short_label()
                ),
            )
        }
        EventKind::Finished { lane: id, outcome } => {
            let l = lane(*id)?;
            let took = l
                .duration_ms()
                .map(|d| format!(" ({})", seconds_text(d)))
                .unwrap_or_default();
            let (tone, text) = match (outcome, &l.info.kind) {
                (Outcome::Done, LaneKind::Synthesis) => {
                    (LogTone::Good, format!("📝 Synthesis done{took}"))
                }
                (Outcome::Done, LaneKind::Tool { tool, .. }) => (
                    LogTone::Good,
                    format!("✅ {tool} returned {}{took}", l.text.trim()),
                ),
                (Outcome::Done, LaneKind::Turn { .. }) => return None,
                (Outcome::Done, LaneKind::Conversation { .. }) => (
                    LogTone::Good,
                    format!("🏁 Conversation finished{took}: {}", l.info.label),
                ),
                (Outcome::Done, _) => (
                    LogTone::Good,
                    format!("✅ Answered: {}{took}", l.info.label),
                ),
                (Outcome::Failed { error }, _) => (
                    LogTone::Bad,
                    format!("❌ Failed: {}{took}: {error}", l.info.label),
                ),
                (Outcome::ToolFailed { message }, _) => (
                    LogTone::Bad,
                    format!("⚠️ Tool error in {}: {message}", l.info.label),
                ),
                (Outcome::TimedOut { after_ms }, _) => (
                    LogTone::Bad,
                    format!(
                        "⏱ Timed out after {}: {}",
                        seconds_text(*after_ms),
                        l.info.label
                    ),
                ),
                (Outcome::Cancelled { reason }, _) => (
                    LogTone::Warning,
                    format!("⛔ Cancelled ({}): {}", reason.describe(), l.info.label),
                ),
            };
            line(Some(l.info.group), tone, text)
        }
        EventKind::SynthesisStarted {
            group,
            answers,
            questions,
        } => line(
            Some(*group),
            LogTone::Info,
            format!("🧩 Synthesizing from {answers} of {questions} answers"),
        ),
        EventKind::SynthesisSkipped { group, reason } => {
            line(Some(*group), LogTone::Warning, reason.clone())
        }
        EventKind::GroupFinished { group } => {
            let (start, end) = view.group_span(*group)?;
            line(
                Some(*group),
                LogTone::Info,
                format!(
                    "{} run finished in {}",
                    group.title(),
                    seconds_text(end? - start)
                ),
            )
        }
        EventKind::RunFinished { cancelled: true } => {
            line(None, LogTone::Warning, "Run cancelled".into())
        }
        _ => None,
    }
}
