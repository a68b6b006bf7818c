//! A short list of set-ups the page put aside for the person — their own set-up before a share
//! link replaced it, a link's set-up before they restored theirs — so that nothing they had is
//! more than one click away.
//!
//! Entries keep the workspace JSON exactly as saved: one written by a newer version of the page
//! stays intact (this version only refuses to open it), and opening goes through the same checks
//! as any saved workspace ([`super::decode_saved`]).

use super::{encode_saved, preset, LoadError, Workspace};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `localStorage` key of the list.
pub const SAVED_SETUPS_KEY: &str = "parallel-playground.saved-setups";

/// Where a list that could not be read is kept before a new one is written.
pub const DAMAGED_SETUPS_KEY: &str = "parallel-playground.saved-setups.damaged";

/// How many set-ups the list keeps (the oldest goes first).
pub const MAX_SAVED_SETUPS: usize = 5;

/// The format of the list written by this version.
const SETUPS_FORMAT: u32 = 1;

/// One set-up put aside.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedSetup {
    /// What it is, for the person: preset or topic and first question.
    pub name: String,
    /// Why it was put aside (“before opening a link”).
    pub why: String,
    /// When, in milliseconds since the Unix epoch.
    pub saved_at_ms: f64,
    /// The workspace JSON, as saved.
    pub workspace: Value,
}

/// The list, newest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedSetups {
    #[serde(default)]
    pub format: u32,
    #[serde(default)]
    pub entries: Vec<SavedSetup>,
}

impl SavedSetups {
    /// Reads a stored list; an error means it was damaged (keep the text aside before writing).
    pub fn decode(text: &str) -> Result<SavedSetups, String> {
        serde_json::from_str(text).map_err(|error| error.to_string())
    }

    /// The list as JSON for storage.
    pub fn encode(&self) -> String {
        let list = SavedSetups {
            format: SETUPS_FORMAT,
            entries: self.entries.clone(),
        };
        // Strings, numbers and JSON values always serialise.
        serde_json::to_string(&list).unwrap_or_else(|_| String::from("{}"))
    }

    /// Puts `ws` at the top of the list (moving it there if it is already listed) and drops
    /// the oldest beyond [`MAX_SAVED_SETUPS`].
    ///
    /// ```
    /// use parallel_playground::workspace::{SavedSetups, Workspace};
    ///
    /// let mut list = SavedSetups::default();
    /// list.remember(&Workspace::default(), "before opening a link", 0.0);
    /// list.remember(&Workspace::default(), "before opening a link", 1.0);
    /// assert_eq!(list.entries.len(), 1);
    /// assert_eq!(list.open(0), Some(Ok(Workspace::default())));
    /// ```
    pub fn remember(&mut self, ws: &Workspace, why: &str, now_ms: f64) {
        let workspace = saved_value(ws);
        self.entries.retain(|entry| entry.workspace != workspace);
        self.entries.insert(
            0,
            SavedSetup {
                name: describe(ws),
                why: why.to_string(),
                saved_at_ms: now_ms,
                workspace,
            },
        );
        self.entries.truncate(MAX_SAVED_SETUPS);
    }

    /// Whether `ws` is in the list.
    pub fn contains(&self, ws: &Workspace) -> bool {
        let workspace = saved_value(ws);
        self.entries
            .iter()
            .any(|entry| entry.workspace == workspace)
    }

    /// The set-up at `index`, read with the checks of a saved workspace.
    pub fn open(&self, index: usize) -> Option<Result<Workspace, LoadError>> {
        let entry = self.entries.get(index)?;
        Some(super::decode_saved(&entry.workspace.to_string()))
    }
}

/// `ws` as the JSON value a save holds.
fn saved_value(ws: &Workspace) -> Value {
    serde_json::from_str(&encode_saved(ws)).unwrap_or(Value::Null)
}

/// A short name for a set-up: its preset (or topic) and first question.
///
/// ```
/// use parallel_playground::workspace::{describe, Workspace};
///
/// assert_eq!(describe(&Workspace::default()), "Travel guide — Paris");
/// ```
pub fn describe(ws: &Workspace) -> String {
    const LONGEST: usize = 60;
    // Without the explanation in brackets (“Travel guide (the seeds' example)”).
    let title = preset(&ws.preset).map(|p| {
        let short = p.title.split(" (").next().unwrap_or(p.title);
        short.trim().to_string()
    });
    let first = ws
        .questions
        .first()
        .map(|q| q.text.trim().to_string())
        .filter(|t| !t.is_empty());
    let topic = Some(ws.topic.trim().to_string()).filter(|t| !t.is_empty());
    let name = match (title, topic, first) {
        (Some(title), Some(topic), _) => format!("{title} — {topic}"),
        (Some(title), None, _) => title,
        (None, Some(topic), Some(first)) => format!("{topic}: {first}"),
        (None, Some(topic), None) => topic,
        (None, None, Some(first)) => first,
        (None, None, None) => "Empty set-up".to_string(),
    };
    if name.chars().count() > LONGEST {
        let cut: String = name.chars().take(LONGEST - 1).collect();
        format!("{cut}…")
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_keeps_the_newest_distinct_set_ups() {
        let mut list = SavedSetups::default();
        for i in 0..8 {
            let ws = Workspace {
                topic: format!("Town {i}"),
                ..Workspace::default()
            };
            list.remember(&ws, "before opening a link", f64::from(i));
        }
        assert_eq!(list.entries.len(), MAX_SAVED_SETUPS);
        assert_eq!(list.entries[0].name, "Travel guide — Town 7");
        let decoded = SavedSetups::decode(&list.encode()).expect("reads back");
        assert_eq!(decoded.entries, list.entries);
    }

    #[test]
    fn an_entry_from_a_newer_version_is_kept_but_not_opened() {
        let mut list = SavedSetups::default();
        list.remember(&Workspace::default(), "x", 0.0);
        list.entries[0].workspace["version"] = Value::from(99);
        assert!(matches!(
            list.open(0),
            Some(Err(LoadError::NewerVersion { found: 99 }))
        ));
        let other = Workspace {
            topic: "Rome".into(),
            ..Workspace::default()
        };
        list.remember(&other, "y", 1.0);
        assert_eq!(list.entries[1].workspace["version"], 99);
    }
}
