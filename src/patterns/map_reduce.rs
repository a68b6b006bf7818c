//! Map-reduce over a document: split into chunks (by paragraphs up to a size), one call per
//! chunk in parallel under the limit (the **map**, level 0), then the **reduce**: one merging
//! call, or a tree with fan-in k, level by level. A reduce call starts only once every one of its
//! inputs is done (each node waits for its own inputs, so a subtree that finishes early goes on
//! while another is still mapping). Baseline: one call over the whole text, when it fits the
//! model's context.

use super::chunking::{chunk_document, reduce_tree, MAX_CHUNKS};
use super::{both, PatternPlan, PatternReport, PatternRun};
use crate::engine::{
    synthesis_prompt, CallResult, CancelToken, EventKind, Group, Outcome, ResearchOutcome,
};
use crate::providers::ModelRequest;
use futures::future::{join_all, FutureExt, LocalBoxFuture, Shared};
use std::cell::Cell;
use std::rc::Rc;

/// The task when the set-up has no question.
pub const DEFAULT_TASK: &str = "Summarize the main points of this document.";

/// Tokens of a model's context window, when known: the simulated model and the mock have a
/// small one on purpose, so that a long document shows what happens when one call cannot take
/// it all.
pub fn context_tokens(model: &str) -> Option<u64> {
    let name = model.to_ascii_lowercase();
    if name.starts_with("simulated") || name.starts_with("mock") {
        Some(8_192)
    } else if name.contains("claude") {
        Some(200_000)
    } else if name.contains("gpt-4.1") {
        Some(1_047_576)
    } else if name.contains("gpt-4o") {
        Some(128_000)
    } else {
        None
    }
}

/// About four characters a token (the simulated model's rule too).
pub fn estimate_tokens(text: &str) -> u64 {
    text.chars().count().div_ceil(4) as u64
}

/// Whether one call can take the whole document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaselineFit {
    /// Prompt plus answer fit the context.
    Fits { tokens: u64, context: u64 },
    /// They do not: no baseline is run.
    TooLong { tokens: u64, context: u64 },
    /// The model's context is not known: the baseline runs (a local server may cut the text).
    Unknown { tokens: u64 },
}

/// The map-reduce set-up of a plan: the task, the chunks, the reduce tree.
#[derive(Clone, Debug, PartialEq)]
pub struct MapReducePlan {
    pub task: String,
    pub chunks: Vec<String>,
    pub tree: Vec<Vec<std::ops::Range<usize>>>,
    pub fit: BaselineFit,
}

impl MapReducePlan {
    pub fn of(plan: &PatternPlan) -> MapReducePlan {
        let task = match plan.question().trim() {
            "" => DEFAULT_TASK.to_string(),
            q => q.to_string(),
        };
        let mut chunks = chunk_document(&plan.settings.document, plan.settings.chunk_size);
        chunks.truncate(MAX_CHUNKS);
        let tree = reduce_tree(chunks.len(), plan.settings.reduce_fan_in);
        let tokens = estimate_tokens(&baseline_prompt(&task, &plan.settings.document))
            + u64::from(plan.base.max_tokens);
        let fit = match context_tokens(&plan.base.model) {
            Some(context) if tokens <= context => BaselineFit::Fits { tokens, context },
            Some(context) => BaselineFit::TooLong { tokens, context },
            None => BaselineFit::Unknown { tokens },
        };
        MapReducePlan {
            task,
            chunks,
            tree,
            fit,
        }
    }

    /// Reduce calls (nodes that merge two or more results).
    pub fn reduce_calls(&self) -> usize {
        self.tree.iter().flatten().filter(|r| r.len() > 1).count()
    }
}

fn baseline_prompt(task: &str, document: &str) -> String {
    format!("{task}\n\nThe document:\n\n{}", document.trim())
}

fn map_prompt(task: &str, index: usize, total: usize, chunk: &str) -> String {
    format!(
        "{task}\n\nAnswer from this part of a longer document only (part {} of {total}); keep \
         names, numbers and claims.\n\n{chunk}",
        index + 1
    )
}

/// "Part 3" or "Parts 1–4" (1-based) for the chunks in `span`.
fn span_label(span: &std::ops::Range<usize>) -> String {
    if span.end <= span.start + 1 {
        format!("Part {}", span.start + 1)
    } else {
        format!("Parts {}–{}", span.start + 1, span.end)
    }
}

type Node<'a> = Shared<LocalBoxFuture<'a, Option<CallResult>>>;

/// Runs the baseline (when it fits) and the map and reduce levels.
pub(super) async fn run(
    run: &PatternRun,
    plan: &PatternPlan,
    cancel: &CancelToken,
) -> PatternReport {
    let setup = MapReducePlan::of(plan);
    let model = &plan.base.model;
    let system = plan.base.system_prompt.as_deref();
    let request = |prompt: &str| {
        let mut request = ModelRequest::ask(model, system, prompt, plan.base.max_tokens);
        request.temperature = plan.base.temperature;
        request
    };

    let baseline = async {
        if matches!(setup.fit, BaselineFit::TooLong { .. }) {
            return Vec::new();
        }
        run.group(Group::Baseline, async {
            let lane = run.open(
                Group::Baseline,
                0,
                false,
                None,
                "The whole document in one call".into(),
            );
            let prompt = baseline_prompt(&setup.task, &plan.settings.document);
            vec![
                run.call(&run.ctx, lane, request(&prompt), cancel, None)
                    .await,
            ]
        })
        .await
    };

    let strategy = async {
        let limit = run.group_limit();
        let limit = limit.as_ref();
        let total = setup.chunks.len();
        // Every lane opens at once, so the timeline shows the whole tree waiting.
        let map_lanes: Vec<_> = (0..total)
            .map(|i| {
                run.open(
                    Group::Map,
                    i,
                    false,
                    Some(0),
                    format!("Map: part {} of {total}", i + 1),
                )
            })
            .collect();
        // Each level's nodes: a call (or a result passed up as it is) that waits for its inputs.
        // `spans` are the chunk ranges under each node of the level below.
        let mut below: Vec<Node<'_>> = setup
            .chunks
            .iter()
            .zip(&map_lanes)
            .enumerate()
            .map(|(i, (chunk, lane))| {
                let prompt = map_prompt(&setup.task, i, total, chunk);
                let request = request(&prompt);
                async move { Some(run.call(&run.ctx, *lane, request, cancel, limit).await) }
                    .boxed_local()
                    .shared()
            })
            .collect();
        let maps = below.clone();
        let mut spans: Vec<std::ops::Range<usize>> = (0..total).map(|i| i..i + 1).collect();
        let mut reduces: Vec<Node<'_>> = Vec::new();
        // The reduce group begins when its first call may start.
        let reduce_started = Rc::new(Cell::new(false));
        for (depth, level) in setup.tree.iter().enumerate() {
            let mut nodes = Vec::with_capacity(level.len());
            let mut level_spans = Vec::with_capacity(level.len());
            for (index, range) in level.iter().enumerate() {
                let inputs: Vec<Node<'_>> = below[range.clone()].to_vec();
                let input_spans = spans[range.clone()].to_vec();
                let span = input_spans[0].start..input_spans[input_spans.len() - 1].end;
                level_spans.push(span.clone());
                if inputs.len() == 1 {
                    nodes.push(inputs[0].clone());
                    continue;
                }
                let label = format!("Reduce level {}: {}", depth + 1, span_label(&span));
                let lane = run.open(Group::Reduce, index, false, Some(depth + 1), label);
                let task = setup.task.as_str();
                let reduce_started = reduce_started.clone();
                let node = async move {
                    let results = join_all(inputs).await;
                    if !reduce_started.replace(true) {
                        run.ctx.emitter.emit(EventKind::GroupStarted {
                            group: Group::Reduce,
                        });
                    }
                    let labels: Vec<String> = input_spans.iter().map(span_label).collect();
                    let outcomes: Vec<ResearchOutcome<'_>> = results
                        .iter()
                        .zip(&labels)
                        .map(|(result, label)| ResearchOutcome {
                            question: label,
                            answer: match result {
                                Some(r) if r.outcome == Outcome::Done => Ok(r.text.as_str()),
                                Some(r) => Err(r.outcome.reason().unwrap_or_default()),
                                None => Err("no result".into()),
                            },
                        })
                        .collect();
                    let instructions = format!(
                        "Merge these partial answers about consecutive parts of one document \
                         into one answer to: {task}"
                    );
                    let prompt = synthesis_prompt(&instructions, &outcomes);
                    Some(
                        run.call(&run.ctx, lane, request(&prompt), cancel, limit)
                            .await,
                    )
                }
                .boxed_local()
                .shared();
                reduces.push(node.clone());
                nodes.push(node);
            }
            below = nodes;
            spans = level_spans;
        }
        let map_group = run.group(Group::Map, join_all(maps));
        let reduce_group = async {
            let results = join_all(reduces).await;
            if reduce_started.get() {
                run.ctx.emitter.emit(EventKind::GroupFinished {
                    group: Group::Reduce,
                });
            }
            results
        };
        let (mut results, reduced) = futures::future::join(map_group, reduce_group).await;
        results.extend(reduced);
        results
    };

    let (baseline, strategy) = both(plan.base.compare_timing, baseline, strategy).await;
    PatternReport {
        baseline,
        strategy: strategy.into_iter().flatten().collect(),
        ..PatternReport::default()
    }
}
