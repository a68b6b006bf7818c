// Opening the playground with a prepared workspace, running it, and reading its lanes — the same
// contract the e2e tests use (DESIGN.md, "Automation hooks").

export const STORAGE_KEY = "parallel-playground.workspace";

/** `count` research questions that all use the topic. */
export function numberedQuestions(count) {
  return Array.from({ length: count }, (_, i) => ({ text: `Question ${i + 1} about {topic}?` }));
}

/**
 * A new page in a fresh browser context with `workspace` saved in localStorage (a returning
 * person's set-up; missing fields take their defaults), loaded and ready to run.
 */
export async function openWith(browser, siteUrl, workspace) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const json = JSON.stringify({ version: 1, ...workspace });
  await page.addInitScript(
    ([key, value]) => {
      if (!sessionStorage.getItem("pp-bench-seeded")) {
        localStorage.setItem(key, value);
        sessionStorage.setItem("pp-bench-seeded", "1");
      }
    },
    [STORAGE_KEY, json],
  );
  await page.goto(siteUrl);
  await page.waitForSelector('[data-testid="run-bar"]');
  return { context, page };
}

/**
 * Clicks the run button `testid` from inside the page and waits until that run has finished.
 * Returns the in-page times (performance.now) of the click and of the end of the run.
 */
export async function runAndWait(page, testid = "run-parallel", timeoutMs = 120_000) {
  const before = await page.evaluate((testid) => {
    const bar = document.querySelector('[data-testid="run-bar"]');
    const before = Number(bar.dataset.runNumber);
    const w = window;
    w.__runEnd = undefined;
    // The end of the run is the moment the bar says it is no longer running.
    const watch = new MutationObserver(() => {
      if (Number(bar.dataset.runNumber) === before + 1 && bar.dataset.running === "false") {
        w.__runEnd = performance.now();
        watch.disconnect();
      }
    });
    watch.observe(bar, { attributes: true });
    w.__runStart = performance.now();
    document.querySelector(`[data-testid="${testid}"]`).click();
    return before;
  }, testid);
  await page.waitForFunction(() => window.__runEnd !== undefined, null, { timeout: timeoutMs, polling: 100 });
  const errors = await page.$$eval('[data-testid="error"]', (els) => els.map((e) => e.textContent.trim()));
  if (errors.length > 0) throw new Error(`the page shows an error: ${errors.join(" | ")}`);
  const times = await page.evaluate(() => ({ start: window.__runStart, end: window.__runEnd }));
  return { runNumber: before + 1, ...times };
}

/** Every lane row of the timeline, with its times (ms since the run began). */
export async function lanes(page) {
  return page.$$eval('[data-testid="lane"]', (els) =>
    els.map((e) => {
      const d = e.dataset;
      const num = (v) => (v === undefined || v === "" ? null : Number(v));
      return { run: d.run, index: Number(d.laneIndex), status: d.status, start: num(d.startMs), end: num(d.endMs) };
    }),
  );
}

/** The numeric value of a figure. */
export async function metric(page, testid, run) {
  const value = await page.getAttribute(`[data-testid="${testid}"][data-run="${run}"]`, "data-value");
  return Number(value);
}
