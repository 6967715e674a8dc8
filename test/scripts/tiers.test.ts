// Region CPU apart from the gateway and the hubs (scripts/profile/tiers.ts): a sample belongs to the first
// tier frame from the root down, whatever shared code it ran in.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CpuProfile, ProfileNode } from "../../scripts/profile/cpuprofile.js";
import { tierTimes } from "../../scripts/profile/tiers.js";

const dir = mkdtempSync(join(tmpdir(), "tiers-test-"));
const bundle = join(dir, "index.js");
// Bundle line 0: columns 0-9 from src/region, 10-19 from src/gateway, 20- from src/wire.
writeFileSync(bundle, "");
writeFileSync(
  `${bundle}.map`,
  JSON.stringify({
    version: 3,
    sources: ["../src/region/region-object.ts", "../src/gateway/session.ts", "../src/wire/batch-codec.ts"],
    mappings: "AAAA,UCAA,UCAA",
  }),
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frame = (id: number, name: string, col: number | null, children: number[] = []): ProfileNode => ({
  id,
  callFrame: { functionName: name, scriptId: "1", url: col === null ? "" : "index.js", lineNumber: 0, columnNumber: col ?? 0 },
  children,
});

describe("tierTimes", () => {
  it("gives each sample to its outermost tier frame, and keeps GC and runtime apart", () => {
    const nodes = [
      frame(1, "(root)", null, [2, 4, 6, 7, 8]),
      frame(2, "webSocketMessage", 1, [3]), // region …
      frame(3, "decodeBatch", 25), //           … calling shared code: region
      frame(4, "fetch", 12, [5]), // gateway …
      frame(5, "decodeBatch", 25), //         … calling the same code: gateway
      frame(6, "(garbage collector)", null),
      frame(7, "(program)", null),
      frame(8, "continuation", 22), // shared code with no tier above it
    ];
    const profile: CpuProfile = {
      nodes,
      startTime: 0,
      endTime: 10_000,
      samples: [3, 3, 2, 5, 6, 7, 8, 3],
      timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
    };
    const t = tierTimes(profile, bundle, 1000);
    expect(t.periodUs).toBe(1000);
    expect(t.ms).toEqual({ region: 4, hub: 0, gateway: 1, otherJs: 1, gc: 1, program: 1, idle: 0 });
  });
});
