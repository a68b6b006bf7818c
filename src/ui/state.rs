//! [`AppState`]: what the whole page shares — the workspace, the key, the live run — and the
//! actions that start runs, save the workspace and restore it.

use super::live::LiveRun;
use super::mode_runs::ModeRuns;
use super::session::Session;
use crate::browser::page;
use crate::browser::BrowserClock;
use crate::engine::{RunMode, VariantRun};
use crate::providers::http::HttpProvider;
use crate::providers::simulated::{SimBehaviour, SimulatedProvider};
use crate::providers::{check_http_setup, ApiFormat, Provider};
use crate::workspace::{encode_share, Invalid, PageMode, ProviderKind, Workspace};
use leptos::prelude::*;
use std::rc::Rc;

/// Where the key is kept when the person ticks "remember on this device".
const KEY_STORAGE: &str = "parallel-playground.api-key";
/// Where the theme choice is kept.
const THEME_STORAGE: &str = "parallel-playground.theme";

/// Light, dark, or whatever the system prefers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    fn parse(value: &str) -> Theme {
        match value {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }

    /// The value stored and put on `<html data-theme>`.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The next theme of the toggle: system → light → dark → system.
    pub fn next(self) -> Theme {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }
}

/// The results tab on show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultsTab {
    Synthesis,
    Answers,
    Log,
    Code,
}

/// The page's shared state, handed to components through context.
#[derive(Clone, Copy)]
pub struct AppState {
    pub workspace: RwSignal<Workspace>,
    /// The API key: kept out of the workspace so it never reaches storage, links or exports.
    pub api_key: RwSignal<String>,
    /// Keep the key in this browser's storage.
    pub remember_key: RwSignal<bool>,
    /// The run on show: under [`super::mode_runs::ShownRun`] that of the mode on show. Outside
    /// it, use [`AppState::shown_run`].
    pub live: LiveRun,
    /// Each mode's own run.
    pub runs: ModeRuns,
    /// Saving, set-ups put aside, links.
    pub session: Session,
    /// Problems that stop a run, shown as `error`.
    pub errors: RwSignal<Vec<String>>,
    /// Things the person should know (a link was opened; a damaged save or link, as errors).
    pub notices: RwSignal<Vec<(String, bool)>>,
    pub theme: RwSignal<Theme>,
    pub tab: RwSignal<ResultsTab>,
}

/// The page's shared state.
pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

impl AppState {
    /// The state at page load: the workspace from a share link (the person's own kept aside),
    /// else from storage, else the default — with a notice whenever something could not be read.
    pub fn load() -> AppState {
        let start = super::session::start();
        let remembered = page::storage_get(KEY_STORAGE);
        let theme = page::storage_get(THEME_STORAGE)
            .map(|t| Theme::parse(&t))
            .unwrap_or(Theme::System);
        let runs = ModeRuns::new();
        AppState {
            remember_key: RwSignal::new(remembered.is_some()),
            api_key: RwSignal::new(remembered.unwrap_or_default()),
            live: runs.of(start.workspace.mode),
            runs,
            session: start.session,
            workspace: RwSignal::new(start.workspace),
            errors: RwSignal::new(Vec::new()),
            notices: RwSignal::new(start.notices),
            theme: RwSignal::new(theme),
            tab: RwSignal::new(ResultsTab::Synthesis),
        }
    }

    /// The run of the mode on show (for code outside [`super::mode_runs::ShownRun`]).
    pub fn shown_run(&self) -> LiveRun {
        self.runs.of(self.workspace.with_untracked(|w| w.mode))
    }

    /// Keeps the workspace, the key (only if remembered) and the theme in storage as they
    /// change, and opens share links that arrive while the page is open.
    pub fn persist(&self) {
        let this = *self;
        self.keep_saved();
        Effect::new(move |_| {
            if this.remember_key.get() {
                page::storage_set(KEY_STORAGE, &this.api_key.get());
            } else {
                page::storage_remove(KEY_STORAGE);
            }
        });
        Effect::new(move |_| {
            let theme = this.theme.get();
            page::set_root_attribute(
                "data-theme",
                (theme != Theme::System).then_some(theme.as_str()),
            );
            page::storage_set(THEME_STORAGE, theme.as_str());
        });
    }

    /// A link that opens this set-up (never the key).
    pub fn share_link(&self) -> String {
        let fragment = self.workspace.with_untracked(encode_share);
        format!("{}#{fragment}", page::page_url())
    }

    /// Validates the workspace and starts a research run (or, in the agents lab, the agents),
    /// or shows what is wrong.
    pub fn run(&self, mode: RunMode) {
        let ws = self.workspace.get_untracked();
        if ws.mode == PageMode::Agents {
            return self.run_agents();
        }
        let live = self.runs.of(PageMode::Research);
        if !ws.variants.is_empty() {
            return self.run_variants(live, &ws, mode);
        }
        let rounds = ws.run.rounds;
        let this = *self;
        let for_rounds = ws.clone();
        self.start_checked(
            live,
            &ws,
            ws.plan(mode),
            move |live, plan, provider, url| {
                let simulated = for_rounds.provider.kind == ProviderKind::Simulated;
                let slow_knob = simulated.then_some(for_rounds.simulation.slow_rate);
                // Each round of the simulated model draws fresh timings from its own seed.
                let provider_for: super::live::ProviderForRound = Rc::new(move |round| {
                    if !simulated || round <= 1 {
                        return provider.clone();
                    }
                    let mut ws = for_rounds.clone();
                    ws.simulation.seed = crate::experiment::round_seed(ws.simulation.seed, round);
                    this.provider_for(&ws).unwrap_or_else(|_| provider.clone())
                });
                live.start_rounds(plan, rounds, slow_knob, provider_for, url)
            },
        );
    }

    /// Validates the chosen pattern and runs its baseline and strategy (sectioning is the
    /// compare of the research page).
    pub fn run_pattern(&self) {
        let ws = self.workspace.get_untracked();
        if ws.mode == PageMode::Agents {
            return self.run_agents();
        }
        if ws.patterns.pattern == crate::patterns::Pattern::Sectioning {
            return self.run(RunMode::Compare);
        }
        let live = self.runs.of(PageMode::Research);
        // Hedging repeats over the rounds (its tail needs many calls); the others run once.
        let rounds = match ws.patterns.pattern {
            crate::patterns::Pattern::Hedging => ws.run.rounds.max(1),
            _ => 1,
        };
        let this = *self;
        let for_rounds = ws.clone();
        self.start_sampled(
            live,
            &ws,
            ws.pattern_plan(),
            true,
            move |live, plan, provider, url| {
                let simulated = for_rounds.provider.kind == ProviderKind::Simulated;
                // Each round of the simulated model draws fresh timings from its own seed.
                let provider_for: super::live::ProviderForRound = Rc::new(move |round| {
                    if !simulated || round <= 1 {
                        return provider.clone();
                    }
                    let mut ws = for_rounds.clone();
                    ws.simulation.seed = crate::experiment::round_seed(ws.simulation.seed, round);
                    this.provider_of(&ws, ProviderKind::Simulated, true)
                        .unwrap_or_else(|_| provider.clone())
                });
                live.start_pattern(plan, rounds, provider_for, url)
            },
        );
    }

    /// Starts every variant of the set-up, each with its own provider, or lists what stops it.
    fn run_variants(&self, live: LiveRun, ws: &Workspace, mode: RunMode) {
        let plans = match ws.variant_plans(mode) {
            Ok(plans) => plans,
            Err(problems) => {
                self.errors.set(problems.into_iter().map(|p| p.0).collect());
                return;
            }
        };
        // Every provider is checked once before anything runs.
        let mut url = None;
        let mut kinds = Vec::with_capacity(plans.len());
        for (variant, _, kind) in &plans {
            if let Err(message) = self.provider_of(ws, *kind, false) {
                let problem = format!("Variant {}: {message}", variant.letter());
                return self.errors.set(vec![problem]);
            }
            url = url.or_else(|| network_url_of(ws, *kind));
            kinds.push(*kind);
        }
        self.errors.set(Vec::new());
        self.runs.cancel_all();
        let this = *self;
        let base = ws.clone();
        let slow_knob = kinds
            .contains(&ProviderKind::Simulated)
            .then_some(ws.simulation.slow_rate);
        // Each round of a simulated variant draws fresh timings from its own seed.
        let runs_for: super::live::VariantsForRound = Rc::new(move |round| {
            let mut ws = base.clone();
            ws.simulation.seed = crate::experiment::round_seed(ws.simulation.seed, round);
            plans
                .iter()
                .filter_map(|(variant, plan, kind)| {
                    Some(VariantRun {
                        variant: *variant,
                        plan: plan.clone(),
                        provider: this.provider_of(&ws, *kind, false).ok()?,
                    })
                })
                .collect()
        });
        live.start_variant_rounds(runs_for, ws.variants.timing, ws.run.rounds, slow_knob, url);
    }

    /// Validates the agents set-up and starts the agents compare (tools and conversations one at
    /// a time, and in parallel).
    pub fn run_agents_compare(&self) {
        let ws = self.workspace.get_untracked();
        let live = self.runs.of(PageMode::Agents);
        let timing = ws.run.compare_timing;
        self.start_checked(
            live,
            &ws,
            ws.agent_plan(),
            move |live, plan, provider, url| live.start_agents_compare(plan, timing, provider, url),
        );
    }

    /// Validates the agents set-up and starts its conversations.
    pub fn run_agents(&self) {
        let ws = self.workspace.get_untracked();
        let live = self.runs.of(PageMode::Agents);
        self.start_checked(live, &ws, ws.agent_plan(), |live, plan, provider, url| {
            live.start_agents(plan, provider, url)
        });
    }

    /// Starts `plan` on `live` with the workspace's provider (cancelling a run of the other
    /// mode), or lists what stops it.
    fn start_checked<P>(
        &self,
        live: LiveRun,
        ws: &Workspace,
        plan: Result<P, Vec<Invalid>>,
        start: impl FnOnce(&LiveRun, P, Rc<dyn Provider>, Option<String>),
    ) {
        self.start_sampled(live, ws, plan, false, start)
    }

    /// [`AppState::start_checked`]; with `sampling`, the simulated model answers each request
    /// as a fresh sample (the patterns).
    fn start_sampled<P>(
        &self,
        live: LiveRun,
        ws: &Workspace,
        plan: Result<P, Vec<Invalid>>,
        sampling: bool,
        start: impl FnOnce(&LiveRun, P, Rc<dyn Provider>, Option<String>),
    ) {
        let plan = match plan {
            Ok(plan) => plan,
            Err(problems) => {
                self.errors.set(problems.into_iter().map(|p| p.0).collect());
                return;
            }
        };
        match self.provider_of(ws, ws.provider.kind, sampling) {
            Ok(provider) => {
                self.errors.set(Vec::new());
                self.runs.cancel_all();
                start(&live, plan, provider, network_url(ws));
            }
            Err(message) => self.errors.set(vec![message]),
        }
    }

    /// The provider the workspace asks for, or why it cannot be used.
    pub(crate) fn provider_for(&self, ws: &Workspace) -> Result<Rc<dyn Provider>, String> {
        self.provider_of(ws, ws.provider.kind, false)
    }

    /// A provider of `kind` with the workspace's settings for it (address, key, simulation);
    /// the simulated model samples (a fresh answer per request) when `sampling`.
    pub(crate) fn provider_of(
        &self,
        ws: &Workspace,
        kind: ProviderKind,
        sampling: bool,
    ) -> Result<Rc<dyn Provider>, String> {
        let key = self.api_key.get_untracked();
        match kind {
            ProviderKind::Simulated => {
                let filled = ws.filled_questions();
                let mut provider =
                    SimulatedProvider::new(Rc::new(BrowserClock), ws.simulation.clone());
                for (question, text) in ws.questions.iter().zip(&filled) {
                    if question.simulate != SimBehaviour::Normal {
                        provider = provider.with_behaviour(text, question.simulate);
                    }
                }
                if sampling {
                    provider = provider.sampling();
                }
                Ok(Rc::new(provider))
            }
            ProviderKind::Anthropic => {
                let base =
                    check_http_setup(ApiFormat::Anthropic, &ws.provider.anthropic.base_url, &key)
                        .map_err(|problem| problem.sentence())?;
                Ok(Rc::new(HttpProvider::anthropic(base, &key)))
            }
            ProviderKind::OpenAi => {
                let base = check_http_setup(ApiFormat::OpenAi, &ws.provider.openai.base_url, &key)
                    .map_err(|problem| problem.sentence())?;
                Ok(Rc::new(HttpProvider::openai(base, &key)))
            }
        }
    }
}

/// Where an HTTP provider's requests go (their timing entries start with it).
fn network_url(ws: &Workspace) -> Option<String> {
    network_url_of(ws, ws.provider.kind)
}

/// Where requests of a provider of `kind` go.
fn network_url_of(ws: &Workspace, kind: ProviderKind) -> Option<String> {
    match kind {
        ProviderKind::Simulated => None,
        ProviderKind::Anthropic => Some(ws.provider.anthropic.base_url.trim().to_string()),
        ProviderKind::OpenAi => Some(ws.provider.openai.base_url.trim().to_string()),
    }
}
