// Where the page's main-thread time goes during a run, from two Chromium recordings:
// - a performance trace (what DevTools' Performance panel records), summarised as self time per
//   trace event (style, layout, paint, script, timers…) on the page's renderer main thread;
// - a sampling CPU profile (CDP `Profiler`), summarised as self time per function (JS glue,
//   wasm functions, and the "(program)" time spent in the browser's own C++ code).

/** Rough DevTools categories for trace event names. */
const CATEGORIES = [
  ["scripting", /^(FunctionCall|EvaluateScript|v8\.|V8\.|TimerFire|TimerInstall|TimerRemove|FireAnimationFrame|RequestAnimationFrame|EventDispatch|RunMicrotasks|MinorGC|MajorGC|BlinkGC|GCEvent|ThreadState|CppGC|XHR|ResourceSendRequest|ResourceReceiveResponse|ResourceReceivedData|ResourceFinish|PerformanceObserver|MessagePort|Compile|Script|wasm)/i],
  ["rendering", /^(UpdateLayoutTree|RecalcStyle|Layout|InvalidateLayout|ScheduleStyleRecalculation|HitTest|PrePaint|Layerize|UpdateLayer|ScrollLayer|IntersectionObserver|ComputeIntersections|LayoutShift|ParseAuthorStyleSheet|ParseHTML)/i],
  ["painting", /^(Paint|PaintImage|PaintSetup|CompositeLayers|Commit|Raster|Decode|UpdateLayerTree|Draw)/i],
];

function categoryOf(name) {
  for (const [category, pattern] of CATEGORIES) if (pattern.test(name)) return category;
  return "other";
}

/**
 * Self time (ms) per trace event name on the busiest renderer main thread of `trace` (the JSON
 * Playwright's `browser.stopTracing()` returns), the thread's total busy time, and its tasks
 * longer than 50 ms with what filled them — times relative to the user-timing mark `originMark`
 * (made with `performance.mark` just before the run).
 */
export function summariseTrace(traceJson, originMark) {
  const events = traceJson.traceEvents ?? traceJson;
  const mark = events.find((e) => e.name === originMark);
  const mainThreads = new Set(
    events
      .filter((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain")
      .map((e) => `${e.pid}:${e.tid}`),
  );
  // Complete events per thread; B/E pairs are turned into complete events.
  const perThread = new Map();
  const open = new Map();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (!mainThreads.has(key)) continue;
    if (!perThread.has(key)) perThread.set(key, []);
    if (e.ph === "X" && typeof e.dur === "number") {
      perThread.get(key).push({ name: e.name, ts: e.ts, dur: e.dur });
    } else if (e.ph === "B") {
      if (!open.has(key)) open.set(key, []);
      open.get(key).push(e);
    } else if (e.ph === "E") {
      const begin = open.get(key)?.pop();
      if (begin) perThread.get(key).push({ name: begin.name, ts: begin.ts, dur: e.ts - begin.ts });
    }
  }
  let best = null;
  for (const [key, list] of perThread) {
    const busy = topLevel(list).reduce((s, e) => s + e.dur, 0);
    if (!best || busy > best.busy) best = { key, list, busy };
  }
  if (!best) return { busyMs: 0, spanMs: 0, byName: [], byCategory: {}, longTasks: [], aligned: false };

  // Self time: an event's duration minus that of the events nested directly inside it; kept
  // per name for the whole recording and per top-level task (for the long tasks).
  const list = [...best.list].sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const self = new Map();
  const tasks = [];
  const stack = [];
  const add = (map, name, us) => map.set(name, (map.get(name) ?? 0) + us);
  for (const e of list) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
    if (stack.length === 0) tasks.push({ ts: e.ts, dur: e.dur, self: new Map() });
    const task = tasks[tasks.length - 1];
    add(self, e.name, e.dur);
    add(task.self, e.name, e.dur);
    const parent = stack[stack.length - 1];
    if (parent) {
      const nested = -Math.min(e.dur, parent.ts + parent.dur - e.ts);
      add(self, parent.name, nested);
      add(task.self, parent.name, nested);
    }
    stack.push(e);
  }
  const byName = [...self.entries()]
    .map(([name, us]) => ({ name, ms: us / 1000, category: categoryOf(name) }))
    .filter((r) => r.ms > 0)
    .sort((a, b) => b.ms - a.ms);
  const byCategory = {};
  for (const r of byName) byCategory[r.category] = (byCategory[r.category] ?? 0) + r.ms;
  const origin = mark?.ts ?? list[0].ts;
  const longTasks = tasks
    .filter((t) => t.dur >= 50_000)
    .map((t) => ({
      startMs: (t.ts - origin) / 1000,
      ms: t.dur / 1000,
      top: [...t.self.entries()]
        .filter(([, us]) => us > 0)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([name, us]) => ({ name, ms: us / 1000 })),
    }));
  const first = Math.min(...list.map((e) => e.ts));
  const last = Math.max(...list.map((e) => e.ts + e.dur));
  return { busyMs: best.busy / 1000, spanMs: (last - first) / 1000, byName, byCategory, longTasks, aligned: Boolean(mark) };
}

/** The events not nested in another (one thread's tasks). */
function topLevel(list) {
  const sorted = [...list].sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const out = [];
  let end = -Infinity;
  for (const e of sorted) {
    if (e.ts >= end) {
      out.push(e);
      end = e.ts + e.dur;
    } else {
      end = Math.max(end, e.ts + e.dur);
    }
  }
  return out;
}

/** A readable name for a profiled function: Rust symbols lose their hash and `_ZN…E` mangling. */
export function readableName(functionName) {
  let name = functionName || "(anonymous)";
  const legacy = name.match(/^_ZN(.*)E$/);
  if (legacy) {
    const parts = [];
    let rest = legacy[1];
    while (rest.length) {
      const m = rest.match(/^(\d+)/);
      if (!m) break;
      const len = Number(m[1]);
      parts.push(rest.slice(m[1].length, m[1].length + len));
      rest = rest.slice(m[1].length + len);
    }
    if (parts.length && /^h[0-9a-f]{16}$/.test(parts[parts.length - 1])) parts.pop();
    name = parts
      .join("::")
      .replace(/\$LT\$/g, "<")
      .replace(/\$GT\$/g, ">")
      .replace(/\$u20\$/g, " ")
      .replace(/\$RF\$/g, "&")
      .replace(/\$C\$/g, ",")
      .replace(/\.\./g, "::");
  }
  return name.replace(/::h[0-9a-f]{16}$/, "");
}

/** The last two path segments of a readable name (`Type::method`), generics dropped. */
export function shortName(name) {
  if (name.startsWith("<")) {
    // `<Type<G> as Trait>::method` → `Type<G>::method`
    let depth = 0;
    let close = -1;
    let as = -1;
    for (let i = 0; i < name.length && close < 0; i++) {
      if (name[i] === "<") depth++;
      else if (name[i] === ">") depth-- === 1 && (close = i);
      else if (depth === 1 && as < 0 && name.startsWith(" as ", i)) as = i;
    }
    if (close > 0) name = name.slice(1, as > 0 ? as : close) + name.slice(close + 1);
  }
  let depth = 0;
  let plain = "";
  for (const c of name) {
    if (c === "<") depth++;
    else if (c === ">") depth = Math.max(0, depth - 1);
    else if (depth === 0) plain += c;
  }
  const parts = plain.replace(/::\{\{closure\}\}/g, "::{closure}").split("::").filter(Boolean);
  const closure = parts[parts.length - 1] === "{closure}";
  const core = closure ? parts.slice(-3, -1) : parts.slice(-2);
  return (core.join("::") + (closure ? "::{closure}" : "")) || name;
}

/** Where a profiled function lives: wasm, the JS glue, or the browser itself. */
function kindOf(callFrame) {
  const { url, functionName } = callFrame;
  if (/^\((program|idle|garbage collector|root)\)$/.test(functionName)) return "browser";
  if (url.startsWith("wasm://") || url.endsWith(".wasm") || /^\$?wasm-function\[/.test(functionName)) return "wasm";
  if (url) return "js";
  return "native";
}

/**
 * The crate (or, for this project, `parallel_playground::area::file`) a Rust function name
 * belongs to; `(unnamed)` when the wasm has no names.
 */
export function moduleOf(name) {
  if (/^\$?wasm-function\[/.test(name)) return "(unnamed)";
  const path = name.replace(/^[<&\s]+/, "").split(/[\s<>(,]/)[0];
  const parts = path.split("::").filter(Boolean);
  if (parts.length < 2) return "(no path)";
  return parts[0] === "parallel_playground" ? parts.slice(0, 3).join("::") : parts[0];
}

/**
 * Self time (ms) per function of a CDP `Profiler.stop` profile, totals per kind (`wasm`, `js`,
 * `native` built-ins, `browser` = (program)/(idle)/(garbage collector)), wasm self time per
 * crate, and the total (inclusive) time of this project's own functions.
 */
export function summariseCpuProfile(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const selfUs = new Map();
  const inclusiveUs = new Map();
  // Per leaf function: time by its chain of callers.
  const pathsUs = new Map();
  const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
    // Each of our functions on this sample's stack, once even when recursive.
    const seen = new Set();
    for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const name = readableName(nodes.get(id).callFrame.functionName);
      if (name.includes("parallel_playground::")) seen.add(name);
    }
    for (const name of seen) inclusiveUs.set(name, (inclusiveUs.get(name) ?? 0) + dt);
    const leaf = readableName(nodes.get(profile.samples[i]).callFrame.functionName);
    // The leaf's callers, a few frames up: which reactive or DOM operation led to it.
    const callers = [];
    for (let id = parent.get(profile.samples[i]); id !== undefined && callers.length < 4; id = parent.get(id)) {
      const name = shortName(readableName(nodes.get(id).callFrame.functionName));
      if (name && name !== "(root)" && callers[callers.length - 1] !== name) callers.push(name);
    }
    if (!pathsUs.has(leaf)) pathsUs.set(leaf, new Map());
    add(pathsUs.get(leaf), callers.join(" ← "), dt);
  }
  const byFunction = new Map();
  const byKind = {};
  const byModule = new Map();
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id).callFrame;
    const kind = kindOf(frame);
    const name = readableName(frame.functionName);
    const key = `${kind}\u0000${name}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    byKind[kind] = (byKind[kind] ?? 0) + us / 1000;
    if (kind === "wasm") byModule.set(moduleOf(name), (byModule.get(moduleOf(name)) ?? 0) + us / 1000);
  }
  const functions = [...byFunction.entries()]
    .map(([key, us]) => {
      const [kind, name] = key.split("\u0000");
      const paths = [...(pathsUs.get(name) ?? new Map()).entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 2)
        .map(([path, pathUs]) => ({ path, share: pathUs / us }));
      return { kind, name, ms: us / 1000, paths };
    })
    .sort((a, b) => b.ms - a.ms);
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const sortedMs = (map, scale = 1) => [...map.entries()].map(([name, v]) => ({ name, ms: v * scale })).sort((a, b) => b.ms - a.ms);
  return { totalMs, byKind, functions, modules: sortedMs(byModule), ours: sortedMs(inclusiveUs, 1 / 1000) };
}
