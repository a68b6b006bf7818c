//! [`Session`]: how this tab keeps the person's work — the save in `localStorage`, the set-ups
//! put aside ([`SavedSetups`]), and share links opened at load or later (`hashchange`).
//!
//! The rules live in [`crate::workspace::recovery`]; here they meet the browser: every write is
//! checked, and what is said depends on whether it succeeded.

use super::state::AppState;
use crate::browser::page;
use crate::workspace::recovery::{self, Persistence, NEWER_KEY, SAVE_FAILED};
use crate::workspace::{
    decode_saved, decode_share, encode_saved, fragment_param, fragment_without, LoadError,
    SavedSetups, ShareError, Workspace, DAMAGED_SETUPS_KEY, SAVED_SETUPS_KEY, SHARE_PARAM,
    STORAGE_KEY,
};
use leptos::prelude::*;

/// The offer shown after a link replaced the person's set-up.
#[derive(Clone, Debug, PartialEq)]
pub struct RestoreOffer {
    /// The person's set-up from before the link.
    pub own: Workspace,
}

/// This tab's saving state, shared through [`AppState`].
#[derive(Clone, Copy)]
pub struct Session {
    /// Whether changes are written to storage.
    pub persistence: RwSignal<Persistence>,
    /// Set while the last write of the save failed (a sentence for the person).
    pub save_problem: RwSignal<Option<String>>,
    /// The set-ups put aside, newest first.
    pub setups: RwSignal<SavedSetups>,
    /// “Restore your set-up”, while it applies.
    pub restore: RwSignal<Option<RestoreOffer>>,
}

/// What the page starts with.
pub struct Start {
    pub workspace: Workspace,
    pub notices: Vec<(String, bool)>,
    pub session: Session,
}

/// Reads the save, the set-ups put aside and a link in the address bar.
pub fn start() -> Start {
    let mut notices = Vec::new();
    let mut persistence = Persistence::Save;
    let own = match page::storage_get(STORAGE_KEY) {
        None => None,
        Some(saved) => match decode_saved(&saved) {
            Ok(ws) => Some(ws),
            Err(error) => {
                let kept = keep_aside(&error, &saved);
                let (sentence, then) = recovery::unreadable_save(&error, kept);
                notices.push((sentence, true));
                persistence = then;
                None
            }
        },
    };
    let session = Session {
        persistence: RwSignal::new(persistence),
        save_problem: RwSignal::new(None),
        setups: RwSignal::new(read_setups()),
        restore: RwSignal::new(None),
    };
    let mut workspace = own.clone().unwrap_or_default();
    let fragment = page::fragment();
    if fragment_param(&fragment, SHARE_PARAM).is_some() {
        match session.take_link(&fragment, own.as_ref()) {
            Ok((link, notice)) => {
                workspace = link;
                notices.push(notice);
            }
            Err(error) => notices.push((error.to_string(), true)),
        }
    }
    Start {
        workspace,
        notices,
        session,
    }
}

/// Copies an unusable save to where [`recovery::aside_key`] says; false if that failed.
fn keep_aside(error: &LoadError, saved: &str) -> bool {
    let key = recovery::aside_key(error);
    // A newer save already copied aside by an earlier visit is the same text: keep the first.
    if key == NEWER_KEY && page::storage_get(key).as_deref() == Some(saved) {
        return true;
    }
    page::storage_set(key, saved)
}

fn read_setups() -> SavedSetups {
    let Some(text) = page::storage_get(SAVED_SETUPS_KEY) else {
        return SavedSetups::default();
    };
    SavedSetups::decode(&text).unwrap_or_else(|_| {
        // Keep the damaged list before a new one is written over it.
        page::storage_set(DAMAGED_SETUPS_KEY, &text);
        SavedSetups::default()
    })
}

impl Session {
    /// Reads a link in `fragment` and removes it from the address bar. On success returns the
    /// link's set-up and the notice, after putting `own` aside (when there is one that differs).
    fn take_link(
        &self,
        fragment: &str,
        own: Option<&Workspace>,
    ) -> Result<(Workspace, (String, bool)), ShareError> {
        page::replace_fragment(&fragment_without(fragment, SHARE_PARAM));
        let link = decode_share(fragment)?;
        let own = own.filter(|own| **own != link);
        let kept = own.map(|own| {
            let kept = self.put_aside(own, "before opening a link");
            if !kept {
                // The save still holds the person's own set-up: do not write the link over it.
                self.persistence.set(Persistence::InMemory(
                    "Changes are not saved: your own set-up could not be kept aside, so its \
                     save is left as it was."
                        .into(),
                ));
            }
            kept
        });
        self.restore
            .set(own.map(|own| RestoreOffer { own: own.clone() }));
        Ok((link, (recovery::link_opened(kept), false)))
    }

    /// Adds `ws` to the set-ups put aside; false if the list could not be written.
    pub fn put_aside(&self, ws: &Workspace, why: &str) -> bool {
        let now = js_sys::Date::now();
        self.setups.update(|list| list.remember(ws, why, now));
        let text = self.setups.with_untracked(SavedSetups::encode);
        page::storage_set(SAVED_SETUPS_KEY, &text)
    }
}

impl AppState {
    /// Opens a link that arrived in an open tab (only the fragment changed).
    pub fn open_link_from_address(&self) {
        let fragment = page::fragment();
        if fragment_param(&fragment, SHARE_PARAM).is_none() {
            return;
        }
        let own = self.workspace.get_untracked();
        match self.session.take_link(&fragment, Some(&own)) {
            Ok((link, notice)) => {
                self.shown_run().cancel();
                self.workspace.set(link);
                self.errors.set(Vec::new());
                self.notices.set(vec![notice]);
            }
            Err(error) => self.notices.set(vec![(error.to_string(), true)]),
        }
    }

    /// “Restore your set-up”: brings back the person's own set-up and puts the link's aside.
    pub fn restore_own_setup(&self) {
        let Some(offer) = self.session.restore.get_untracked() else {
            return;
        };
        let link = self.workspace.get_untracked();
        let kept = self.session.put_aside(&link, "opened from a link");
        self.workspace.set(offer.own);
        self.session.restore.set(None);
        let sentence = if kept {
            "Restored your set-up; the set-up from the link is kept in “Saved set-ups”."
        } else {
            "Restored your set-up. The set-up from the link could not be kept (this browser's \
             storage is full or blocked)."
        };
        self.notices.set(vec![(sentence.to_string(), !kept)]);
    }

    /// Opens the set-up put aside at `index`, putting the current one aside first.
    pub fn open_saved_setup(&self, index: usize) {
        let Some(opened) = self.session.setups.with_untracked(|l| l.open(index)) else {
            return;
        };
        match opened {
            Ok(ws) => {
                let current = self.workspace.get_untracked();
                if current != ws {
                    self.session
                        .put_aside(&current, "before opening a saved set-up");
                }
                self.workspace.set(ws);
                self.session.restore.set(None);
                self.notices.set(vec![(
                    "Opened the saved set-up; the one you had is kept in “Saved set-ups”.".into(),
                    false,
                )]);
            }
            Err(error) => self.notices.set(vec![(
                format!("{error} It stays in the list unchanged."),
                true,
            )]),
        }
    }

    /// Writes the workspace whenever it changes (unless this tab works in memory) and says so
    /// when a write fails; opens links that arrive while the page is open.
    pub(super) fn keep_saved(&self) {
        let this = *self;
        Effect::new(move |_| {
            let text = this.workspace.with(encode_saved);
            if this.session.persistence.with(|p| *p != Persistence::Save) {
                return;
            }
            let saved = page::storage_set(STORAGE_KEY, &text);
            let problem = (!saved).then(|| SAVE_FAILED.to_string());
            if this.session.save_problem.with_untracked(|p| *p != problem) {
                this.session.save_problem.set(problem);
            }
        });
        let links = window_event_listener(leptos::ev::hashchange, move |_| {
            this.open_link_from_address()
        });
        on_cleanup(move || links.remove());
    }
}
