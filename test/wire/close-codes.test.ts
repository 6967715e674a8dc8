// docs/operations.md explains every close code the edge sends and every alert level a drone can be
// told, each in a row of its own: adding one to the code without saying what it means fails here.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AlertLevel } from "../../src/gen/airspace/v1/airspace_pb.js";
import { CloseCode } from "../../src/wire/close-codes.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

function section(title: string): string {
  const doc = readFileSync(join(ROOT, "docs/operations.md"), "utf8");
  const start = doc.indexOf(`\n## ${title}\n`);
  expect(start, `docs/operations.md has "## ${title}"`).toBeGreaterThanOrEqual(0);
  const end = doc.indexOf("\n## ", start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** The first cells of the section's table rows. */
function rowKeys(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => /^\| `[^`]+` \|/.test(l))
    .map((l) => /^\| `([^`]+)` \|/.exec(l)![1]!);
}

describe("close codes and alert levels in docs/operations.md", () => {
  const keys = rowKeys(section("Alert levels and close codes"));

  it("has a row for every close code the edge sends, and none it does not", () => {
    const codes = Object.values(CloseCode).map(String);
    const documented = keys.filter((k) => /^\d{4}$/.test(k));
    expect(documented.sort()).toEqual([...codes].sort());
  });

  it("has a row for every alert level", () => {
    const levels = Object.keys(AlertLevel)
      .filter((k) => Number.isNaN(Number(k)) && k !== "UNSPECIFIED")
      .map((k) => k.toLowerCase());
    expect(levels).toEqual(["caution", "warning", "clear", "traffic_lost"]);
    for (const level of levels) expect(keys, level).toContain(level);
  });
});
