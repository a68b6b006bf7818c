import { APIRequestContext, ConsoleMessage, Page, expect } from "@playwright/test";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { API } from "./helpers";

/** Lane states a call can end in. */
export const TERMINAL = ["done", "failed", "timeout", "cancelled"];

/** A saved workspace that talks to the mock Anthropic API (at `baseUrl`) with `model`. */
export function mockProvider(model: string, baseUrl = API, maxTokens = 512) {
  return {
    kind: "anthropic",
    anthropic: { model, base_url: baseUrl },
    openai: { model: "llama3.2", base_url: "http://localhost:11434/v1" },
    max_tokens: maxTokens,
  };
}

/** One request as the mock API logs it (`GET /__mock/requests`). */
export interface MockRequest {
  seq: number;
  path: string;
  model: string | null;
  attempt: number;
  behaviour: string;
  status: number | null;
  received_at_ms: number;
  first_byte_at_ms: number | null;
  ended_at_ms: number | null;
  completed: boolean;
  client_disconnected: boolean;
  has_api_key: boolean;
  input_tokens: number | null;
  output_tokens: number | null;
}

/**
 * A mock API of this test file's own, on a free port: its request log and attempt counters are
 * not shared with (or reset by) tests running at the same time in the other worker.
 */
export async function startOwnMock(): Promise<{ url: string; stop: () => void }> {
  const bin = process.env.MOCK_API_BIN ?? path.resolve(__dirname, "../../target/debug/mock-api");
  const child = spawn(bin, ["--port", "0"], { stdio: ["ignore", "pipe", "ignore"] });
  const lines = readline.createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("mock-api did not start within 10 s")), 10_000);
    child.once("exit", (code) => reject(new Error(`mock-api exited with ${code}`)));
    lines.on("line", (line) => {
      const match = /^mock-api listening on (http:\/\/\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace(/\/$/, ""));
      }
    });
  });
  const stop = () => {
    if (child.exitCode === null) child.kill();
  };
  process.once("exit", stop); // also when the worker ends without afterAll
  return { url, stop };
}

/** The mock's request log (API calls only). */
export async function mockLog(request: APIRequestContext, api = API): Promise<MockRequest[]> {
  const res = await request.get(`${api}/__mock/requests`);
  expect(res.ok()).toBe(true);
  return ((await res.json()) as MockRequest[]).filter((r) => r.path.startsWith("/v1/"));
}

/** The request id the mock gives request `seq` (`request-id` header and error body). */
export function mockRequestId(seq: number) {
  return `req_mock_${String(seq).padStart(6, "0")}`;
}

/**
 * Everything the page writes to the console, and its uncaught errors.
 *
 * Legitimate noise: Chromium itself logs "Failed to load resource: …" (as a console *error*) for
 * every response with an error status (429/500/529) and for bodies that end early
 * (`net::ERR_INCOMPLETE_CHUNKED_ENCODING` when the mock cuts a stream). Those come from the
 * browser's network layer for requests to the API, not from our code, and a page cannot
 * silence them; every other console error is ours and fails the test.
 */
export function watchConsole(page: Page, apiBase = API) {
  const messages: ConsoleMessage[] = [];
  const pageErrors: string[] = [];
  page.on("console", (m) => messages.push(m));
  page.on("pageerror", (e) => pageErrors.push(`${e.name}: ${e.message}`));
  const isBrowserNetworkLog = (m: ConsoleMessage) =>
    m.text().startsWith("Failed to load resource:") && m.location().url.startsWith(apiBase);
  return {
    messages,
    pageErrors,
    /** All console text, one line per message. */
    text: () => messages.map((m) => `${m.type()}: ${m.text()}`).join("\n"),
    /** Console errors that do not come from the browser's network layer. */
    ourErrors: () =>
      messages.filter((m) => m.type() === "error" && !isBrowserNetworkLog(m)).map((m) => m.text()),
    networkLogs: () => messages.filter(isBrowserNetworkLog).length,
  };
}

/** Clicks `export-json` and returns the downloaded text. */
export async function exportRunJson(page: Page): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-json").click()]);
  const file = await download.path();
  return fs.readFileSync(file, "utf8");
}

/** The text of axe-core, to run inside the page through the devtools protocol (not subject to CSP). */
export function axeSource(): string {
  return fs.readFileSync(path.resolve(__dirname, "node_modules/axe-core/axe.min.js"), "utf8");
}
