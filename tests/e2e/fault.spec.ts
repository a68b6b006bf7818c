import { APIRequestContext, Page, test, expect } from "@playwright/test";
import { Lane, lanes, openWith, questions, runAndWait } from "./helpers";
import { MockRequest, TERMINAL, exportRunJson, mockLog, mockProvider, mockRequestId, startOwnMock, watchConsole } from "./support";

// 100 research calls against the mock's chaos mode: per attempt, 50 % ok and the rest 429 / 529 /
// 500 / cut stream / malformed stream / stalled stream, drawn from a hash of (seed, body,
// attempt) — so the same set-up gets the same draws every time.
//
// Question i is 60 + 8·i characters long: the mock counts input tokens as characters / 4, so
// its request log tells the lanes apart (two tokens apart each). Error responses are told apart
// by the request id the page keeps with each error.
const QUESTIONS = Array.from({ length: 100 }, (_, i) =>
  (`Q${i + 1}: what is fact number ${i + 1} about {topic}?` + " more".repeat(2 * i + 20)).slice(0, 60 + 8 * i),
);
// Per-call timeout: stalled streams time out, while the slowest healthy path (429 → 1 s → 529
// → ≤ 1 s → ok, about 2.3 s) keeps a second in hand for a call sent at once (the timeout counts
// from when a call is asked for: one that waits in a queue has less). The synthesis prompt
// quotes timed-out calls as "Timed out after 3.5 s": a timer up to 99 ms late reads the same.
const TIMEOUT_MS = 3451;
const RETRY_AFTER_MS = 1000; // the mock's `retry-after: 1` on every 429
// At a limit of 6, how many partial answers and retry-after waits the calls sent surely show.
const PARTIAL_MIN = 1;
const RETRY_AFTER_MIN = 1;

// This file's own mock API (the shared one's log is reset by other files' tests running at the
// same time); the page reaches it like any base URL on 127.0.0.1.
let mock: { url: string; stop: () => void };
test.beforeAll(async () => {
  mock = await startOwnMock();
});
test.afterAll(() => mock?.stop());

/** What one chaotic run left behind: the page's lanes, its exported events, the mock's log. */
interface ChaosRun {
  lanes: Lane[];
  events: RunEvent[];
  log: MockRequest[];
  /** Log entry → page lane id. */
  laneOf: Map<number, number>;
  /** Page lane id → question index (research lanes only). */
  questionOf: Map<number, number>;
  synthesisLane: number | undefined;
}

interface RunEvent {
  at_ms: number;
  event: string;
  lane?: number;
  attempt?: number;
  retry?: number;
  delay_ms?: number;
  info?: { kind: { type: string; index?: number } };
  usage?: { input_tokens: number };
  error?: { type: string; status?: number; request_id?: string | null };
  outcome?: { type: string; error?: { request_id?: string | null } };
  answers?: number;
  reason?: string;
}

async function chaosRun(page: Page, request: APIRequestContext, seed: string, limit: number | null): Promise<ChaosRun> {
  await request.post(`${mock.url}/__mock/reset`);
  await openWith(page, {
    topic: "chaos",
    questions: questions(...QUESTIONS),
    // Set here, not taken from a preset: the mock's draws hash the request body.
    system_prompt: "Answer in one short paragraph.",
    synthesis_prompt: "Merge the research below into one short summary.",
    provider: mockProvider(`mock?ttft=150&tps=200&tokens=12&chaos=${seed}`, mock.url),
    run: { concurrency_limit: limit, timeout_ms: TIMEOUT_MS, failure_policy: "settle-all", quorum: 1, max_retries: 2 },
  });
  await page.getByTestId("api-key").fill("test-key");
  await runAndWait(page, "run-parallel", 80_000);

  const exported = JSON.parse(await exportRunJson(page)) as { events: RunEvent[] };
  const events = exported.events;
  const log = (await mockLog(request, mock.url)).filter((r) => r.path === "/v1/messages");

  // Tell the log's entries apart: errors by request id, answers by input tokens.
  const laneByRequestId = new Map<string, number>();
  const laneByTokens = new Map<number, number>();
  const questionOf = new Map<number, number>();
  let synthesisLane: number | undefined;
  for (const e of events) {
    if (e.event === "lane_opened" && e.info) {
      if (e.info.kind.type === "question") questionOf.set(e.lane!, e.info.kind.index!);
      if (e.info.kind.type === "synthesis") synthesisLane = e.lane;
    }
    const requestId = e.error?.request_id ?? e.outcome?.error?.request_id;
    if (requestId) laneByRequestId.set(requestId, e.lane!);
    if (e.event === "usage" && e.usage) {
      const known = laneByTokens.get(e.usage.input_tokens);
      expect(known === undefined || known === e.lane, `input tokens ${e.usage.input_tokens} on two lanes`).toBe(true);
      laneByTokens.set(e.usage.input_tokens, e.lane!);
    }
  }
  // Answers the page never saw (a stream cut before its first event) are placed by their input
  // tokens, from any research lane whose tokens the page did see: two more per question.
  const laneOfQuestion = new Map([...questionOf].map(([lane, index]) => [index, lane]));
  const anchor = [...laneByTokens].find(([, lane]) => questionOf.has(lane));
  expect(anchor, "some research answer reached the page").toBeDefined();
  const [anchorTokens, anchorLane] = anchor!;
  const questionByTokens = (tokens: number) => questionOf.get(anchorLane)! + (tokens - anchorTokens) / 2;
  for (const [tokens, lane] of laneByTokens) {
    if (questionOf.has(lane)) expect(questionByTokens(tokens), `lane ${lane}: ${tokens} tokens`).toBe(questionOf.get(lane));
  }
  const laneOf = new Map<number, number>();
  for (const r of log) {
    let lane: number | undefined;
    if ((r.status ?? 0) >= 400) lane = laneByRequestId.get(mockRequestId(r.seq));
    // An error the page never read (its time ran out while the answer was on its way) is placed
    // by its input tokens, like an answer.
    if (lane === undefined && r.input_tokens !== null) {
      const index = questionByTokens(r.input_tokens);
      lane = laneByTokens.get(r.input_tokens) ?? laneOfQuestion.get(index) ?? (index >= 100 ? synthesisLane : undefined);
    }
    if (lane !== undefined) laneOf.set(r.seq, lane);
  }
  return { lanes: await lanes(page), events, log, laneOf, questionOf, synthesisLane };
}

/** The checks that hold whatever the timing: they run on every chaotic run. */
async function checkInvariants(page: Page, run: ChaosRun, browserLog: ReturnType<typeof watchConsole>, exact: boolean) {
  // Every lane ended, with a status the page knows.
  const research = run.lanes.filter((l) => l.run === "parallel");
  expect(research).toHaveLength(100);
  for (const l of run.lanes) expect(TERMINAL, `lane ${l.run} ${l.index}: ${l.status}`).toContain(l.status);
  expect(run.lanes.every((l) => l.end !== null)).toBe(true);

  // Every unfinished answer says why, in a sentence (not a status code, not raw JSON).
  await page.getByTestId("tab-answers").click();
  const cards = await page.locator('[data-testid="lane-answer"][data-run="parallel"]').evaluateAll((els) =>
    els.map((e) => ({
      status: (e as HTMLElement).dataset.status!,
      meta: e.querySelector(".meta")?.textContent ?? "",
      text: e.querySelector(".answer-text")?.textContent ?? "",
      reason: e.querySelector(".reason")?.textContent ?? "",
    })),
  );
  expect(cards).toHaveLength(100);
  for (const [i, c] of cards.entries()) {
    expect(c.status).toBe(research.find((l) => l.index === i)!.status);
    if (c.status === "done") {
      expect(c.reason).toBe("");
      continue;
    }
    const where = `answer ${i + 1} (${c.status}): “${c.reason}”`;
    expect(c.reason.length, where).toBeGreaterThan(20);
    expect(c.reason, where).toMatch(/^[A-Z][^{}]*[a-z][^{}]*$/);
    expect(c.reason, where).not.toMatch(/"type"|"error"|\[object|undefined|null/);
    // Partial text is kept and marked as such.
    expect(c.meta.includes("partial"), where).toBe(c.text.length > 0);
  }

  // The timeline's tooltip tells the same reason, for a failed and a timed-out lane.
  for (const status of ["failed", "timeout"]) {
    const index = cards.findIndex((c) => c.status === status);
    if (index < 0) continue;
    await page.locator(`[data-testid="lane"][data-run="parallel"][data-lane-index="${index}"]`).hover();
    await expect(page.locator(".tooltip")).toContainText(cards[index].reason);
    await page.mouse.move(0, 0);
  }

  // The log's partial-failure attempts with text: the lane that ended on one shows that text.
  const lastAttempt = new Map<number, MockRequest>();
  for (const r of run.log) {
    const lane = run.laneOf.get(r.seq);
    if (lane === undefined || !run.questionOf.has(lane)) continue;
    if ((lastAttempt.get(lane)?.attempt ?? -1) < r.attempt) lastAttempt.set(lane, r);
  }
  let partialChecked = 0;
  for (const [lane, r] of lastAttempt) {
    const index = run.questionOf.get(lane)!;
    const card = cards[index];
    const sent = r.output_tokens ?? 0;
    if (!["cut", "stall", "malformed"].includes(r.behaviour) || sent === 0 || card.status === "done") continue;
    const where = `question ${index + 1}: ${r.behaviour} after ${sent} words, lane ${card.status}: “${card.text}”`;
    const words = card.text.trim() === "" ? 0 : card.text.trim().split(/\s+/).length;
    if (r.behaviour === "cut") {
      // A cut connection errors the browser's body stream, and the Streams spec drops chunks
      // still queued in it: the page can only keep what it had read (curl sees all words).
      expect(words, where).toBeLessThanOrEqual(sent);
      if (words === 0) continue;
    } else if (exact && card.status !== "timeout") {
      // Stalled and malformed streams deliver every word before the trouble: all are kept
      // (a lane that timed out may have run out of time, counted from when it was asked for,
      // while the words were still arriving: that case is checked as below).
      expect(words, where).toBe(sent);
    } else {
      // Unless the call's timeout (which started while it waited in the browser's queue) ran out
      // while the words were still arriving.
      expect(words, where).toBeLessThanOrEqual(sent);
      if (words === 0) continue;
    }
    expect(card.meta, where).toContain("partial");
    // The mock answers `Mock answer about <first six words of the question>: <filler>`.
    const words6 = (t: string) => t.replace(/[^A-Za-z0-9 ]/g, "").trim().split(/\s+/);
    const head = ["Mock", "answer", "about", ...words6(QUESTIONS[index]).slice(0, 6)].join(" ");
    const text = words6(card.text).join(" ");
    expect(head.startsWith(text) || text.startsWith(head), where).toBe(true);
    partialChecked++;
  }

  // Retries honour retry-after: after each 429, the same lane's next request reached the mock at
  // least a second later (server clock), and the page planned exactly that wait.
  let rateLimitedRetries = 0;
  for (const e of run.events.filter((e) => e.event === "retry_scheduled" && e.error?.status === 429)) {
    expect(e.delay_ms).toBe(RETRY_AFTER_MS);
    const limited = run.log.find((r) => mockRequestId(r.seq) === e.error!.request_id);
    expect(limited, `429 ${e.error!.request_id} in the mock log`).toBeDefined();
    const next = run.events.find((n) => n.event === "started" && n.lane === e.lane && n.attempt === e.retry);
    if (!next) continue; // the call timed out while it waited
    expect(next.at_ms - e.at_ms).toBeGreaterThanOrEqual(RETRY_AFTER_MS - 1);
    const nextSeen = run.log.find((r) => r.attempt === e.retry && run.laneOf.get(r.seq) === e.lane);
    if (!nextSeen) continue; // aborted in the browser's queue before it reached the server
    expect(nextSeen.received_at_ms - limited!.received_at_ms, `lane ${e.lane} retry ${e.retry}`).toBeGreaterThanOrEqual(RETRY_AFTER_MS);
    rateLimitedRetries++;
  }
  // The event log says so in words.
  if (rateLimitedRetries > 0) {
    await page.getByTestId("tab-log").click();
    await expect(page.getByTestId("event-log")).toContainText(/Retry [12] in 1\.0 s for: [^\n]*\(429\)/);
  }

  // No uncaught error, and no console error from our code.
  expect(browserLog.pageErrors).toEqual([]);
  expect(browserLog.ourErrors(), browserLog.text()).toEqual([]);
  return { cards, partialChecked, rateLimitedRetries };
}

// At a limit of 6 (the browser's own limit per origin over HTTP/1.1) the page's queue is the
// only one: a call that holds a permit has a connection. Since issue 11 a call's timeout counts
// from when it is asked for, its wait for a permit included. No timeout is long enough for the
// whole queue: all 100 calls are asked for at the start, so they share one deadline, and a
// stalled stream holds its permit up to it — once six lanes have stalled, every call still
// queued waits for that same deadline, however far it is (tried: with 12 s instead of 3.45 s,
// about 70 calls still never leave the queue; the run only takes longer). So the run keeps its
// short timeout and the test checks what holds under the rule, whatever the machine's speed:
// - the queue is first come, first served: calls are admitted in the order asked for;
// - the calls that never reached the mock waited for a permit, got one (if at all) only when
//   their time was up, and end timed out one timeout after they were asked for, saying so in a
//   sentence, with no text;
// - every call that reached the mock ends as its last draw there says, or timed out at its
//   deadline (one timeout after it was asked for), while it waited or streamed;
// - the survivors' synthesis runs on exactly the answers that came back and ends as its own
//   last draw says (its prompt names the missing answers, so the timing changes its draw).
// It fails if queued calls got their time only once admitted (the tail would be sent), if the
// queue skipped ahead, if a call was started with time left yet never reached the mock (run it
// with no limit: the browser's hidden queue fails "it waited for a permit" and "admitted …
// after it was asked for"), or if any lane's fate or sentence strays from the mock's log.
test("100 chaotic calls at a limit of 6: the queue's tail times out unsent, every other outcome follows the mock's draws, synthesis of the survivors", async ({ page, request }) => {
  test.setTimeout(90_000);
  const browserLog = watchConsole(page, mock.url);
  // Seed 6 draws every kind of trouble among the first calls. (The draws hash the request
  // bodies: if the wire format or these prompts change, pick a seed again so that the coverage
  // checks below hold.)
  const run = await chaosRun(page, request, "6", 6);
  const research = run.lanes.filter((l) => l.run === "parallel").sort((a, b) => a.index - b.index);

  const askedAt = new Map<number, number>();
  for (const e of run.events) if (e.event === "lane_opened") askedAt.set(e.lane!, e.at_ms);
  const laneOfQuestion = new Map([...run.questionOf].map(([lane, index]) => [index, lane]));
  // A refusal (an HTTP error) that reached the page as its call's time ran out is one the page
  // never read, and the mock counts no input tokens for it: nothing names its lane. It belongs
  // to a research call that started that attempt, has no other request logged for it, and timed
  // out (a retry whose wait ends with the call's time starts, and its request may leave before
  // the timeout aborts it); it is placed when only one call fits, else left unplaced.
  const logged = new Set([...run.laneOf].map(([seq, lane]) => `${lane}/${run.log.find((r) => r.seq === seq)!.attempt}`));
  let unplaced = 0;
  for (const r of run.log.filter((r) => !run.laneOf.has(r.seq))) {
    const where = `mock request #${r.seq} (${r.behaviour}, attempt ${r.attempt}) belongs to a lane`;
    expect((r.status ?? 0) >= 400 && r.input_tokens === null, where).toBe(true);
    const fits = run.events.filter(
      (e) =>
        e.event === "started" && e.attempt === r.attempt && run.questionOf.has(e.lane!) && !logged.has(`${e.lane}/${e.attempt}`) &&
        research[run.questionOf.get(e.lane!)!].status === "timeout",
    );
    expect(fits.length, where).toBeGreaterThan(0);
    if (fits.length === 1) {
      run.laneOf.set(r.seq, fits[0].lane!);
      logged.add(`${fits[0].lane}/${r.attempt}`);
    } else unplaced++;
  }
  // (Chromium itself re-sends a POST whose reused keep-alive connection closes before any byte
  // of the answer — a `cut` after 0 words — so one attempt may show up more than once.)
  const last = new Map<number, MockRequest>();
  for (const r of run.log) {
    const lane = run.laneOf.get(r.seq);
    if (lane !== undefined && (last.get(lane)?.attempt ?? -1) < r.attempt) last.set(lane, r);
  }
  // How the page saw attempt `attempt` of `lane` fail, if it did (`http`, `network`, `stream_cut`…).
  const pageError = (lane: number, attempt: number) => {
    const retry = run.events.find((e) => e.event === "retry_scheduled" && e.lane === lane && e.retry === attempt + 1);
    if (retry) return retry.error?.type;
    const attempts = run.events.filter((e) => e.event === "started" && e.lane === lane).length;
    const finished = run.events.find((e) => e.event === "finished" && e.lane === lane);
    return attempt === attempts - 1 ? (finished?.outcome as { error?: { type: string } } | undefined)?.error?.type : undefined;
  };
  // Each lane's status is what its last request to the mock calls for: ok → done, a stall →
  // timeout, a cut or malformed stream → failed (not retried), an HTTP error on the last allowed
  // attempt → failed; an error earlier means the timeout ran out during the wait. (When the
  // mock's process is starved of CPU it can close a `cut` connection before its bytes are
  // flushed: the page then sees a network error, which is retried.)
  const expectedStatus = (r: MockRequest, lane: number) =>
    r.behaviour === "ok" ? "done"
    : r.behaviour === "stall" ? "timeout"
    : r.behaviour === "malformed" ? "failed"
    : r.behaviour === "cut" && pageError(lane, r.attempt) !== "network" ? "failed"
    : r.attempt === 2 ? "failed"
    : "timeout";

  const { cards, partialChecked, rateLimitedRetries } = await checkInvariants(page, run, browserLog, true);
  const startedLanes = new Set(run.events.filter((e) => e.event === "started").map((e) => e.lane!));
  const queuedLanes = new Set(run.events.filter((e) => e.event === "queued" && e.reason === "permit").map((e) => e.lane!));
  const sentLanes = new Set(run.laneOf.values());
  // A timed-out lane ran out of time exactly one timeout after it was asked for (a loaded
  // machine may fire the timer a little late).
  const ranOutOnTime = (index: number) => {
    const lane = research[index];
    const ranOut = lane.end! - askedAt.get(laneOfQuestion.get(index)!)!;
    expect(ranOut, `question ${index + 1} timed out one timeout after it was asked for`).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
    expect(ranOut, `question ${index + 1} timed out one timeout after it was asked for`).toBeLessThan(TIMEOUT_MS + 500);
  };

  // The queue's tail: calls that never reached the mock. When the in-flight calls time out at
  // the shared deadline, each freed permit goes to the next call in the queue, whose time is
  // already up: it may be marked started then, but it ends at once (a request that still gets
  // out as its fetch is aborted is placed in the mock's log and checked like any sent call's).
  const unsent = research.map((l) => l.index).filter((i) => !sentLanes.has(laneOfQuestion.get(i)!));
  const sent = research.map((l) => l.index).filter((i) => sentLanes.has(laneOfQuestion.get(i)!));
  // 100 calls of at least ~210 ms each (ok: 150 ms to the first token, 12 tokens at 200/s) over
  // six permits, one held by the stall of question 4 for the whole run, need more than the
  // timeout: some always run out of time in the queue.
  expect(unsent.length, "some calls' time ran out in the page's queue").toBeGreaterThan(0);
  expect(sent.length, "the first six calls start at once").toBeGreaterThanOrEqual(6);
  // First come, first served: the calls were admitted in the order they were asked for.
  const admitted = research
    .map((l) => run.events.find((e) => e.event === "started" && e.attempt === 0 && e.lane === laneOfQuestion.get(l.index)))
    .filter((e) => e !== undefined)
    .map((e) => e.at_ms);
  expect(admitted, "calls admitted in the order asked").toEqual([...admitted].sort((a, b) => a - b));
  for (const index of unsent) {
    const lane = laneOfQuestion.get(index)!;
    const where = `question ${index + 1}, unsent: “${cards[index].reason}”`;
    expect(research[index].status, where).toBe("timeout");
    expect(queuedLanes.has(lane), `${where}: it waited for a permit`).toBe(true);
    if (startedLanes.has(lane)) {
      // Admitted only when its time was (all but) up: too late for a request to get out.
      const startedAfter = research[index].start! - askedAt.get(lane)!;
      expect(startedAfter, `${where}: admitted ${Math.round(startedAfter)} ms after it was asked for`).toBeGreaterThanOrEqual(TIMEOUT_MS - 250);
    }
    expect(cards[index].reason, where).toMatch(/^Timed out after \d+(\.\d)? s \(the per-call timeout\)\.$/);
    expect(cards[index].text, where).toBe("");
    ranOutOnTime(index);
  }

  // The calls that were sent: each ends as its last draw says, unless its time ran out first.
  const seen: Record<string, number> = {};
  let ranOutEarly = 0;
  for (const index of sent) {
    const lane = laneOfQuestion.get(index)!;
    const status = research[index].status;
    const r = last.get(lane);
    const expected = expectedStatus(r!, lane);
    if (status === "timeout") ranOutOnTime(index);
    if (status === "timeout" && expected !== "timeout") ranOutEarly++;
    else expect(status, `question ${index + 1}: last request #${r!.seq} attempt ${r!.attempt} ${r!.behaviour}`).toBe(expected);
    seen[`${r!.behaviour}→${status}`] = (seen[`${r!.behaviour}→${status}`] ?? 0) + 1;
  }
  expect(research.map((l) => l.retries).some((n) => n === 2)).toBe(true);
  // With this seed the first six calls, sent at once whatever the timing, cover every kind of
  // trouble (question 3 succeeds on its last retry).
  for (const kind of ["ok→done", "stall→timeout", "cut→failed", "malformed→failed"]) expect(seen[kind], JSON.stringify(seen)).toBeGreaterThan(0);
  expect(partialChecked).toBeGreaterThanOrEqual(PARTIAL_MIN);
  expect(rateLimitedRetries).toBeGreaterThanOrEqual(RETRY_AFTER_MIN);

  // The survivors' synthesis ran on exactly the answers that came back, and ended as its own
  // last draw says.
  const done = research.filter((l) => l.status === "done").length;
  const started = run.events.find((e) => e.event === "synthesis_started");
  expect(started?.answers).toBe(done);
  const synthesis = run.lanes.find((l) => l.run === "synthesis")!;
  const lastDraw = last.get(run.synthesisLane!);
  expect(lastDraw, "the synthesis reached the mock").toBeDefined();
  expect(synthesis.status).toBe(expectedStatus(lastDraw!, run.synthesisLane!));
  await page.getByTestId("tab-synthesis").click();
  await expect(page.getByTestId("synthesis")).toHaveAttribute("data-status", synthesis.status);
  if (synthesis.status === "done") await expect(page.getByTestId("synthesis-text")).toContainText("Mock answer");

  const summary = `${run.log.length} requests; ${sent.length} calls sent, ${unsent.length} timed out unsent, ${unplaced} unread refusals unplaced, ${ranOutEarly} sent ones ran out before their draw's end; ${JSON.stringify(seen)}; ${partialChecked} partial answers and ${rateLimitedRetries} retry-after waits checked; ${browserLog.networkLogs()} browser network logs ignored; synthesis ${synthesis.status} (${lastDraw!.behaviour})`;
  test.info().annotations.push({ type: "chaos", description: summary });
});

test("100 chaotic calls with no limit: the browser's queue times many out, yet every lane ends with its reason", async ({ page, request }) => {
  // All 100 fetches start at once; Chromium sends six at a time to one HTTP/1.1 origin and
  // stalled streams hold their connection until the timeout, so calls queued in the browser
  // time out before they leave it. Which ones depends on timing: only the invariants are checked.
  test.setTimeout(60_000);
  const browserLog = watchConsole(page, mock.url);
  const run = await chaosRun(page, request, "6", null);
  await checkInvariants(page, run, browserLog, false);
  expect(run.lanes.filter((l) => l.run === "parallel" && l.status === "timeout").length).toBeGreaterThan(0);
  // The quorum (1) is met, so the synthesis runs; its own draw may fail, but it ends, with a reason.
  expect(run.events.some((e) => e.event === "synthesis_started")).toBe(true);
  const synthesis = run.lanes.find((l) => l.run === "synthesis");
  expect(TERMINAL).toContain(synthesis?.status);
  await page.getByTestId("tab-synthesis").click();
  await expect(page.getByTestId("synthesis")).toHaveAttribute("data-status", synthesis!.status);
});
