// Two sections of page_bench.mjs: memory across many runs, and the first view under a phone's
// network and CPU. Each takes `report(key, value)` and `progress(message)` from the caller.

import { numberedQuestions, openWith, runAndWait } from "./page.mjs";
import { median } from "./stats.mjs";

/** Wasm linear memory and the JS heap (after a full GC), in bytes. */
async function memoryNow(page, cdp) {
  await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  const wasm = await page.evaluate(() => window.__ppWasmMemory?.buffer.byteLength ?? NaN);
  return { wasm, js: usedSize };
}

/**
 * `runs` runs of `lanes` simulated parallel calls on one page (fast simulation): wasm memory and
 * JS heap after run 10 and after the last. Flat memory means the difference stays under 1 MB.
 */
export async function memory(browser, { runs, lanes, site, report, progress }) {
  const { context, page } = await openWith(browser, site, {
    topic: "Lisbon",
    questions: numberedQuestions(lanes),
    simulation: { seed: 7, speed: 200 },
    run: { concurrency_limit: null },
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send("HeapProfiler.enable");
  const samples = [];
  for (let run = 1; run <= runs; run++) {
    await runAndWait(page, "run-parallel");
    if (run === 1 || run === 10 || run % 50 === 0 || run === runs) {
      const m = await memoryNow(page, cdp);
      samples.push({ run, ...m });
      progress(`memory: after run ${run}: wasm ${(m.wasm / 1e6).toFixed(2)} MB, JS heap ${(m.js / 1e6).toFixed(2)} MB`);
    }
  }
  await context.close();
  const at10 = samples.find((s) => s.run === 10);
  const last = samples[samples.length - 1];
  report("memory_runs", runs);
  report("memory_lanes", lanes);
  report("memory_wasm_run10_mb", at10.wasm / 1e6);
  report(`memory_wasm_run${runs}_mb`, last.wasm / 1e6);
  report("memory_wasm_growth_mb", (last.wasm - at10.wasm) / 1e6);
  report("memory_js_run10_mb", at10.js / 1e6);
  report(`memory_js_run${runs}_mb`, last.js / 1e6);
  report("memory_js_growth_mb", (last.js - at10.js) / 1e6);
}

/**
 * The first view under Lighthouse's mobile profile: 150 ms RTT, 1.6 Mbps down, 750 kbps up,
 * 4× CPU slowdown, cold caches, the site served gzipped. First contentful paint, the moment the
 * Compare button is there and enabled (interactive), and the bytes transferred.
 */
export async function firstView(browser, { runs, site, report, progress }) {
  const fcp = [];
  const interactive = [];
  const transferred = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 412, height: 823 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 150,
      downloadThroughput: (1.6e6 / 8) * 0.9,
      uploadThroughput: (750e3 / 8) * 0.9,
    });
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    let bytes = 0;
    cdp.on("Network.loadingFinished", (e) => (bytes += e.encodedDataLength));
    await page.addInitScript(() => {
      const check = () => {
        const button = document.querySelector('[data-testid="run-compare"]');
        if (window.__interactiveAt === undefined && button && !button.disabled) {
          window.__interactiveAt = performance.now();
        }
      };
      new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
    });
    await page.goto(site, { waitUntil: "commit" });
    await page.waitForFunction(() => window.__interactiveAt !== undefined, null, { timeout: 60_000 });
    await page.waitForTimeout(300);
    const times = await page.evaluate(() => ({
      interactive: window.__interactiveAt,
      fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN,
    }));
    fcp.push(times.fcp);
    interactive.push(times.interactive);
    transferred.push(bytes);
    await context.close();
  }
  progress(
    `first view (mobile profile): FCP ${fcp.map((t) => t.toFixed(0)).join(", ")} ms; interactive ${interactive.map((t) => t.toFixed(0)).join(", ")} ms; ` +
      `${(median(transferred) / 1024).toFixed(0)} KB`,
  );
  report("first_view_fcp_ms", median(fcp));
  report("first_view_interactive_ms", median(interactive));
  report("first_view_transferred_kb", median(transferred) / 1024);
  report("first_view_runs", runs);
}
