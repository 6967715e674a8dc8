import { describe, expect, it } from "vitest";
import type { FuzzReport } from "../../src/fuzz/fuzz-tally.js";
import { reportLines } from "../../src/fuzz/report-text.js";

const report: FuzzReport = {
  seed: 42,
  cases: 7,
  sessions: 3,
  byKind: { "valid rows": { accepted: 4, deduped: 1 }, text: { "error BAD_FRAME": 1, "close 1008": 1 } },
  slowest: { "valid rows": { ms: 1.25, index: 3, detail: "" }, text: { ms: 0.1, index: 5, detail: "" } },
  violations: [{ index: 5, kind: "text", detail: "5 characters", problem: "expected BAD_FRAME", head: 'text "hello"' }],
  moreViolations: 2,
};

describe("reportLines", () => {
  it("prints a row per kind in the kinds' order, the totals, and each violation with its replay", () => {
    const lines = reportLines(report, true);
    expect(lines[0]).toMatch(/^kind\s+cases\s+slowest\s+outcomes$/);
    expect(lines[1]).toMatch(/^valid rows\s+5\s+1\.3 ms\s+accepted 4 · deduped 1$/);
    expect(lines[2]).toMatch(/^text\s+2\s+0\.1 ms\s+error BAD_FRAME 1 · close 1008 1$/);
    expect(lines[3]).toMatch(/^all\s+7\s+accepted 4 · deduped 1 · error BAD_FRAME 1 · close 1008 1$/);
    expect(lines.slice(4)).toEqual([
      "7 cases on 3 sockets, seed 42: 3 violation(s)",
      "  case 5 (text: 5 characters): expected BAD_FRAME",
      '    text "hello"',
      "    replay: npm run fuzz -- --seed 42 --cases 6",
      "  … and 2 more",
    ]);
  });

  it("leaves the timing column out of an untimed run", () => {
    expect(reportLines(report, false)[1]).toMatch(/^valid rows\s+5\s+accepted 4/);
  });
});
