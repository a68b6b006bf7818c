//! The guided lesson on the real page: each step sets up the workspace, highlights the control
//! to press, and explains the run that follows with its own numbers.

use super::state::{use_app, AppState};
use crate::browser::page;
use crate::lesson::{explain_run, STEPS};
use leptos::prelude::*;

/// Where the lesson's progress is kept, so it can be left and resumed.
const LESSON_STORAGE: &str = "parallel-playground.lesson-step";

/// The class that marks the control a step asks for.
const TARGET_CLASS: &str = "lesson-target";

/// The lesson's state: the step on show (if any) and the run number when it began.
#[derive(Clone, Copy)]
pub struct Lesson {
    pub step: RwSignal<Option<usize>>,
    /// Runs numbered above this one belong to the current step.
    baseline: RwSignal<u64>,
    app: AppState,
}

impl Lesson {
    pub fn new(app: AppState) -> Lesson {
        Lesson {
            step: RwSignal::new(None),
            baseline: RwSignal::new(0),
            app,
        }
    }

    /// The step saved when the person last left the lesson.
    pub fn saved_step() -> Option<usize> {
        page::storage_get(LESSON_STORAGE)
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|s| *s < STEPS.len())
    }

    /// Enters step `index`: sets up the workspace for it and remembers the place.
    pub fn enter(&self, index: usize) {
        let app = self.app;
        let Some(step) = STEPS.get(index) else {
            return;
        };
        app.runs.cancel_all();
        app.workspace.update(|ws| *ws = step.workspace(ws));
        app.errors.set(Vec::new());
        // The step's runs are counted on the run of the step's mode.
        self.baseline
            .set(app.shown_run().run_number.get_untracked());
        self.step.set(Some(index));
        page::storage_set(LESSON_STORAGE, &index.to_string());
    }

    /// Leaves the lesson (the step stays saved for later).
    pub fn leave(&self) {
        self.step.set(None);
        mark_target(None);
    }
}

/// Puts the highlight on the control with `testid` (and takes it off any other).
fn mark_target(testid: Option<&'static str>) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(marked) = document.query_selector_all(&format!(".{TARGET_CLASS}")) {
        for i in 0..marked.length() {
            if let Some(el) = marked
                .item(i)
                .and_then(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
            {
                let _ = el.class_list().remove_1(TARGET_CLASS);
            }
        }
    }
    if let Some(testid) = testid {
        if let Ok(Some(el)) = document.query_selector(&format!("[data-testid=\"{testid}\"]")) {
            let _ = el.class_list().add_1(TARGET_CLASS);
        }
    }
}

/// The lesson card above the run controls.
#[component]
pub fn LessonCard() -> impl IntoView {
    let app = use_app();
    let lesson = expect_context::<Lesson>();
    let live = app.live;
    // Keep the highlight on the step's control (after the page has rendered it).
    Effect::new(move |_| {
        let target = lesson
            .step
            .get()
            .and_then(|i| STEPS.get(i))
            .map(|s| s.control());
        app.workspace.with(|w| w.mode);
        request_animation_frame(move || mark_target(target));
    });
    let explanation = move || {
        let index = lesson.step.get()?;
        if live.run_number.get() <= lesson.baseline.get() {
            return None;
        }
        live.with_finished_view(|view| {
            live.with_experiment(|e| live.figures.with(|f| explain_run(index, view, f, e)))
                .flatten()
        })?
    };
    view! {
        {move || lesson.step.get().and_then(|i| STEPS.get(i).map(|s| (i, s))).map(|(index, step)| {
            let last = index + 1 == STEPS.len();
            view! {
                <section class="lesson" data-testid="lesson" data-step=index + 1 aria-label="Lesson">
                    <div class="lesson-head">
                        <h2>{format!("Lesson · step {} of {} — {}", index + 1, STEPS.len(), step.title)}</h2>
                        <button class="icon" data-testid="lesson-leave" aria-label="Leave the lesson (you can resume it later)"
                            on:click=move |_| lesson.leave()>"✕"</button>
                    </div>
                    <p>{step.goal}</p>
                    <p class="instruction"><strong>"Now: "</strong>{step.instruction}</p>
                    {move || explanation().map(|text| view! {
                        <p class="lesson-explanation" data-testid="lesson-explanation" role="status">{text}</p>
                    })}
                    <div class="lesson-nav">
                        <button data-testid="lesson-back" prop:disabled=index == 0
                            on:click=move |_| lesson.enter(index.saturating_sub(1))>"← Back"</button>
                        <Show when=move || !last fallback=move || view! {
                            <button class="primary" data-testid="lesson-finish" on:click=move |_| lesson.leave()>"Finish"</button>
                        }>
                            <button class="primary" data-testid="lesson-next" on:click=move |_| lesson.enter(index + 1)>"Next →"</button>
                        </Show>
                        <a data-testid="lesson-link" href=format!("#lesson={}", index + 1)>"Link to this step"</a>
                    </div>
                </section>
            }
        })}
    }
}

/// The header button that starts or resumes the lesson.
#[component]
pub fn LessonButton() -> impl IntoView {
    let lesson = expect_context::<Lesson>();
    let label = move || match (lesson.step.get(), Lesson::saved_step()) {
        (Some(_), _) => "Lesson (on)".to_string(),
        (None, Some(step)) if step > 0 => format!("Resume the lesson (step {})", step + 1),
        _ => "Start the lesson".to_string(),
    };
    view! {
        <button data-testid="lesson-start" on:click=move |_| {
            if lesson.step.get_untracked().is_none() {
                lesson.enter(Lesson::saved_step().unwrap_or(0));
            }
        }>{label}</button>
    }
}
