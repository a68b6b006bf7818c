import type { Reporter, TestCase, TestResult } from "@playwright/test/reporter";
import fs from "node:fs";
import path from "node:path";

// Writes the tests that failed or needed a retry to test-results/summary.txt, one line each,
// so `cargo xtask test` can repeat them under its summary (the last lines a CI log shows).
export default class SummaryReporter implements Reporter {
  private lines = new Map<string, string>();

  onTestEnd(test: TestCase, result: TestResult) {
    const where = `${path.basename(test.location.file)}:${test.location.line}`;
    const name = `${where} ${test.titlePath().slice(2).join(" › ")}`;
    const outcome = test.outcome();
    if (outcome === "unexpected" && result.retry === test.retries) {
      // eslint-disable-next-line no-control-regex
      const why = (result.error?.message ?? "").replace(/\x1b\[[0-9;]*m/g, "").split("\n")[0].slice(0, 200);
      this.lines.set(name, `FAILED ${name}: ${why}`);
    } else if (outcome === "flaky") {
      this.lines.set(name, `FLAKY  ${name} (passed on retry ${result.retry})`);
    }
  }

  onEnd() {
    fs.mkdirSync("test-results", { recursive: true });
    fs.writeFileSync(path.join("test-results", "summary.txt"), [...this.lines.values()].join("\n"));
  }
}
