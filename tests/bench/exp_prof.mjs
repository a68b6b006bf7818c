// Temporary: CPU profile of the first `ms` after the click of an N-lane run.
import { chromium } from "playwright-core";
import { openWith, numberedQuestions } from "./lib/page.mjs";
import { summariseCpuProfile } from "./lib/profile.mjs";
const [site, count, ms, from] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5] ?? 0)];
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu"] });
const { context, page } = await openWith(browser, site, { topic: "x", questions: numberedQuestions(count), simulation: { seed: 7, speed: 10 }, run: { concurrency_limit: null } });
const cdp = await context.newCDPSession(page);
await cdp.send("Profiler.enable");
await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
if (from === 0) await cdp.send("Profiler.start");
await page.evaluate(() => document.querySelector('[data-testid="run-parallel"]').click());
if (from > 0) { await page.waitForTimeout(from); await cdp.send("Profiler.start"); }
await page.waitForTimeout(ms);
const { profile } = await cdp.send("Profiler.stop");
const s = summariseCpuProfile(profile);
console.log(JSON.stringify(s.byKind));
for (const f of s.functions.slice(0, 25)) console.log(f.ms.toFixed(1).padStart(6), f.kind, f.name.slice(0, 110), "\n        ", f.paths.map((p) => `${(p.share * 100).toFixed(0)}% ${p.path.slice(0, 200)}`).join(" | "));
console.log("--- ours (inclusive)");
for (const f of s.ours.slice(0, 30)) console.log(f.ms.toFixed(1).padStart(6), f.name.slice(0, 140));
await browser.close();
