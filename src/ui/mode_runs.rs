//! Each half of the page keeps its own run: switching between Research and the Agents lab shows
//! that mode's last run (or none), never the other's figures or timeline.
//!
//! The components of the run area read `use_app().live`; [`ShownRun`] gives them an
//! [`AppState`] whose `live` is the run of the mode on show, and builds them anew when the
//! mode changes.

use super::live::LiveRun;
use super::state::{use_app, AppState};
use crate::workspace::PageMode;
use leptos::context::Provider;
use leptos::prelude::*;

/// One run per page mode.
#[derive(Clone, Copy)]
pub struct ModeRuns {
    research: LiveRun,
    agents: LiveRun,
}

impl ModeRuns {
    pub fn new() -> ModeRuns {
        ModeRuns {
            research: LiveRun::new(),
            agents: LiveRun::new(),
        }
    }

    /// The run of `mode`.
    pub fn of(&self, mode: PageMode) -> LiveRun {
        match mode {
            PageMode::Research => self.research,
            PageMode::Agents => self.agents,
        }
    }

    /// Cancels whatever runs, in either mode (one run at a time keeps the timings honest).
    pub fn cancel_all(&self) {
        for run in [self.research, self.agents] {
            if run.running.get_untracked() {
                run.cancel();
            }
        }
    }
}

impl Default for ModeRuns {
    fn default() -> Self {
        ModeRuns::new()
    }
}

/// Renders `children` with `use_app().live` set to the run of the mode on show.
#[component]
pub fn ShownRun(children: ChildrenFn) -> impl IntoView {
    let app = use_app();
    let mode = Memo::new(move |_| app.workspace.with(|w| w.mode));
    move || {
        let scoped = AppState {
            live: app.runs.of(mode.get()),
            ..app
        };
        let children = children.clone();
        view! { <Provider value=scoped>{children()}</Provider> }
    }
}
