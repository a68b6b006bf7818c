import { defineConfig } from "@playwright/test";
import path from "node:path";

// The release build (dist/) and the mock API are served by the mock server, on two origins:
// the page at SITE_PORT and the API at API_PORT (as a real page and a real API would be).
const siteDir = process.env.SITE_DIR ?? path.resolve(__dirname, "../../dist");
const mockBin = process.env.MOCK_API_BIN ?? path.resolve(__dirname, "../../target/debug/mock-api");
export const API_PORT = Number(process.env.PP_API_PORT ?? 4010);
export const SITE_PORT = Number(process.env.PP_SITE_PORT ?? 4011);

export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.ts",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 2,
  // On CI one retry, so a test that fails once on a loaded machine shows as FLAKY in the summary
  // (and is looked into) instead of hiding what else the run found; a test that fails twice fails.
  retries: process.env.CI ? 1 : 0,
  reporter: [["list"], ["./summary-reporter.ts"]],
  outputDir: "test-results",
  use: {
    baseURL: `http://127.0.0.1:${SITE_PORT}/`,
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
      ],
    },
    trace: "off",
  },
  webServer: {
    command: `"${mockBin}" --port ${API_PORT} --site "${siteDir}" --site-port ${SITE_PORT}`,
    url: `http://127.0.0.1:${SITE_PORT}/`,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "ignore",
    timeout: 30_000,
  },
});
