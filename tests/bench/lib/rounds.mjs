// A section of page_bench.mjs: one run of many rounds (issue 13). 100 rounds × 10 simulated
// parallel calls at speed 20 on one page: the longest task while the rounds run, and wasm memory
// after round 10 against after the last round (flat means within 1 MB).

import { numberedQuestions, openWith } from "./page.mjs";

/** Wasm linear memory (after a full GC of the JS heap), in bytes. */
async function wasmNow(page, cdp) {
  await cdp.send("HeapProfiler.collectGarbage");
  return page.evaluate(() => window.__ppWasmMemory?.buffer.byteLength ?? NaN);
}

export async function rounds(browser, { site, report, progress, rounds = 100, calls = 10 }) {
  const { context, page } = await openWith(browser, site, {
    topic: "Lisbon",
    questions: numberedQuestions(calls),
    simulation: { seed: 7, speed: 20 },
    run: { concurrency_limit: null, rounds },
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send("HeapProfiler.enable");
  await page.evaluate(() => {
    const bench = { longTasks: [], panel: [] };
    window.__roundsBench = bench;
    // The distribution panel's own figure of each recomputation (data-panel-ms), with its rounds.
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target;
        bench.panel.push({ rounds: Number(el.dataset.rounds), ms: Number(el.dataset.panelMs) });
      }
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["data-panel-ms"] });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) bench.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask", buffered: true });
    const bar = document.querySelector('[data-testid="run-bar"]');
    const before = Number(bar.dataset.runNumber);
    const watch = new MutationObserver(() => {
      if (Number(bar.dataset.runNumber) === before + 1 && bar.dataset.running === "false") {
        bench.end = performance.now();
        watch.disconnect();
      }
    });
    watch.observe(bar, { attributes: true });
    bench.start = performance.now();
    document.querySelector('[data-testid="run-parallel"]').click();
  });
  // Functions, not strings: the page's CSP refuses eval.
  const roundsDone = () =>
    Number(document.querySelector('[data-testid="distribution"]')?.getAttribute("data-rounds") ?? 0);
  // Wasm memory after rounds 10, 40 and 70; the bench's own garbage collections are not the
  // page's work: their windows are left out of the long tasks.
  const gcWindows = [];
  const samples = [];
  for (const after of [10, 40, 70].filter((r) => r < rounds)) {
    await page.waitForFunction(
      // Round `after + 1` on show: `after` rounds are done.
      (after) => Number(document.querySelector('[data-testid="lane"]')?.getAttribute("data-round") ?? 0) > after,
      after,
      { timeout: 300_000, polling: 50 },
    );
    const from = await page.evaluate(() => performance.now());
    samples.push(await wasmNow(page, cdp));
    gcWindows.push([from, await page.evaluate(() => performance.now())]);
  }
  const at10 = samples[0];
  progress(`rounds: wasm after rounds 10, 40, 70: ${samples.map((b) => (b / 1e6).toFixed(2)).join(", ")} MB`);
  await page.waitForFunction(() => window.__roundsBench.end !== undefined, null, { timeout: 600_000, polling: 200 });
  const last = await wasmNow(page, cdp);
  const result = await page.evaluate(
    ({ gcWindows, calls }) => {
      const b = window.__roundsBench;
      const during = b.longTasks.filter(
        (t) =>
          t.start >= b.start &&
          t.start <= b.end &&
          !gcWindows.some(([from, to]) => t.start < to && t.start + t.duration > from),
      );
      const top = [...during].sort((x, y) => y.duration - x.duration).slice(0, 5);
      const panelMs = b.panel.filter((p) => Number.isFinite(p.ms)).map((p) => p.ms);
      const atLast = b.panel.filter((p) => p.rounds === Math.max(...b.panel.map((q) => q.rounds)));
      return {
        panelMax: Math.max(0, ...panelMs),
        panelLast: atLast.length ? atLast[atLast.length - 1].ms : NaN,
        panelSamples: atLast.length ? atLast[atLast.length - 1].rounds * calls : NaN,
        wall: b.end - b.start,
        longest: Math.max(0, ...during.map((t) => t.duration)),
        count: during.length,
        top: top.map((t) => `${t.duration.toFixed(0)} ms at ${((t.start - b.start) / 1000).toFixed(1)} s`).join(", "),
      };
    },
    { gcWindows, calls },
  );
  const done = await page.evaluate(roundsDone);
  await context.close();
  progress(
    `rounds: ${done} rounds in ${(result.wall / 1000).toFixed(1)} s; longest task ${result.longest.toFixed(0)} ms ` +
      `(${result.count} over 50 ms: ${result.top}); wasm ${(last / 1e6).toFixed(2)} MB at the end`,
  );
  report("rounds_count", done);
  report("rounds_calls", calls);
  report("rounds_wall_s", result.wall / 1000);
  report("rounds_longest_task_ms", result.longest);
  report("rounds_long_tasks", result.count);
  report("rounds_wasm_round10_mb", at10 / 1e6);
  report("rounds_wasm_growth_mb", (last - at10) / 1e6);
  report("rounds_panel_ms_max", result.panelMax);
  report("rounds_panel_ms_last", result.panelLast);
  report("rounds_panel_samples", result.panelSamples);
}
