// The browser half of `cargo xtask bench`: drives the release build of the playground in headless
// Debian Chromium and measures it. Prints one `BENCH key=value` line per figure on stdout
// (progress goes to stderr); `cargo xtask bench` turns them into the table.
//
//   node tests/bench/page_bench.mjs --site http://127.0.0.1:M/ --api http://127.0.0.1:P \
//        [--quick] [--profile-out target/bench/page-profile.md]
//
// The page and the API are served by the mock server on two origins, as in the e2e tests.
// Sections, in order: cold load, first view under a phone's network and CPU (`first-view`), launch
// skew (10, 100, 1000 lanes), overhead against the mock API, scale (frames and long tasks from 50
// to 1000 lanes), memory over 200 runs of 60 lanes, where the time of a 500-lane run goes, and the
// frame time of a streaming Markdown synthesis of 200 and of 20,000 words (`markdown`); one run
// of 100 rounds × 10 calls (`rounds`: longest task, wasm memory after round 10 and at the end).

import { chromium } from "playwright-core";
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { lanes, metric, numberedQuestions, openWith, runAndWait } from "./lib/page.mjs";
import { fixed, gaps, mean, median, percentile } from "./lib/stats.mjs";
import { summariseCpuProfile, summariseTrace } from "./lib/profile.mjs";
import { firstView, memory } from "./lib/sections.mjs";
import { rounds } from "./lib/rounds.mjs";

const { values: options } = parseArgs({
  options: {
    site: { type: "string" },
    api: { type: "string" },
    quick: { type: "boolean", default: false },
    // A subset, for working on one measurement: e.g. `--sections scale,profile`.
    sections: { type: "string", default: "load,first-view,skew,mock,scale,memory,rounds,profile,markdown" },
    // Runs of the memory section (the goal is stated for 200).
    "memory-runs": { type: "string", default: "200" },
    "profile-out": { type: "string" },
    // Lanes of the profiled run (the table's figure is for 500).
    "profile-lanes": { type: "string", default: "500" },
    // The same build with function names kept in the wasm, for a readable CPU profile.
    "profile-site": { type: "string" },
    // The research set-up the SDK peers send too (chosen by `cargo xtask bench`).
    "mock-model": { type: "string", default: "mock?ttft=1000&tps=0&tokens=20" },
    "mock-max-tokens": { type: "string", default: "256" },
    "mock-questions": { type: "string" },
    chromium: { type: "string", default: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
    // Slows the page's CPU in the scale runs (CDP), as a phone's would be: e.g. `--scale-cpu-slowdown 4`.
    "scale-cpu-slowdown": { type: "string", default: "1" },
  },
});
if (!options.site || !options.api) {
  console.error("usage: page_bench.mjs --site URL --api URL [--quick] [--profile-out FILE]");
  process.exit(2);
}
const SITE = options.site;
const API = options.api.replace(/\/$/, "");
const QUICK = options.quick;

const TOPIC = "Lisbon";
const MOCK_MODEL = options["mock-model"];
const MOCK_MAX_TOKENS = Number(options["mock-max-tokens"]);
const MOCK_QUESTIONS = options["mock-questions"]
  ? JSON.parse(options["mock-questions"])
  : numberedQuestions(6).map((q) => q.text.replace("{topic}", TOPIC));

function report(key, value) {
  const shown = typeof value !== "number" ? value : Number.isInteger(value) ? String(value) : fixed(value);
  console.log(`BENCH ${key}=${shown}`);
}

function progress(message) {
  console.error(`  bench: ${message}`);
}

/** Navigation start → the Compare button is in the DOM, in a fresh context (cold caches). */
async function coldLoad(browser, runs) {
  const times = [];
  const wasm = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(() => {
      // performance.now() counts from the navigation's start (the time origin).
      const check = () => {
        if (window.__interactiveAt === undefined && document.querySelector('[data-testid="run-compare"]')) {
          window.__interactiveAt = performance.now();
        }
      };
      new MutationObserver(check).observe(document, { childList: true, subtree: true });
    });
    await page.goto(SITE, { waitUntil: "commit" });
    await page.waitForFunction(() => window.__interactiveAt !== undefined, null, { timeout: 30_000 });
    const { at, wasmEnd } = await page.evaluate(() => ({
      at: window.__interactiveAt,
      wasmEnd: performance.getEntriesByType("resource").find((e) => e.name.endsWith(".wasm"))?.responseEnd ?? NaN,
    }));
    times.push(at);
    wasm.push(wasmEnd);
    await context.close();
  }
  progress(`cold load: ${times.map((t) => t.toFixed(0)).join(", ")} ms`);
  report("load_ms", median(times));
  report("load_wasm_fetched_ms", median(wasm));
  report("load_runs", times.length);
}

/** Spread of the parallel lanes' start times: simulated questions, unlimited, speed 10. */
async function launchSkew(browser, count, runs) {
  const { context, page } = await openWith(browser, SITE, {
    topic: TOPIC,
    questions: numberedQuestions(count),
    simulation: { seed: 7, speed: 10 },
    run: { concurrency_limit: null },
  });
  const skews = [];
  for (let i = 0; i < runs; i++) {
    await runAndWait(page, "run-parallel");
    const par = (await lanes(page)).filter((l) => l.run === "parallel");
    if (par.length !== count || par.some((l) => l.start === null)) {
      throw new Error(`launch skew N=${count}: expected ${count} started parallel lanes, got ${par.length}`);
    }
    const starts = par.map((l) => l.start);
    skews.push(Math.max(...starts) - Math.min(...starts));
  }
  await context.close();
  progress(`launch skew N=${count}: ${skews.map((s) => s.toFixed(1)).join(", ")} ms`);
  report(`skew_n${count}_ms`, median(skews));
  report(`skew_n${count}_runs`, skews.length);
}

async function mockLog() {
  const response = await fetch(`${API}/__mock/requests`);
  return (await response.json()).filter((r) => r.path === "/v1/messages");
}

/**
 * The mock questions (N = 6) against the mock Anthropic API, every answer whole at its ttft:
 * wall ÷ (slowest call + synthesis), and the research phase alone for the peer comparison.
 */
async function mockOverhead(browser, runs) {
  const { context, page } = await openWith(browser, SITE, {
    topic: TOPIC,
    questions: MOCK_QUESTIONS.map((text) => ({ text })),
    system_prompt: "",
    provider: {
      kind: "anthropic",
      anthropic: { model: MOCK_MODEL, base_url: API },
      max_tokens: MOCK_MAX_TOKENS,
    },
    run: { concurrency_limit: null, max_retries: 0 },
  });
  await page.fill('[data-testid="api-key"]', "bench-key");
  // One run first: connections, CORS preflights (cached for 600 s) and the code paths warm up,
  // as they are for the SDK peers, which also get one unmeasured round.
  await runAndWait(page, "run-parallel");
  const samples = [];
  const anatomy = { issue: [], connect: [], head: [], tail: [], settle: [] };
  for (let i = 0; i < runs; i++) {
    await fetch(`${API}/__mock/reset`, { method: "POST" });
    await page.evaluate(() => performance.clearResourceTimings());
    const { start: runStart } = await runAndWait(page, "run-parallel");
    const all = await lanes(page);
    const par = all.filter((l) => l.run === "parallel");
    const synth = all.find((l) => l.run === "synthesis");
    if (par.length !== MOCK_QUESTIONS.length || !synth || [...par, synth].some((l) => l.status !== "done")) {
      throw new Error(`mock run: lanes ${JSON.stringify(all.map((l) => [l.run, l.status]))}`);
    }
    const wall = await metric(page, "metric-wall-ms", "parallel");
    const slowest = Math.max(...par.map((l) => l.end - l.start));
    const synthesis = synth.end - synth.start;
    // The group's wall runs from its start to its last lane's end (the synthesis).
    const groupStart = synth.end - wall;
    const research = Math.max(...par.map((l) => l.end)) - groupStart;
    addAnatomy(anatomy, par, await apiResourceTimings(page), runStart);
    const log = (await mockLog()).sort((a, b) => a.seq - b.seq).slice(0, MOCK_QUESTIONS.length);
    const arrivals = log.map((r) => r.received_at_ms);
    samples.push({
      wall,
      slowest,
      synthesis,
      research,
      ratio: wall / (slowest + synthesis),
      gap: synth.start - Math.max(...par.map((l) => l.end)),
      arrivalSpread: Math.max(...arrivals) - Math.min(...arrivals),
    });
  }
  await context.close();
  const med = (key) => median(samples.map((s) => s[key]));
  progress(`mock N=${MOCK_QUESTIONS.length}: walls ${samples.map((s) => s.wall.toFixed(1)).join(", ")} ms; research ${samples.map((s) => s.research.toFixed(1)).join(", ")} ms`);
  report("mock_wall_ms", med("wall"));
  report("mock_slowest_ms", med("slowest"));
  report("mock_synthesis_ms", med("synthesis"));
  report("mock_ratio", med("ratio"));
  report("mock_gap_ms", med("gap"));
  report("mock_arrival_spread_ms", med("arrivalSpread"));
  report("page_research_ms", med("research"));
  report("page_research_runs", samples.length);
  for (const [part, values] of Object.entries(anatomy)) report(`mock_call_${part}_ms`, median(values));
}

/** Resource Timing entries of the page's API calls, in the order they were issued. */
async function apiResourceTimings(page) {
  return page.evaluate((api) => {
    return performance
      .getEntriesByType("resource")
      .filter((e) => e.name.startsWith(`${api}/v1/messages`))
      .sort((a, b) => a.startTime - b.startTime)
      .map((e) => ({ start: e.startTime, requestStart: e.requestStart, responseStart: e.responseStart, responseEnd: e.responseEnd }));
  }, API);
}

/**
 * Where each research call's time went, from the page's point of view: `issue` = lane start →
 * fetch() (building the request), `connect` = fetch() → request sent (connection, preflight),
 * `head` = request sent → response head (the server's 1000 ms), `tail` = head → last byte of the
 * body, `settle` = last byte → the lane's end (the page reading and folding the stream).
 * Lanes start in question order, so the n-th fetch belongs to lane n.
 */
function addAnatomy(anatomy, researchLanes, timings, runStart) {
  const ordered = [...researchLanes].sort((a, b) => a.index - b.index);
  ordered.forEach((lane, i) => {
    const t = timings[i];
    if (!t || !(t.requestStart > 0)) return;
    anatomy.issue.push(t.start - runStart - lane.start);
    anatomy.connect.push(t.requestStart - t.start);
    anatomy.head.push(t.responseStart - t.requestStart);
    anatomy.tail.push(t.responseEnd - t.responseStart);
    anatomy.settle.push(runStart + lane.end - t.responseEnd);
  });
}

/**
 * Installs, before the run, a long-task observer and a frame recorder. Per frame it records the
 * rAF timestamp (the frame's start) and the main thread's busy time of that frame, measured as
 * the time from the frame's start until a MessageChannel message posted from our rAF callback
 * is delivered: the message is a task, so it runs only after the rest of the frame (every other
 * rAF callback — the page folds its events in one — then style, layout, paint) and after any
 * task already queued (timers and fetch callbacks of the engine). It therefore measures "the
 * frame's rendering work plus whatever script had to run before the thread was free again".
 */
async function instrument(page) {
  await page.evaluate(() => {
    const bench = { longTasks: [], frames: [], busy: [] };
    window.__bench = bench;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) bench.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask", buffered: true });
    const channel = new MessageChannel();
    let frameStart = null;
    channel.port1.onmessage = () => {
      if (frameStart !== null) bench.busy.push({ at: frameStart, ms: performance.now() - frameStart });
      frameStart = null;
    };
    const onFrame = (timestamp) => {
      bench.frames.push(timestamp);
      frameStart = timestamp;
      channel.port2.postMessage(0);
      requestAnimationFrame(onFrame);
    };
    requestAnimationFrame(onFrame);
  });
}

/** A run of `count` simulated lanes (unlimited, speed 10): frames, busy time and long tasks. */
async function scale(browser, count) {
  const { context, page } = await openWith(browser, SITE, {
    topic: TOPIC,
    questions: numberedQuestions(count),
    simulation: { seed: 7, speed: 10 },
    run: { concurrency_limit: null },
  });
  const slowdown = Number(options["scale-cpu-slowdown"]);
  if (slowdown > 1) await (await context.newCDPSession(page)).send("Emulation.setCPUThrottlingRate", { rate: slowdown });
  await instrument(page);
  await page.waitForTimeout(200); // a few quiet frames first
  const { start, end } = await runAndWait(page, "run-parallel");
  const bench = await page.evaluate(() => window.__bench);
  const done = (await lanes(page)).filter((l) => l.run === "parallel" && l.status === "done").length;
  await context.close();
  if (done !== count) throw new Error(`scale N=${count}: only ${done} lanes done`);
  const frames = bench.frames.filter((t) => t >= start && t <= end);
  const intervals = gaps(frames);
  const busy = bench.busy.filter((b) => b.at >= start && b.at <= end).map((b) => b.ms);
  const longTasks = bench.longTasks.filter((t) => t.start + t.duration >= start && t.start <= end);
  const seconds = (end - start) / 1000;
  const result = {
    runMs: end - start,
    fps: frames.length / seconds,
    frameMean: mean(intervals),
    frameP95: percentile(intervals, 95),
    busyMean: mean(busy),
    busyP95: percentile(busy, 95),
    longest: Math.max(0, ...longTasks.map((t) => t.duration)),
    longCount: longTasks.length,
    longTotal: longTasks.reduce((s, t) => s + t.duration, 0),
  };
  progress(
    `scale N=${count}: run ${result.runMs.toFixed(0)} ms, ${result.fps.toFixed(1)} fps, frame mean ${result.frameMean.toFixed(1)} / p95 ${result.frameP95.toFixed(1)} ms, ` +
      `busy mean ${result.busyMean.toFixed(1)} / p95 ${result.busyP95.toFixed(1)} ms, long tasks ${result.longCount} (longest ${result.longest.toFixed(0)} ms)`,
  );
  const k = `scale_n${count}`;
  report(`${k}_run_ms`, result.runMs);
  report(`${k}_fps`, result.fps);
  report(`${k}_frame_mean_ms`, result.frameMean);
  report(`${k}_frame_p95_ms`, result.frameP95);
  report(`${k}_busy_mean_ms`, result.busyMean);
  report(`${k}_busy_p95_ms`, result.busyP95);
  report(`${k}_longest_task_ms`, result.longest);
  report(`${k}_long_tasks`, result.longCount);
  report(`${k}_long_task_total_ms`, result.longTotal);
  return longTasks;
}

/**
 * Frame time while the synthesis streams a Markdown answer of about `words` words, in
 * paragraphs, at 1,000 words a second: the mock echoes five questions back as answers, and
 * then the synthesis prompt (which holds the questions and the answers) as the synthesis. Each
 * frame's busy time is taken while the synthesis lane is streaming, over the last fifth of the
 * stream (where a text re-parsed whole on every frame would be longest).
 */
async function streamingMarkdown(browser, words) {
  const perQuestion = Math.round(words / 10);
  const paragraph = "Parallel calls finish when the *slowest* one does, so the wait is the longest call. ";
  const question = (i) => {
    let text = `Question ${i + 1}:\n\n`;
    for (let w = 0; w < perQuestion; w += 14) text += paragraph + (w % 84 === 70 ? "\n\n" : "");
    return text;
  };
  const { context, page } = await openWith(browser, SITE, {
    topic: TOPIC,
    questions: Array.from({ length: 5 }, (_, i) => ({ text: question(i) })),
    system_prompt: "",
    provider: {
      kind: "anthropic",
      anthropic: { model: "mock?ttft=0&tps=1000&echo=1", base_url: API },
      max_tokens: 200_000,
    },
    run: { concurrency_limit: null, max_retries: 0, timeout_ms: 600_000 },
  });
  await page.fill('[data-testid="api-key"]', "bench-key");
  await page.evaluate(() => {
    const frames = [];
    window.__mdFrames = frames;
    const channel = new MessageChannel();
    let current = null;
    channel.port1.onmessage = () => {
      if (current) current.busy = performance.now() - current.at;
      current = null;
    };
    const onFrame = (at) => {
      const lane = document.querySelector('[data-testid="lane"][data-run="synthesis"]');
      if (lane?.dataset.status === "streaming") {
        current = { at, busy: null };
        frames.push(current);
        channel.port2.postMessage(0);
      }
      requestAnimationFrame(onFrame);
    };
    requestAnimationFrame(onFrame);
  });
  await runAndWait(page, "run-parallel", 600_000);
  const frames = (await page.evaluate(() => window.__mdFrames)).filter((f) => f.busy !== null);
  const shown = await page.$eval('[data-testid="synthesis-text"]', (e) => e.textContent.split(/\s+/).length);
  await context.close();
  const last = frames.slice(Math.floor(frames.length * 0.8));
  const busy = last.map((f) => f.busy);
  progress(
    `streaming Markdown, ${shown} words: ${frames.length} frames, busy mean ${mean(busy).toFixed(2)} / p95 ${percentile(busy, 95).toFixed(2)} ms in the last fifth`,
  );
  const k = `markdown_stream_${words}_words`;
  report(`${k}_shown_words`, shown);
  report(`${k}_frames`, frames.length);
  report(`${k}_busy_mean_ms`, mean(busy));
  report(`${k}_busy_p95_ms`, percentile(busy, 95));
}

/** Records a trace and a CPU profile of a 500-lane run (two fresh runs) and writes a summary. */
async function profile(browser, count, out) {
  const workspace = {
    topic: TOPIC,
    questions: numberedQuestions(count),
    simulation: { seed: 7, speed: 10 },
    run: { concurrency_limit: null },
  };

  let opened = await openWith(browser, SITE, workspace);
  await browser.startTracing(opened.page, {
    categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "toplevel", "blink.user_timing"],
  });
  await opened.page.evaluate(() => performance.mark("bench-run"));
  const traced = await runAndWait(opened.page, "run-parallel");
  const trace = summariseTrace(JSON.parse((await browser.stopTracing()).toString("utf8")), "bench-run");
  await opened.context.close();

  const namedSite = options["profile-site"];
  opened = await openWith(browser, namedSite ?? SITE, workspace);
  const cdp = await opened.context.newCDPSession(opened.page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Profiler.start");
  const profiled = await runAndWait(opened.page, "run-parallel");
  const { profile: cpuProfile } = await cdp.send("Profiler.stop");
  await opened.context.close();
  const cpu = summariseCpuProfile(cpuProfile);

  const busyShare = trace.busyMs / trace.spanMs;
  report(`profile_n${count}_busy_ms`, trace.busyMs);
  report(`profile_n${count}_busy_share`, busyShare);
  for (const [category, ms] of Object.entries(trace.byCategory)) report(`profile_n${count}_${category}_ms`, ms);

  const cpuBusy = cpu.totalMs - (cpu.functions.find((f) => f.name === "(idle)")?.ms ?? 0);
  const pct = (ms, of) => `${((100 * ms) / of).toFixed(1)} %`;
  const lines = [];
  lines.push(`### Where the time of a ${count}-lane run goes`, "");
  lines.push(
    `Two more runs of ${count} simulated lanes (unlimited, speed 10), each on a fresh page: one under a`,
    `performance trace (the DevTools Performance panel's recording), one under the sampling CPU profiler`,
    `(CDP \`Profiler\`, every 100 µs). Recording slows the page down a little; read the shares, not the totals.`,
    "",
  );
  lines.push(
    `**Trace** (renderer main thread; a ${(traced.end - traced.start).toFixed(0)} ms run in ${trace.spanMs.toFixed(0)} ms recorded): ` +
      `busy ${trace.busyMs.toFixed(0)} ms (${(100 * busyShare).toFixed(0)} %) — ` +
      Object.entries(trace.byCategory)
        .sort((a, b) => b[1] - a[1])
        .map(([c, ms]) => `${c} ${ms.toFixed(0)} ms`)
        .join(", ") +
      ".",
    "",
  );
  lines.push("| trace event | category | self ms | share of busy |", "|---|---|---:|---:|");
  for (const r of trace.byName.slice(0, 14)) {
    lines.push(`| ${r.name} | ${r.category} | ${r.ms.toFixed(1)} | ${pct(r.ms, trace.busyMs)} |`);
  }
  lines.push("");
  if (trace.longTasks.length > 0) {
    lines.push(
      `Tasks over 50 ms in that recording (${trace.aligned ? "start relative to the click" : "start relative to the recording"}) and what filled them:`,
      "",
      "| starts at | lasts | mostly |",
      "|---:|---:|---|",
    );
    for (const t of trace.longTasks) {
      const top = t.top.map((e) => `${e.name} ${e.ms.toFixed(0)}`).join(", ");
      lines.push(`| ${t.startMs.toFixed(0)} ms | ${t.ms.toFixed(0)} ms | ${top} |`);
    }
    lines.push("");
  }
  lines.push(
    `**CPU profile** (${(profiled.end - profiled.start).toFixed(0)} ms run, ${cpu.totalMs.toFixed(0)} ms recorded, ` +
      `${cpuBusy.toFixed(0)} ms not idle): ` +
      Object.entries(cpu.byKind)
        .sort((a, b) => b[1] - a[1])
        .map(([k, ms]) => `${k} ${ms.toFixed(0)} ms`)
        .join(", ") +
      ` (\`browser\` is (program) — Blink's own C++: style, layout, paint, DOM — plus (idle) and GC; \`native\` are V8 built-ins).`,
    "",
  );
  const short = (name, max) => name.replace(/\|/g, "\\|").replace(/parallel_playground::/g, "pp::").slice(0, max);
  lines.push("| function (self time) | where | self ms | share of not idle |", "|---|---|---:|---:|");
  for (const f of cpu.functions.filter((f) => f.name !== "(idle)").slice(0, 16)) {
    lines.push(`| \`${short(f.name, 90)}\` | ${f.kind} | ${f.ms.toFixed(1)} | ${pct(f.ms, cpuBusy)} |`);
  }
  lines.push("");
  const hot = cpu.functions.filter((f) => f.kind === "wasm" || f.kind === "native").slice(0, 6);
  lines.push("Hot paths: the callers (nearest first) of the busiest wasm functions and built-ins:", "");
  for (const f of hot) {
    const paths = f.paths.map((p) => `\`${p.path || "(top)"}\` ${(100 * p.share).toFixed(0)} %`).join("; ");
    lines.push(`- \`${short(f.name, 80)}\` ${f.ms.toFixed(0)} ms ← ${paths}`);
  }
  lines.push("");
  lines.push("| wasm self time by crate (or project file) | self ms | share of not idle |", "|---|---:|---:|");
  for (const m of cpu.modules.slice(0, 12)) lines.push(`| \`${m.name}\` | ${m.ms.toFixed(1)} | ${pct(m.ms, cpuBusy)} |`);
  lines.push("");
  if (cpu.ours.length > 0) {
    lines.push("| this project's functions, total time (self + callees) | total ms | share of not idle |", "|---|---:|---:|");
    for (const f of cpu.ours.slice(0, 14)) {
      lines.push(`| \`${short(f.name, 100)}\` | ${f.ms.toFixed(1)} | ${pct(f.ms, cpuBusy)} |`);
    }
    lines.push("");
  }
  const text = lines.join("\n");
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
  }
  progress(`profile of N=${count} written${out ? ` to ${out}` : ""}`);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: options.chromium,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--no-first-run",
    ],
  });
  try {
    const sections = new Set(options.sections.split(","));
    report("chromium", browser.version().replace(/\s+/g, "_"));
    if (sections.has("load")) await coldLoad(browser, QUICK ? 1 : 3);
    if (sections.has("first-view")) await firstView(browser, { runs: QUICK ? 1 : 3, site: SITE, report, progress });
    if (sections.has("skew")) {
      await launchSkew(browser, 10, QUICK ? 2 : 5);
      await launchSkew(browser, 100, QUICK ? 2 : 5);
      await launchSkew(browser, 1000, QUICK ? 1 : 3);
    }
    if (sections.has("mock")) await mockOverhead(browser, QUICK ? 1 : 5);
    if (sections.has("scale")) for (const count of QUICK ? [500, 1000] : [50, 100, 250, 500, 1000]) await scale(browser, count);
    if (sections.has("memory")) {
      const runs = QUICK ? 30 : Number(options["memory-runs"]);
      await memory(browser, { runs, lanes: 60, site: SITE, report, progress });
    }
    if (sections.has("rounds")) await rounds(browser, { site: SITE, report, progress });
    if (sections.has("profile") && !QUICK) await profile(browser, Number(options["profile-lanes"]), options["profile-out"]);
    if (sections.has("markdown")) for (const words of [200, 20_000]) await streamingMarkdown(browser, words);
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(`page_bench: ${error.stack ?? error}`);
  process.exit(1);
});
