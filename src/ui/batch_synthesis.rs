//! The syntheses of imported batch results, one per variant: read from the program's file, or
//! run here, each with its variant's provider and model over that variant's answers (the
//! prompt comes from [`crate::batch::view::synthesis_request`]). Voting jobs have none: the
//! majority of each question's samples is their result.

use super::state::AppState;
use crate::batch::import::Imported;
use crate::batch::view::synthesis_request;
use crate::batch::BatchJob;
use crate::engine::{RunMode, SynthesisSkip};
use crate::providers::{ModelRequest, ProviderEvent};
use futures::StreamExt;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// One variant's synthesis of imported results.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchSynthesis {
    /// `A`–`D`.
    pub variant: char,
    /// `none`, `streaming`, `done`, `skipped` or `failed`.
    pub status: &'static str,
    pub text: String,
    pub reason: String,
    /// It came from the file rather than from a call made here.
    pub from_file: bool,
}

impl BatchSynthesis {
    fn none(variant: char) -> BatchSynthesis {
        BatchSynthesis {
            variant,
            status: "none",
            text: String::new(),
            reason: String::new(),
            from_file: false,
        }
    }
}

/// The syntheses of a fresh import: those the file brings, and the variants the page still
/// has to synthesize (none for a voting job).
pub fn from_file(job: &BatchJob, imported: &Imported) -> (Vec<BatchSynthesis>, Vec<char>) {
    if job.voting.is_some() {
        return (Vec::new(), Vec::new());
    }
    let mut shown = Vec::new();
    let mut to_run = Vec::new();
    for variant in &job.variants {
        match imported
            .syntheses
            .iter()
            .find(|(v, _)| *v == variant.letter)
        {
            Some((_, s)) => shown.push(BatchSynthesis {
                variant: variant.letter,
                status: match s.status.as_str() {
                    "done" => "done",
                    "skipped" => "skipped",
                    _ => "failed",
                },
                text: s.text.clone(),
                reason: s.reason.clone().unwrap_or_default(),
                from_file: true,
            }),
            None => {
                shown.push(BatchSynthesis::none(variant.letter));
                to_run.push(variant.letter);
            }
        }
    }
    (shown, to_run)
}

/// Runs variant `variant`'s synthesis of the imported answers with its provider and model.
pub fn synthesize_here(
    app: AppState,
    imported: RwSignal<Option<(Imported, BatchJob)>>,
    syntheses: RwSignal<Vec<BatchSynthesis>>,
    variant: char,
) {
    let set = move |s: BatchSynthesis| {
        syntheses.update(|all| {
            if let Some(slot) = all.iter_mut().find(|x| x.variant == s.variant) {
                *slot = s;
            }
        })
    };
    let Some((prompt, answered, job)) = imported.with_untracked(|i| {
        i.as_ref().map(|(imported, job)| {
            let (prompt, answered) = synthesis_request(job, imported, variant);
            (prompt, answered, job.clone())
        })
    }) else {
        return;
    };
    let skipped = |reason: String| BatchSynthesis {
        status: "skipped",
        reason,
        ..BatchSynthesis::none(variant)
    };
    let total = job.questions.len();
    if answered < job.quorum {
        let quorum = job.quorum;
        let skip = SynthesisSkip::BelowQuorum {
            answered,
            total,
            quorum,
        };
        return set(skipped(skip.sentence()));
    }
    let ws = app.workspace.get_untracked();
    let plans = ws.variant_plans(RunMode::Parallel).unwrap_or_default();
    let Some((_, plan, kind)) = plans.iter().find(|(v, _, _)| v.letter() == variant) else {
        return set(skipped(format!(
            "Variant {variant} is no longer in the set-up."
        )));
    };
    let provider = match app.provider_of(&ws, *kind, false) {
        Ok(p) => p,
        Err(reason) => return set(skipped(reason)),
    };
    let max_tokens = job
        .variant(variant)
        .map_or(job.max_tokens, |v| v.max_tokens);
    let mut request = ModelRequest::ask(&plan.model, None, &prompt, max_tokens);
    request.temperature = job.variant(variant).and_then(|v| v.temperature);
    set(BatchSynthesis {
        status: "streaming",
        ..BatchSynthesis::none(variant)
    });
    spawn_local(async move {
        let mut stream = provider.stream(&request, 0);
        let mut text = String::new();
        while let Some(event) = stream.next().await {
            match event {
                Ok(ProviderEvent::TextDelta { text: piece }) => text.push_str(&piece),
                Ok(ProviderEvent::Stop { .. }) => break,
                Ok(_) => {}
                Err(e) => {
                    return set(BatchSynthesis {
                        status: "failed",
                        text,
                        reason: e.to_string(),
                        ..BatchSynthesis::none(variant)
                    });
                }
            }
        }
        set(BatchSynthesis {
            status: "done",
            text,
            ..BatchSynthesis::none(variant)
        });
    });
}
