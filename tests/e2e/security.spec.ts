import { Page, test, expect } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { openWith, questions, runAndWait } from "./helpers";
import { exportRunJson, mockProvider, startOwnMock, watchConsole } from "./support";

// This file's own mock API: its ~100 requests must not land in the shared mock's log, which
// other files' tests count while this one runs in the other worker.
let mock: { url: string; stop: () => void };
test.beforeAll(async () => {
  mock = await startOwnMock();
});
test.afterAll(() => mock?.stop());

/** The XSS corpus (80 payloads), each served back by the mock as the model's answer. */
const CORPUS = JSON.parse(fs.readFileSync(path.resolve(__dirname, "xss-payloads.json"), "utf8")) as string[];

/** Payloads that would leave a trace if anything ran: a window flag, a console marker, the title. */
const TRACERS = [
  `<script>window.__xss = 1; console.log("XSS-MARKER")</script>`,
  `<img src=x onerror="window.__xss = 1; console.log('XSS-MARKER')">`,
  `<svg onload="window.__xss = 1">`,
  `<iframe srcdoc="<script>parent.__xss = 1</script>"></iframe>`,
  `<details open ontoggle="window.__xss = 1">x</details>`,
  `<input autofocus onfocus="window.__xss = 1">`,
  `<body onload="console.log('XSS-MARKER')">`,
  `<img src=x onerror="document.title = 'XSS'">`,
  `<a href="javascript:window.__xss=1" id="xss-link">click me</a>`,
  `[tracer](javascript:window.__xss=1) and ![pixel](https://evil.example/pixel.png)`,
  `<style>body { display: none }</style>`,
  `<div onmouseover="window.__xss = 1">hover me</div>`,
];
const PAYLOADS = [...CORPUS, ...TRACERS];

/** Elements rendered Markdown may contain, and the attributes each may carry. */
const MARKDOWN_ELEMENTS = new Set("p h1 h2 h3 h4 h5 h6 blockquote pre ol ul li em strong del code a hr br table thead tbody tr th td".split(" "));
const MARKDOWN_ATTRIBUTES: Record<string, string[]> = { a: ["href", "rel", "target", "title"], ol: ["start"] };

/** What could carry a script, a request, a style or a form, in any container. */
const DANGEROUS = "script, img, svg, iframe, frame, object, embed, form, style, link, meta, base, math, video, audio, source, input, textarea, template, noscript, details, marquee";

/** Elements, attributes and links under `selector` that rendered model output must never have. */
async function injectedNodes(page: Page, selector: string) {
  return page.$$eval(
    selector,
    (roots, [dangerous, allowed, allowedAttributes]) => {
      const problems: string[] = [];
      for (const root of roots) {
        for (const el of root.querySelectorAll(dangerous as string)) problems.push(`element <${el.tagName.toLowerCase()}>`);
        for (const el of root.querySelectorAll("*")) {
          for (const a of el.getAttributeNames()) if (a.toLowerCase().startsWith("on")) problems.push(`attribute ${a} on <${el.tagName.toLowerCase()}>`);
          if (el.tagName === "A" && !/^(https?:|mailto:)/i.test(el.getAttribute("href") ?? "")) {
            problems.push(`link to “${el.getAttribute("href")}”`);
          }
        }
        if (root.matches('[data-testid="synthesis-text"]')) {
          // The Markdown view builds only its own elements, with only their own attributes.
          for (const el of root.querySelectorAll("*")) {
            const tag = el.tagName.toLowerCase();
            if (!(allowed as string[]).includes(tag)) problems.push(`unexpected <${tag}>`);
            const ok = (allowedAttributes as Record<string, string[]>)[tag] ?? [];
            for (const a of el.getAttributeNames()) if (!ok.includes(a)) problems.push(`attribute ${a} on <${tag}>`);
          }
        }
      }
      return problems;
    },
    [DANGEROUS, [...MARKDOWN_ELEMENTS], MARKDOWN_ATTRIBUTES] as const,
  );
}

test("the XSS corpus comes back as model output and stays text: nothing runs, nothing is injected", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", async (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    await d.dismiss();
  });
  const browserLog = watchConsole(page, mock.url);
  const offsite: string[] = [];
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith("http://127.0.0.1:") && !url.startsWith("data:") && !url.startsWith("blob:")) offsite.push(url);
  });

  // Each payload is one question; with echo=1 the mock answers with the question, byte for byte,
  // and the synthesis (also echoed) is the synthesis prompt, which holds every question and
  // answer — so the Markdown view renders all payloads, twice each, in one document.
  await openWith(page, {
    topic: "x",
    questions: questions(...PAYLOADS),
    // (max_tokens high enough that the echoed synthesis is not cut at max_tokens words)
    provider: mockProvider("mock?ttft=0&tps=0&echo=1", mock.url, 64000),
    run: { concurrency_limit: null, timeout_ms: 20000, max_retries: 0, quorum: 1 },
  });
  await page.getByTestId("api-key").fill("test-key");
  await runAndWait(page, "run-parallel");
  const title = await page.title();

  await expect(page.getByTestId("synthesis")).toHaveAttribute("data-status", "done");
  const synthesis = page.getByTestId("synthesis-text");
  await expect(synthesis).toBeVisible();
  await synthesis.hover();
  await synthesis.click({ position: { x: 5, y: 5 } });

  // Every answer shows its payload as text, exactly.
  await page.getByTestId("tab-answers").click();
  const cards = page.locator('[data-testid="lane-answer"][data-run="parallel"]');
  await expect(cards).toHaveCount(PAYLOADS.length);
  const shown = await cards.evaluateAll((els) =>
    els.map((e) => {
      const text = e.querySelector(".answer-text")!;
      return { status: (e as HTMLElement).dataset.status, text: text.textContent, children: text.children.length };
    }),
  );
  for (const [i, card] of shown.entries()) {
    expect(card.status, `payload ${i}`).toBe("done");
    expect(card.text, `payload ${i}`).toBe(PAYLOADS[i]);
    expect(card.children, `payload ${i}`).toBe(0);
  }
  await cards.nth(1).locator(".answer-text").hover();

  // The synthesis shows the raw HTML of the payloads as literal text.
  await page.getByTestId("tab-synthesis").click();
  const synthesisText = await synthesis.innerText();
  let literal = 0;
  for (const [i, payload] of PAYLOADS.entries()) {
    for (const tag of payload.match(/<\/?[a-zA-Z][a-zA-Z0-9]*(?![a-zA-Z0-9:])/g) ?? []) {
      if (/^<(https?|javascript|vbscript|data|java)\b/i.test(payload)) continue; // autolinks
      expect(synthesisText, `payload ${i}: ${payload}`).toContain(tag);
      literal++;
    }
  }
  expect(literal).toBeGreaterThan(80);
  expect(synthesisText).toContain("javascript:alert(1)"); // unsafe links show as text
  // A rejected link keeps its text, and the safe ones stay links.
  await expect(synthesis.locator('a[href="https://example.com/"], a[href="https://example.com"]').first()).toBeVisible();

  // Nothing was injected anywhere model output is shown: synthesis, answers, call details, tooltip.
  await page.locator('[data-testid="lane"][data-run="parallel"][data-lane-index="2"]').click();
  await expect(page.locator(".call-details")).toBeVisible();
  await expect(page.locator(".call-details pre").last()).toHaveText(PAYLOADS[2]);
  await page.locator('[data-testid="lane"][data-run="parallel"][data-lane-index="0"]').hover();
  await expect(page.locator(".tooltip")).toBeVisible();
  for (const selector of ['[data-testid="synthesis-text"]', ".answer-groups", ".call-details", ".tooltip", "#results-panel"]) {
    expect(await injectedNodes(page, selector), selector).toEqual([]);
  }
  // …nor anywhere in the page: no inline handler, no script but the page's own.
  const page_ = await page.evaluate(() => ({
    handlers: [...document.querySelectorAll("*")].flatMap((el) => el.getAttributeNames().filter((a) => a.startsWith("on")).map((a) => `${el.tagName}.${a}`)),
    scripts: [...document.scripts].map((s) => s.src || `inline: ${s.textContent!.slice(0, 40)}`),
    frames: document.querySelectorAll("iframe, frame, object, embed").length,
    xssLink: document.getElementById("xss-link") !== null,
  }));
  expect(page_.handlers).toEqual([]);
  expect(page_.frames).toBe(0);
  expect(page_.xssLink).toBe(false);
  for (const s of page_.scripts) expect(s).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[\w.-]+\.js$/);

  // No script ran: no dialog, no flag, no marker, the title untouched, the page still visible.
  expect(dialogs).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(browserLog.text()).not.toContain("XSS-MARKER");
  expect(title).toBe("Parallel Playground");
  expect(await page.title()).toBe("Parallel Playground");
  await expect(page.getByTestId("run-bar")).toBeVisible();
  // No image, stylesheet or script was fetched from anywhere else.
  expect(offsite).toEqual([]);
  expect(browserLog.pageErrors).toEqual([]);
  expect(browserLog.ourErrors(), browserLog.text()).toEqual([]);
});

test("the API key stays out of the URL, links, exports, code, console and storage", async ({ page }) => {
  const KEY = "sk-ant-e2e-SECRET-0123456789";
  const browserLog = watchConsole(page, mock.url);
  const sentTo: string[] = [];
  page.on("request", (r) => {
    const headers = r.headers();
    if (Object.values(headers).some((v) => v.includes(KEY)) || r.url().includes(KEY)) sentTo.push(r.url());
  });
  await openWith(page, {
    topic: "Lima",
    questions: questions("What to see in {topic}?", "What to eat in {topic}?"),
    provider: mockProvider("mock?ttft=20&tps=0&tokens=8", mock.url),
    run: { max_retries: 0 },
  });
  await page.getByTestId("api-key").fill(KEY);
  await runAndWait(page, "run-compare");
  await expect(page.getByTestId("synthesis")).toHaveAttribute("data-status", "done");

  const storage = () =>
    page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }));
  const leaks: Record<string, string> = {};
  leaks["url after the run"] = page.url();
  leaks["page HTML"] = await page.content();
  leaks["storage"] = await storage();

  await page.getByTestId("share-link").click();
  leaks["share link"] = await page.getByTestId("share-link-url").inputValue();
  expect(leaks["share link"]).toContain("#w=");
  leaks["url after share"] = page.url();

  leaks["exported run"] = await exportRunJson(page);
  expect(JSON.parse(leaks["exported run"]).lanes.length).toBeGreaterThan(0);
  const [md] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-synthesis").click()]);
  leaks["synthesis download"] = fs.readFileSync(await md.path(), "utf8");

  await page.getByTestId("export-code").click();
  for (const language of ["python", "typescript", "rust"]) {
    await page.getByTestId(`code-${language}`).click();
    await expect(page.getByTestId(`code-${language}`)).toHaveAttribute("aria-checked", "true");
    leaks[`${language} code`] = await page.getByTestId("generated-code").innerText();
    expect(leaks[`${language} code`]).toContain("ANTHROPIC_API_KEY");
  }
  await page.getByTestId("tab-log").click();
  leaks["event log"] = await page.getByTestId("event-log").innerText();
  await page.locator('[data-testid="lane"][data-run="parallel"]').first().click();
  leaks["call details"] = await page.locator(".call-details").innerText();
  leaks["console"] = browserLog.text();

  for (const [where, text] of Object.entries(leaks)) {
    expect(text, where).not.toContain(KEY);
    expect(text, where).not.toContain("SECRET-0123");
  }
  // The key went to the provider, and only there.
  expect(sentTo.length).toBeGreaterThan(0);
  for (const url of sentTo) expect(url.startsWith(`${mock.url}/v1/`), url).toBe(true);

  // "Remember on this device" keeps it in localStorage — and unticking removes it again.
  await page.getByTestId("remember-key").check();
  expect(await page.evaluate(() => localStorage.getItem("parallel-playground.api-key"))).toBe(KEY);
  await page.reload();
  await expect(page.getByTestId("api-key")).toHaveValue(KEY);
  await expect(page.getByTestId("remember-key")).toBeChecked();
  await page.getByTestId("remember-key").uncheck();
  expect(await page.evaluate(() => localStorage.getItem("parallel-playground.api-key"))).toBeNull();
  expect(await storage()).not.toContain(KEY);
  await page.reload();
  await expect(page.getByTestId("api-key")).toHaveValue("");
  expect(await storage()).not.toContain(KEY);
  expect(browserLog.pageErrors).toEqual([]);
});

test("the Content-Security-Policy blocks injected inline script and inline handlers", async ({ page }) => {
  await page.goto("./");
  await expect(page.getByTestId("run-bar")).toBeVisible();
  await page.evaluate(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => w.__violations.push(`${e.effectiveDirective} ${e.blockedURI}`));
  });
  const outcome = await page.evaluate(async () => {
    const s = document.createElement("script");
    s.textContent = "window.__csp_probe = 1";
    document.body.appendChild(s);
    const div = document.createElement("div");
    div.setAttribute("onclick", "window.__csp_probe_handler = 1");
    document.body.appendChild(div);
    div.click();
    await new Promise((r) => setTimeout(r, 100)); // violation events are dispatched as tasks
    const w = window as unknown as Record<string, unknown>;
    return { probe: w.__csp_probe, handler: w.__csp_probe_handler, violations: w.__violations as string[] };
  });
  expect(outcome.probe).toBeUndefined();
  expect(outcome.handler).toBeUndefined();
  expect(outcome.violations).toEqual(expect.arrayContaining([expect.stringMatching(/^script-src-elem inline/), expect.stringMatching(/^script-src-attr inline/)]));
  // (eval is refused too — no 'unsafe-eval' — but code run from the test through the devtools
  // protocol is exempt from the policy, so that cannot be shown from here.)
});
