import { APIRequestContext, Page, expect } from "@playwright/test";

export const API = `http://127.0.0.1:${process.env.PP_API_PORT ?? 4010}`;
export const STORAGE_KEY = "parallel-playground.workspace";
export const DAMAGED_KEY = "parallel-playground.workspace.damaged";

/** The travel-guide questions of the seeds, as the default workspace has them. */
export const TRAVEL = [
  "What are the top 3 attractions in {topic}?",
  "What is the best way to get around {topic}?",
  "What local customs should visitors to {topic} know?",
];

/** A saved workspace (partial: every missing field takes its default). */
export type Workspace = Record<string, unknown>;

/** Opens the page with `workspace` already saved in localStorage, as a returning person would. */
export async function openWith(page: Page, workspace: Workspace) {
  const json = JSON.stringify({ version: 1, ...workspace });
  await page.addInitScript(
    ([key, value]) => {
      if (!sessionStorage.getItem("pp-test-seeded")) {
        localStorage.setItem(key, value);
        sessionStorage.setItem("pp-test-seeded", "1");
      }
    },
    [STORAGE_KEY, json],
  );
  await page.goto("./");
  await expect(page.getByTestId("run-bar")).toBeVisible();
}

/** Questions in the saved format. */
export function questions(...items: (string | [string, string])[]) {
  return items.map((q) => (typeof q === "string" ? { text: q } : { text: q[0], simulate: q[1] }));
}

/** Clicks a run button and waits until that run has finished. */
export async function runAndWait(page: Page, button: string, timeout = 45_000) {
  const bar = page.getByTestId("run-bar");
  const before = Number(await bar.getAttribute("data-run-number"));
  await page.getByTestId(button).click();
  await expect(bar).toHaveAttribute("data-run-number", String(before + 1));
  await expect(bar).toHaveAttribute("data-running", "false", { timeout });
}

export interface Lane {
  run: string;
  index: number;
  status: string;
  start: number | null;
  end: number | null;
  retries: number;
}

/** Every lane row of the timeline. */
export async function lanes(page: Page, testid = "lane"): Promise<Lane[]> {
  return page.$$eval(`[data-testid="${testid}"]`, (els) =>
    els.map((e) => {
      const d = (e as HTMLElement).dataset;
      const num = (v?: string) => (v === undefined || v === "" ? null : Number(v));
      return {
        run: d.run ?? "",
        index: Number(d.laneIndex),
        status: d.status ?? "",
        start: num(d.startMs),
        end: num(d.endMs),
        retries: Number(d.retries ?? 0),
      };
    }),
  );
}

/** The numeric value of a figure. */
export async function metric(page: Page, testid: string, run: string): Promise<number> {
  const el = page.locator(`[data-testid="${testid}"][data-run="${run}"]`);
  return Number(await el.getAttribute("data-value"));
}

/** One request in the mock server's log. */
export interface MockRequest {
  seq: number;
  path: string;
  model: string;
  attempt: number;
  status: number | null;
  completed: boolean;
  client_disconnected: boolean;
  has_api_key: boolean;
  origin: string | null;
  input_tokens: number;
  output_tokens: number;
}

/**
 * The requests the shared mock server saw for `model`. Every test uses a model string of its
 * own, so tests running side by side never see (or reset) each other's requests.
 */
export async function mockRequests(request: APIRequestContext, model: string): Promise<MockRequest[]> {
  const log = (await (await request.get(`${API}/__mock/requests`)).json()) as MockRequest[];
  return log.filter((r) => r.model === model);
}
