// The page in a second browser: Debian's firefox-esr, driven by puppeteer-core over WebDriver
// BiDi, against the release build (dist/) served by the mock server, as the Playwright suite
// does for Chromium. Run with `node --test run.mjs` (or `cargo xtask test firefox`).
//
// Environment: SITE_DIR (default ../../dist), MOCK_API_BIN (default ../../target/debug/mock-api),
// PP_API_PORT (default 4030; the page is served on the next port), FIREFOX_PATH.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const siteDir = process.env.SITE_DIR ?? path.resolve(here, "../../dist");
const mockBin = process.env.MOCK_API_BIN ?? path.resolve(here, "../../target/debug/mock-api");
const API_PORT = Number(process.env.PP_API_PORT ?? 4030);
const SITE_PORT = API_PORT + 1;
const API = `http://127.0.0.1:${API_PORT}`;
const SITE = `http://127.0.0.1:${SITE_PORT}/`;
const STORAGE_KEY = "parallel-playground.workspace";
const TRAVEL = [
  "What are the top 3 attractions in {topic}?",
  "What is the best way to get around {topic}?",
  "What local customs should visitors to {topic} know?",
];
const questions = (...texts) => texts.map((text) => ({ text }));
const mockProvider = (model, maxTokens = 512) => ({
  kind: "anthropic",
  anthropic: { model, base_url: API },
  openai: { model: "llama3.2", base_url: "http://localhost:11434/v1" },
  max_tokens: maxTokens,
});
const testid = (id) => `[data-testid="${id}"]`;

let mock;
let browser;
let home;

before(async () => {
  mock = spawn(mockBin, ["--port", String(API_PORT), "--site", siteDir, "--site-port", String(SITE_PORT)], {
    stdio: "ignore",
  });
  await waitForSite();
  home = fs.mkdtempSync(path.join(os.tmpdir(), "pp-firefox-"));
  browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr",
    headless: true,
    // Firefox's own headless window (1366 px wide: a desktop one; below 860 px the settings fold
    // away). No emulated viewport: puppeteer's setViewport also sends
    // emulation.setScreenOrientationOverride, which Firefox 140 ESR does not know.
    defaultViewport: null,
    // Firefox refuses to start as root with the real home; a temporary one works.
    env: { ...process.env, HOME: home, MOZ_HEADLESS: "1" },
  });
});

after(async () => {
  await browser?.close();
  if (mock && mock.exitCode === null) mock.kill();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

async function waitForSite() {
  for (let tries = 0; tries < 100; tries++) {
    if (mock.exitCode !== null) throw new Error(`mock-api exited with ${mock.exitCode}`);
    try {
      if ((await fetch(SITE)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the page was not served at ${SITE} within 10 s`);
}

/** A fresh page in its own browser context, collecting page errors and dialogs. */
async function freshPage() {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.goto("about:blank");
  const width = await page.evaluate(() => window.innerWidth);
  assert.ok(width >= 860, `a desktop-wide window, not ${width} px`);
  const problems = { errors: [], dialogs: [] };
  page.on("pageerror", (e) => problems.errors.push(String(e?.message ?? e)));
  page.on("dialog", async (d) => {
    problems.dialogs.push(`${d.type()}: ${d.message()}`);
    await d.dismiss();
  });
  return { context, page, problems };
}

/** Opens the page with `workspace` saved, as a returning person would. */
async function openWith(page, workspace) {
  await page.goto(SITE);
  // Let the first load finish: a reload during the wasm download would abort it.
  await page.waitForSelector(testid("run-bar"));
  await page.evaluate(
    (key, value) => localStorage.setItem(key, value),
    STORAGE_KEY,
    JSON.stringify({ version: 1, ...workspace }),
  );
  await page.reload();
  await page.waitForSelector(testid("run-bar"));
}

/**
 * Polls `fn` in the page until it returns something truthy (as `page.waitForFunction` would;
 * that one builds its predicate with `new Function`, which the page's CSP rightly blocks in
 * Firefox, while `page.evaluate` calls the function without an eval).
 */
async function waitFor(page, fn, { timeout = 30_000, polling = 50 } = {}, ...args) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await page.evaluate(fn, ...args).catch(() => false);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`waited ${timeout} ms for: ${String(fn).slice(0, 160)}`);
    await new Promise((r) => setTimeout(r, polling));
  }
}

/** Clicks a run button and waits until that run has finished. */
async function runAndWait(page, button, timeout = 45_000) {
  const before = Number(await page.$eval(testid("run-bar"), (e) => e.dataset.runNumber));
  await page.click(testid(button));
  await waitFor(page, 
    (n) => {
      const bar = document.querySelector('[data-testid="run-bar"]');
      return Number(bar.dataset.runNumber) === n && bar.dataset.running === "false";
    },
    { timeout, polling: 50 },
    before + 1,
  );
}

/** Every lane row of the timeline, with the times the page recorded. */
function lanes(page) {
  return page.$$eval('[data-testid="lane"]', (els) =>
    els.map((e) => ({
      run: e.dataset.run,
      index: Number(e.dataset.laneIndex),
      status: e.dataset.status,
      start: e.dataset.startMs === undefined ? null : Number(e.dataset.startMs),
      end: e.dataset.endMs === undefined ? null : Number(e.dataset.endMs),
    })),
  );
}

async function setValue(page, selector, value, index = 0) {
  const handles = await page.$$(selector);
  const input = handles[index];
  await input.click({ count: 3 });
  await input.evaluate((el) => {
    el.value = "";
  });
  await input.type(value);
}

test("compare: parallel calls start together, sequential ones never overlap", async () => {
  const { context, page, problems } = await freshPage();
  await openWith(page, { topic: "Paris", questions: questions(...TRAVEL), simulation: { seed: 7, speed: 4 } });
  await runAndWait(page, "run-compare");
  const all = await lanes(page);
  const par = all.filter((l) => l.run === "parallel");
  const seq = all.filter((l) => l.run === "sequential").sort((a, b) => a.index - b.index);
  assert.equal(par.length, 3);
  assert.equal(seq.length, 3);
  assert.ok(all.every((l) => l.status === "done"), JSON.stringify(all));
  // Every parallel call started before any of them ended.
  assert.ok(Math.max(...par.map((l) => l.start)) < Math.min(...par.map((l) => l.end)));
  for (let i = 1; i < seq.length; i++) assert.ok(seq[i].start >= seq[i - 1].end - 0.5);
  const synthesis = await page.$eval(testid("synthesis"), (e) => e.dataset.status);
  assert.equal(synthesis, "done");
  const text = (await page.$eval(testid("synthesis-text"), (e) => e.textContent)).toLowerCase();
  for (const topic of ["attractions", "get around", "customs"]) assert.ok(text.includes(topic), topic);
  assert.deepEqual(problems, { errors: [], dialogs: [] });
  await context.close();
});

test("agents lab: a turn's tool calls overlap, and the answers are right", async () => {
  const { context, page, problems } = await freshPage();
  await openWith(page, {
    mode: "agents",
    simulation: { seed: 5, speed: 4 },
    agents: {
      prompts: ["What is (2 + 3) * (4 * 4) + (6 - 1)?", "What is (10 - 4) * (3 + 3)?"],
      setup: "calculator",
      parallel_tools: true,
      concurrent_conversations: true,
      tool_latency_ms: 300,
      max_turns: 8,
    },
  });
  await runAndWait(page, "run-agents");
  const rows = await page.$$eval(testid("tool-call"), (els) =>
    els.map((e) => ({ parent: e.dataset.parent, status: e.dataset.status, start: Number(e.dataset.startMs), end: Number(e.dataset.endMs) })),
  );
  assert.ok(rows.length > 0 && rows.every((r) => r.status === "done"), JSON.stringify(rows));
  const turns = new Map();
  for (const r of rows) turns.set(r.parent, [...(turns.get(r.parent) ?? []), r]);
  const wide = [...turns.values()].filter((t) => t.length > 1);
  assert.ok(wide.length > 0);
  for (const turn of wide) assert.ok(Math.max(...turn.map((r) => r.start)) < Math.min(...turn.map((r) => r.end)));
  const answers = await page.$$eval('[data-testid="lane-answer"][data-run="agent"]', (els) => els.map((e) => e.textContent));
  assert.equal(answers.length, 2);
  assert.ok(answers.some((a) => a.includes("is 85")), answers.join(" | "));
  assert.ok(answers.some((a) => a.includes("is 36")), answers.join(" | "));
  assert.deepEqual(problems, { errors: [], dialogs: [] });
  await context.close();
});

test("a share link opens the same set-up in a fresh context, without the key", async () => {
  const { context, page, problems } = await freshPage();
  await page.goto(SITE);
  await page.waitForSelector(testid("run-bar"));
  await setValue(page, testid("topic-input"), "Lisbon");
  await page.click(testid("add-question"));
  await setValue(page, testid("question-input"), "Where to eat in {topic}?", 3);
  await page.select(testid("provider-select"), "anthropic");
  await setValue(page, testid("api-key"), "sk-ant-very-secret-key");
  await page.click(testid("share-link"));
  await page.waitForSelector(testid("share-link-url"));
  const link = await page.$eval(testid("share-link-url"), (e) => e.value);
  assert.match(link, /#w=/);
  assert.ok(!link.includes("secret") && !link.includes("sk-ant"), link);
  await context.close();

  const other = await freshPage();
  await other.page.goto(link);
  await other.page.waitForSelector(testid("run-bar"));
  await waitFor(other.page, 
    () => document.querySelectorAll('[data-testid="question-input"]').length === 4,
    { timeout: 10_000, polling: 50 },
  );
  assert.equal(await other.page.$eval(testid("topic-input"), (e) => e.value), "Lisbon");
  const shown = await other.page.$$eval(testid("question-input"), (els) => els.map((e) => e.value));
  assert.equal(shown[3], "Where to eat in {topic}?");
  assert.equal(await other.page.$eval(testid("provider-select"), (e) => e.value), "anthropic");
  assert.equal(await other.page.$eval(testid("api-key"), (e) => e.value), "");
  assert.deepEqual(problems, { errors: [], dialogs: [] });
  assert.deepEqual(other.problems, { errors: [], dialogs: [] });
  await other.context.close();
});

test("the XSS corpus comes back as model output and stays text", async () => {
  const corpus = JSON.parse(fs.readFileSync(path.resolve(here, "../e2e/xss-payloads.json"), "utf8"));
  const tracers = [
    `<script>window.__xss = 1</script>`,
    `<img src=x onerror="window.__xss = 1">`,
    `<svg onload="window.__xss = 1">`,
    `<a href="javascript:window.__xss=1" id="xss-link">click me</a>`,
    `[tracer](javascript:window.__xss=1) and ![pixel](https://evil.example/pixel.png)`,
  ];
  const payloads = [...corpus, ...tracers];
  const { context, page, problems } = await freshPage();
  await openWith(page, {
    topic: "x",
    questions: questions(...payloads),
    provider: mockProvider("mock?ttft=0&tps=0&echo=1", 64000),
    run: { concurrency_limit: null, timeout_ms: 20000, max_retries: 0, quorum: 1 },
  });
  await setValue(page, testid("api-key"), "test-key");
  await runAndWait(page, "run-parallel");
  await waitFor(page, () => document.querySelector('[data-testid="synthesis"]')?.dataset.status === "done", {
    timeout: 20_000,
    polling: 50,
  });
  await page.click(testid("tab-answers"));
  const shown = await page.$$eval('[data-testid="lane-answer"][data-run="parallel"] .answer-text', (els) =>
    els.map((e) => ({ text: e.textContent, children: e.children.length })),
  );
  assert.equal(shown.length, payloads.length);
  shown.forEach((card, i) => assert.deepEqual(card, { text: payloads[i], children: 0 }, `payload ${i}`));
  await page.click(testid("tab-synthesis"));
  const found = await page.evaluate(() => {
    const allowed = new Set("p h1 h2 h3 h4 h5 h6 blockquote pre ol ul li em strong del code a hr br table thead tbody tr th td".split(" "));
    const allowedAttributes = { a: ["href", "rel", "target", "title"], ol: ["start"] };
    const problems = [];
    for (const el of document.querySelectorAll('[data-testid="synthesis-text"] *')) {
      const tag = el.tagName.toLowerCase();
      if (!allowed.has(tag)) problems.push(`<${tag}>`);
      for (const a of el.getAttributeNames()) if (!(allowedAttributes[tag] ?? []).includes(a)) problems.push(`${a} on <${tag}>`);
      if (tag === "a" && !/^(https?:|mailto:)/i.test(el.getAttribute("href") ?? "")) problems.push(`link ${el.getAttribute("href")}`);
    }
    const handlers = [...document.querySelectorAll("*")].flatMap((el) => el.getAttributeNames().filter((a) => a.startsWith("on")));
    return {
      problems,
      handlers,
      frames: document.querySelectorAll("iframe, frame, object, embed, script:not([src])").length,
      xss: window.__xss,
      xssLink: document.getElementById("xss-link") !== null,
      literal: document.querySelector('[data-testid="synthesis-text"]').textContent.includes("<script>"),
      title: document.title,
    };
  });
  assert.deepEqual(found, { problems: [], handlers: [], frames: 0, xss: undefined, xssLink: false, literal: true, title: "Parallel Playground" });
  assert.deepEqual(problems, { errors: [], dialogs: [] });
  await context.close();
});

test("cancel ends every unfinished call and keeps partial text", async () => {
  const { context, page, problems } = await freshPage();
  await openWith(page, {
    topic: "Oslo",
    questions: questions(...TRAVEL, "What is the history of {topic}?"),
    simulation: { seed: 3, speed: 1 },
  });
  await page.click(testid("run-parallel"));
  await page.waitForSelector('[data-testid="lane"][data-status="streaming"]', { timeout: 15_000 });
  await new Promise((r) => setTimeout(r, 300));
  await page.click(testid("cancel-run"));
  await waitFor(page, 
    () =>
      document.querySelector('[data-testid="run-bar"]').dataset.running === "false" &&
      ![...document.querySelectorAll('[data-testid="lane"]')].some((e) =>
        ["queued", "waiting", "streaming", "retrying"].includes(e.dataset.status),
      ),
    { timeout: 10_000, polling: 50 },
  );
  const cancelled = (await lanes(page)).filter((l) => l.status === "cancelled");
  assert.ok(cancelled.length > 0);
  await page.click(testid("tab-answers"));
  const partial = await page.$$eval('[data-testid="lane-answer"][data-status="cancelled"] .answer-text', (els) =>
    els.map((e) => e.textContent),
  );
  assert.ok(partial.some((t) => t.length > 5), JSON.stringify(partial));
  assert.deepEqual(problems, { errors: [], dialogs: [] });
  await context.close();
});
