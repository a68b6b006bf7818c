//! Variants in the programs: when the set-up has variants (A–D, differing in provider, model,
//! system prompt, max tokens or temperature), the Python and TypeScript programs carry one block
//! per variant and run the page's research for each of them, at the same time
//! (`asyncio.gather`, `Promise.all`) or one after the other, as the page's variant timing says.
//! Each line a call prints is labelled with its variant (`[B] q2 answered …`), each answer is
//! printed, each variant's figures (wall, sum of call times, tokens in/out) follow every round,
//! and with rounds each variant's p50, p95, p99 and max wall time.
//!
//! An Anthropic variant calls the `anthropic` SDK; an OpenAI-compatible one the `openai` SDK with
//! its own client for its base URL; a simulated one a real Anthropic model that stands in for its
//! profile. Left out, and said so in the header: fail-fast (the variants settle all), the
//! request and token budgets and the adaptive limit. The Rust program runs variant A alone
//! and says so.

mod python;
mod typescript;

use super::{comment_block, seconds_text, CodeLanguage, Setup};
use super::{Runs, SUBSTITUTE_MODEL, TITLE};
use crate::engine::{RunPlan, Variant, VariantTiming};
use crate::providers::simulated::SimProfile;
use crate::workspace::{ProviderKind, Workspace};

/// The API a variant calls, as the program sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VariantApi<'a> {
    /// The page's offline model with this profile (`fast-small`, …): a real Anthropic model
    /// stands in for it.
    Simulated { profile: &'a str },
    /// The Messages API (the program reads `ANTHROPIC_BASE_URL`).
    Anthropic,
    /// An OpenAI-compatible Chat Completions server at `base_url`.
    OpenAi { base_url: &'a str },
}

/// One variant to render: its letter, its plan and the API it calls.
#[derive(Clone, Copy, Debug)]
pub struct VariantCode<'a> {
    pub variant: Variant,
    pub plan: &'a RunPlan,
    pub api: VariantApi<'a>,
}

/// The program that runs every variant of `variants` (A first) in `language`, `rounds` times.
/// With one variant it is [`generate_rounds`](super::generate_rounds)'s program. The Rust
/// program runs the first variant and says that the others are left out.
pub fn generate_variants(
    variants: &[VariantCode<'_>],
    timing: VariantTiming,
    language: CodeLanguage,
    rounds: u32,
) -> String {
    let variants = &variants[..variants.len().min(Variant::MAX)];
    let Some(first) = variants.first() else {
        return generate_rounds_noting_variants(&RunPlan::default(), language, rounds, 0);
    };
    if variants.len() == 1 || language == CodeLanguage::Rust {
        return generate_rounds_noting_variants(first.plan, language, rounds, variants.len() - 1);
    }
    let mut setup = Setup::from_plan(first.plan);
    setup.rounds = rounds.max(1);
    let blocks: Vec<Block<'_>> = variants.iter().map(Block::from_code).collect();
    let program = Program {
        setup,
        blocks,
        together: timing == VariantTiming::SameTime,
    };
    match language {
        CodeLanguage::Python => python::program(&program),
        _ => typescript::program(&program),
    }
}

/// The workspace's program when it has variants ([`Workspace::variant_plans`] gives `plans`):
/// base URLs, simulated profiles, timing and rounds come from `ws`.
pub fn generate_workspace_variants(
    ws: &Workspace,
    plans: &[(Variant, RunPlan, ProviderKind)],
    language: CodeLanguage,
) -> String {
    let all = ws.all_variants();
    let codes: Vec<VariantCode<'_>> = plans
        .iter()
        .enumerate()
        .map(|(i, (variant, plan, kind))| VariantCode {
            variant: *variant,
            plan,
            api: match kind {
                ProviderKind::Simulated => VariantApi::Simulated {
                    profile: all.get(i).map_or("", |v| v.model.as_str()),
                },
                ProviderKind::Anthropic => VariantApi::Anthropic,
                ProviderKind::OpenAi => VariantApi::OpenAi {
                    base_url: &ws.provider.openai.base_url,
                },
            },
        })
        .collect();
    generate_variants(&codes, ws.variants.timing, language, ws.run.rounds)
}

/// As [`generate_rounds`], the header saying that the page's `variants_left_out` other variants
/// are not part of the program.
pub(super) fn generate_rounds_noting_variants(
    plan: &RunPlan,
    language: CodeLanguage,
    rounds: u32,
    variants_left_out: usize,
) -> String {
    let mut setup = Setup::from_plan(plan);
    setup.rounds = rounds.max(1);
    setup.variants_left_out = variants_left_out;
    if language == CodeLanguage::Rust {
        setup.rounds_left_out = setup.rounds > 1;
        setup.rounds = 1;
    }
    if language == CodeLanguage::Rust && setup.has_limits() {
        // Not written for the Rust program yet: it says so rather than pretending.
        setup.requests_per_minute = None;
        setup.tokens_per_minute = None;
        setup.adaptive = false;
        setup.limits_left_out = true;
    }
    match language {
        CodeLanguage::Python => super::python::program(&setup),
        CodeLanguage::TypeScript => super::typescript::program(&setup),
        CodeLanguage::Rust => super::rust::program(&setup),
    }
}

/// The set-up shared by every variant (questions, runs, policies, rounds) and the variants.
struct Program<'a> {
    setup: Setup<'a>,
    blocks: Vec<Block<'a>>,
    together: bool,
}

impl Program<'_> {
    fn has_openai(&self) -> bool {
        self.blocks.iter().any(|b| b.base_url.is_some())
    }

    /// The page's run names, in the order each variant makes them.
    fn run_names(&self) -> &'static [&'static str] {
        match self.setup.runs {
            Runs::Parallel => &["parallel"],
            Runs::Sequential => &["sequential"],
            Runs::Both => &["sequential", "parallel"],
        }
    }

    /// What the program does, as paragraphs for its header comment.
    fn description(&self, gather: &str) -> Vec<String> {
        let setup = &self.setup;
        let letters: Vec<String> = self.blocks.iter().map(|b| b.letter.to_string()).collect();
        let n = setup.questions.len();
        let limit = setup
            .concurrency_limit
            .map(|k| format!(", at most {k} at a time"))
            .unwrap_or_default();
        let run = match setup.runs {
            Runs::Parallel => format!("asks the {n} questions at once{limit}"),
            Runs::Sequential => format!("asks the {n} questions one at a time"),
            Runs::Both => format!(
                "asks the {n} questions one at a time, then all at once{limit}, and prints \
                 how much faster the parallel run was"
            ),
        };
        let when = if self.together {
            format!("at the same time ({gather} over the variants)")
        } else {
            "one after the other (no variant slows another down)".to_string()
        };
        let mut paragraphs = vec![
            format!(
                "Runs {} variants of the set-up ({}) on the same questions, {when}. Each \
                 variant has its own model, system prompt, max tokens and temperature; each \
                 {run}, then makes one more call that merges the answers (the synthesis). \
                 Every line is labelled with its variant, every answer is printed, and each \
                 variant's wall time, sum of call times and tokens in/out follow.",
                self.blocks.len(),
                letters.join(", ")
            ),
            format!(
                "{} Failed calls are retried up to {} times. A failed question does not stop \
                 the others (settle-all): a variant's synthesis runs when at least {} \
                 answers came back.",
                match setup.timeout_ms {
                    Some(ms) => format!("Each call has {} s to finish.", seconds_text(ms)),
                    None => "Calls have no time limit.".to_string(),
                },
                setup.max_retries,
                setup.quorum
            ),
        ];
        if setup.rounds > 1 {
            paragraphs.push(format!(
                "The whole comparison repeats {} times, one round after the other; at the \
                 end it prints each variant's p50, p95, p99 and max wall time over the rounds \
                 (nearest-rank percentiles, as the page computes them).",
                setup.rounds
            ));
        }
        let mut left_out = Vec::new();
        if setup.fail_fast {
            left_out.push("fail-fast (the variants settle all)");
        }
        if setup.has_limits() {
            left_out.push("the request and token budgets and the adaptive limit");
        }
        if !left_out.is_empty() {
            paragraphs.push(format!(
                "Not part of this program with variants: {}.",
                left_out.join("; ")
            ));
        }
        paragraphs
    }

    /// The header's prose, wrapped for `prefix` comments at `width` columns; `gather` names
    /// what runs the variants together.
    fn header_prose(&self, prefix: &str, width: usize, gather: &str) -> String {
        let mut paragraphs = vec![TITLE.to_string()];
        paragraphs.extend(self.description(gather));
        comment_block(&paragraphs, prefix, width)
    }
}

/// One variant as the program writes it.
struct Block<'a> {
    letter: char,
    model: &'a str,
    /// Why the model differs from the page's (a simulated profile's stand-in).
    note: Option<String>,
    /// `Some` for an OpenAI-compatible server.
    base_url: Option<&'a str>,
    max_tokens: u32,
    system_prompt: Option<&'a str>,
    temperature: Option<String>,
}

impl<'a> Block<'a> {
    fn from_code(code: &VariantCode<'a>) -> Block<'a> {
        let plan = code.plan;
        let (model, note, base_url) = match code.api {
            VariantApi::Simulated { profile } => {
                let profile = SimProfile::parse(profile)
                    .map(SimProfile::as_str)
                    .unwrap_or("simulated");
                let model = stand_in(profile);
                let note = format!(
                    "The page ran its offline simulated model (profile {profile}); {model} \
                     stands in for it."
                );
                (model, Some(note), None)
            }
            VariantApi::Anthropic => (plan.model.trim(), None, None),
            VariantApi::OpenAi { base_url } => (plan.model.trim(), None, Some(base_url.trim())),
        };
        Block {
            letter: code.variant.letter(),
            model,
            note,
            base_url,
            max_tokens: plan.max_tokens.max(1),
            system_prompt: plan
                .system_prompt
                .as_deref()
                .filter(|s| !s.trim().is_empty()),
            temperature: plan
                .temperature
                .filter(|t| t.is_finite())
                .map(|t| format!("{t:?}")),
        }
    }

    /// The note on a temperature the Anthropic SDK does not send.
    fn temperature_note(&self) -> Option<String> {
        match (&self.temperature, self.base_url) {
            (Some(t), None) => Some(format!(
                "temperature {t} is not sent: this SDK's API version has none"
            )),
            _ => None,
        }
    }
}

/// The real model that stands in for a simulated profile: one shaped like it.
fn stand_in(profile: &str) -> &'static str {
    match SimProfile::parse(profile) {
        Some(SimProfile::Balanced) => "claude-sonnet-4-5",
        Some(SimProfile::LargeSlow) => "claude-opus-4-1",
        _ => SUBSTITUTE_MODEL,
    }
}

#[cfg(test)]
mod tests;
