//! Rounds in the programs: the run repeated `ROUNDS` times in a loop, each round timed, then
//! p50, p95, p99 and max of each run's wall time — nearest-rank percentiles, as the page
//! computes them (`experiment::stats`).

use super::{Runs, Setup};

/// The Python constant, helpers and the loop that replaces `main`'s runs.
pub(super) mod python {
    use super::*;

    pub fn constant(setup: &Setup<'_>) -> String {
        format!(
            "ROUNDS = {}  # the run repeated, one round after the other\n",
            setup.rounds
        )
    }

    pub const HELPERS: &str = r#"
def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile, as the page computes it: the value at rank
    ceil(p / 100 * n) of the sorted values (always a measured value)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered) - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def report(name: str, walls: list[float]) -> None:
    """Prints p50, p95, p99 and max of a run's wall times over the rounds."""
    if not walls:
        print(f"{name}: no round ended with a synthesis.")
        return
    figures = ", ".join(f"p{p} {percentile(walls, p):.2f} s" for p in (50, 95, 99))
    print(
        f"{name} wall time over {len(walls)} rounds: {figures}, "
        f"max {max(walls):.2f} s"
    )

"#;

    /// The body of `main` inside `async with client:` (indented by the caller).
    pub fn runs(setup: &Setup<'_>) -> String {
        let research = match setup.runs {
            Runs::Parallel => r#"("parallel", research_parallel)"#,
            Runs::Sequential => r#"("sequential", research_sequential)"#,
            Runs::Both => {
                r#"("sequential", research_sequential),
    ("parallel", research_parallel),"#
            }
        };
        format!(
            r#"runs = [
    {research}
]
walls: dict[str, list[float]] = {{name: [] for name, _ in runs}}
for round_number in range(1, ROUNDS + 1):
    print(f"\nRound {{round_number}} of {{ROUNDS}}")
    round_started = time.perf_counter()
    for name, research in runs:
        wall = await run_workflow(client, research)
        if wall is not None:
            walls[name].append(wall)
    print(f"Round {{round_number}} took {{time.perf_counter() - round_started:.2f}} s")
print()
for name, values in walls.items():
    report(name, values)
if not all(walls.values()):
    sys.exit(1)
"#
        )
    }
}

/// The TypeScript constant, helpers and the loop that replaces `main`'s runs.
pub(super) mod typescript {
    use super::*;

    pub fn constant(setup: &Setup<'_>) -> String {
        format!(
            "const ROUNDS = {}; // the run repeated, one round after the other\n",
            setup.rounds
        )
    }

    pub const HELPERS: &str = r#"
/** The nearest-rank percentile, as the page computes it: the value at rank
 * ceil(p / 100 * n) of the sorted values (always a measured value). */
function percentile(values: number[], p: number): number {
  const ordered = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * ordered.length - 1e-9));
  return ordered[Math.min(rank, ordered.length) - 1];
}

/** Prints p50, p95, p99 and max of a run's wall times over the rounds. */
function report(name: string, walls: number[]): void {
  if (walls.length === 0) {
    console.log(`${name}: no round ended with a synthesis.`);
    return;
  }
  const figures = [50, 95, 99]
    .map((p) => `p${p} ${percentile(walls, p).toFixed(2)} s`)
    .join(", ");
  const max = Math.max(...walls).toFixed(2);
  console.log(
    `${name} wall time over ${walls.length} rounds: ${figures}, max ${max} s`,
  );
}
"#;

    /// The body of `main` after the client is made (indented by two spaces).
    pub fn runs(setup: &Setup<'_>) -> String {
        // As Prettier writes it: one run on one line, two on their own lines.
        let runs = match setup.runs {
            Runs::Parallel => r#"[["parallel", researchParallel]]"#,
            Runs::Sequential => r#"[["sequential", researchSequential]]"#,
            Runs::Both => {
                r#"[
    ["sequential", researchSequential],
    ["parallel", researchParallel],
  ]"#
            }
        };
        format!(
            r#"  const runs = {runs} as const;
  const walls = new Map<string, number[]>(runs.map(([name]) => [name, []]));
  for (let round = 1; round <= ROUNDS; round++) {{
    console.log(`\nRound ${{round}} of ${{ROUNDS}}`);
    const roundStarted = performance.now();
    for (const [name, research] of runs) {{
      const wall = await runWorkflow(client, research);
      if (wall !== null) walls.get(name)?.push(wall);
    }}
    const took = ((performance.now() - roundStarted) / 1000).toFixed(2);
    console.log(`Round ${{round}} took ${{took}} s`);
  }}
  console.log();
  for (const [name, values] of walls) report(name, values);
  if ([...walls.values()].some((values) => values.length === 0)) {{
    process.exitCode = 1;
  }}
"#
        )
    }
}
