// Temporary experiment harness (not committed): N-lane scale run with injected CSS.
import { chromium } from "playwright-core";
import { openWith, runAndWait, numberedQuestions } from "./lib/page.mjs";
const [site, count, css, reps] = [process.argv[2], Number(process.argv[3]), process.argv[4] ?? "", Number(process.argv[5] ?? 1)];
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"] });
for (let r = 0; r < reps; r++) {
  const { context, page } = await openWith(browser, site, { topic: "x", questions: numberedQuestions(count), simulation: { seed: 7, speed: 10 }, run: { concurrency_limit: null } });
  if (css) await page.evaluate((css) => { const s = new CSSStyleSheet(); s.replaceSync(css); document.adoptedStyleSheets = [...document.adoptedStyleSheets, s]; }, css);
  await page.evaluate(() => {
    const b = { longTasks: [], frames: [] }; window.__bench = b;
    new PerformanceObserver((l) => { for (const e of l.getEntries()) b.longTasks.push({ start: e.startTime, duration: e.duration }); }).observe({ type: "longtask", buffered: true });
    const f = (t) => { b.frames.push(t); requestAnimationFrame(f); }; requestAnimationFrame(f);
  });
  await page.waitForTimeout(200);
  const { start, end } = await runAndWait(page, "run-parallel");
  const b = await page.evaluate(() => window.__bench);
  const frames = b.frames.filter((t) => t >= start && t <= end);
  const lt = b.longTasks.filter((t) => t.start + t.duration >= start && t.start <= end);
  console.log(`run ${(end - start).toFixed(0)} ms, ${(frames.length / ((end - start) / 1000)).toFixed(1)} fps, long ${lt.length}, longest ${Math.max(0, ...lt.map((t) => t.duration)).toFixed(0)} [${lt.map((t) => `${(t.start - start).toFixed(0)}:${t.duration.toFixed(0)}`).join(" ")}]`);
  await context.close();
}
await browser.close();
