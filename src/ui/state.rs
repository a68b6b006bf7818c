//! [`AppState`]: what the whole page shares — the workspace, the key, the live run.

use super::live::LiveRun;
use crate::browser::BrowserClock;
use crate::engine::RunMode;
use crate::providers::simulated::{SimBehaviour, SimulatedProvider};
use crate::providers::Provider;
use crate::workspace::{ProviderKind, Workspace};
use leptos::prelude::*;
use std::rc::Rc;

/// The page's shared state, handed to components through context.
#[derive(Clone, Copy)]
pub struct AppState {
    pub workspace: RwSignal<Workspace>,
    /// The API key: kept out of the workspace so it never reaches storage, links or exports.
    pub api_key: RwSignal<String>,
    pub live: LiveRun,
    /// Messages for the person (validation problems, set-up errors), shown as `error`.
    pub errors: RwSignal<Vec<String>>,
}

/// The page's shared state.
pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

impl AppState {
    pub fn new(workspace: Workspace) -> AppState {
        AppState {
            workspace: RwSignal::new(workspace),
            api_key: RwSignal::new(String::new()),
            live: LiveRun::new(),
            errors: RwSignal::new(Vec::new()),
        }
    }

    /// Validates the workspace and starts a run, or shows what is wrong.
    pub fn run(&self, mode: RunMode) {
        let ws = self.workspace.get_untracked();
        let plan = match ws.plan(mode) {
            Ok(plan) => plan,
            Err(problems) => {
                self.errors.set(problems.into_iter().map(|p| p.0).collect());
                return;
            }
        };
        match self.provider_for(&ws) {
            Ok(provider) => {
                self.errors.set(Vec::new());
                self.live.start(plan, provider);
            }
            Err(message) => self.errors.set(vec![message]),
        }
    }

    /// The provider the workspace asks for.
    fn provider_for(&self, ws: &Workspace) -> Result<Rc<dyn Provider>, String> {
        match ws.provider.kind {
            ProviderKind::Simulated => {
                let filled = ws.filled_questions();
                let mut provider =
                    SimulatedProvider::new(Rc::new(BrowserClock), ws.simulation.clone());
                for (question, text) in ws.questions.iter().zip(&filled) {
                    if question.simulate != SimBehaviour::Normal {
                        provider = provider.with_behaviour(text, question.simulate);
                    }
                }
                Ok(Rc::new(provider))
            }
            ProviderKind::Anthropic | ProviderKind::OpenAi => Err(
                "The HTTP providers are not wired into this build yet; use the simulated model."
                    .into(),
            ),
        }
    }
}
