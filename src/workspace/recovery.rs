//! What the page does with a saved copy it cannot use, and the sentences that say so.
//!
//! The rule: a copy is only written over once it is safe elsewhere. A save from a newer version
//! of the page is never written over (this tab works in memory); a damaged one is written over
//! only when it could be copied aside first. The shell reports whether each write succeeded, so
//! a sentence never claims that a copy was kept when it was not.

use super::LoadError;

/// The `localStorage` key under which a save from a newer version is copied.
pub const NEWER_KEY: &str = "parallel-playground.workspace.newer";

/// Whether the page may write the workspace into storage as it changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Persistence {
    /// Every change is saved.
    Save,
    /// Nothing is written (the saved copy must not be overwritten); the sentence says why.
    InMemory(String),
}

/// Where a copy that could not be loaded is put aside.
pub fn aside_key(error: &LoadError) -> &'static str {
    match error {
        LoadError::NewerVersion { .. } => NEWER_KEY,
        _ => super::DAMAGED_KEY,
    }
}

/// The sentence for a saved copy that could not be loaded, and whether saving may go on.
/// `kept_aside` is whether copying it to [`aside_key`] succeeded.
///
/// ```
/// use parallel_playground::workspace::{recovery::*, LoadError};
///
/// let (sentence, persistence) = unreadable_save(&LoadError::NotAnObject, false);
/// assert!(sentence.contains("could not be copied aside"), "{sentence}");
/// assert!(matches!(persistence, Persistence::InMemory(_)));
/// ```
pub fn unreadable_save(error: &LoadError, kept_aside: bool) -> (String, Persistence) {
    let key = aside_key(error);
    match (error, kept_aside) {
        (LoadError::NewerVersion { .. }, kept) => {
            let copy = if kept {
                format!(" (a copy is also under “{key}”)")
            } else {
                String::new()
            };
            let why = "the saved set-up comes from a newer version of the page, which this \
                       version must not overwrite";
            (
                format!(
                    "{error} It is left unchanged{copy}; this tab shows the default set-up and \
                     works in memory: changes made here are not saved."
                ),
                Persistence::InMemory(format!("Changes are not saved: {why}.")),
            )
        }
        (_, true) => (
            format!(
                "{error} The default set-up was loaded; the damaged copy was kept under “{key}”."
            ),
            Persistence::Save,
        ),
        (_, false) => (
            format!(
                "{error} It could not be copied aside (this browser's storage is full or \
                 blocked), so it is left where it was; this tab shows the default set-up and \
                 works in memory: changes made here are not saved."
            ),
            Persistence::InMemory(
                "Changes are not saved: the damaged saved copy could not be kept aside.".into(),
            ),
        ),
    }
}

/// The sentence after a link's set-up was opened. `kept_own` is `None` when the person had
/// nothing of their own to keep (or it equals the link's), else whether keeping it succeeded.
pub fn link_opened(kept_own: Option<bool>) -> String {
    match kept_own {
        None => "Opened the set-up from the link.".into(),
        Some(true) => "Opened the set-up from the link. Your own set-up was kept in “Saved \
                       set-ups”; “Restore your set-up” brings it back."
            .into(),
        Some(false) => "Opened the set-up from the link. Your own set-up could not be kept in \
                        this browser's storage (it is full or blocked), so the saved copy is \
                        left as it was and this tab works in memory; “Restore your set-up” \
                        brings yours back."
            .into(),
    }
}

/// What is said when the page cannot write its save.
pub const SAVE_FAILED: &str = "Your changes could not be saved in this browser (its storage is \
     full or blocked); they stay in this tab only. Export the run or make a share link to keep \
     them.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::{ContentProblem, DAMAGED_KEY};

    #[test]
    fn a_newer_save_is_never_written_over_even_when_its_copy_was_kept() {
        for kept in [true, false] {
            let (sentence, persistence) =
                unreadable_save(&LoadError::NewerVersion { found: 9 }, kept);
            assert!(matches!(persistence, Persistence::InMemory(_)));
            assert_eq!(sentence.contains(NEWER_KEY), kept, "{sentence}");
        }
    }

    #[test]
    fn the_damaged_copy_is_named_only_when_it_was_kept() {
        let error = LoadError::InvalidContent(ContentProblem::BadVersion);
        let (kept, persistence) = unreadable_save(&error, true);
        assert!(kept.contains(DAMAGED_KEY), "{kept}");
        assert_eq!(persistence, Persistence::Save);
        let (lost, _) = unreadable_save(&error, false);
        assert!(!lost.contains("was kept"), "{lost}");
    }
}
