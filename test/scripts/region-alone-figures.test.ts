import { describe, expect, it } from "vitest";
import { type Collected, profileFor } from "../../scripts/bench.js";
import { regionAloneFigures } from "../../scripts/bench/figures/region-alone.js";
import type { LoadResult } from "../../scripts/bench/hub-load/run.js";

function run(o: Partial<LoadResult>): LoadResult {
  return {
    label: "x",
    offeredPerS: 5000,
    sentPerS: 5000,
    sentPoints: 100_000,
    applied: 100_000,
    lost: 0,
    missing: [],
    unackedLinks: 0,
    pairs: 6,
    pairsAlerted: 6,
    keepingPace: true,
    maxBacklogS: 0.05,
    maxShedLevel: 0,
    regionCoreShare: 0.05,
    regionMessagesPerS: 110,
    regionUsPerPoint: 9,
    ...o,
  } as LoadResult;
}

function collected(hubs: Partial<LoadResult>, full: Partial<LoadResult> = {}): Collected {
  return {
    regionAlone: {
      hubs: [run(hubs)],
      relay: [run({ regionUsPerPoint: 5, regionMessagesPerS: 20 })],
      direct: [run({ regionUsPerPoint: 30, regionMessagesPerS: 5000 })],
      full: [run({ offeredPerS: 100_000, sentPerS: 100_000, pairs: 20, pairsAlerted: 20, regionUsPerPoint: 8, ...full })],
    },
  } as Collected;
}

const row = (c: Collected, key: string) => regionAloneFigures(c, profileFor(true)).find((f) => f.key === key)!;

describe("the region-alone figures of npm run bench", () => {
  it("hold the hub path's CPU to 10 µs and to twice the relay's, in the same run", () => {
    expect(row(collected({ regionUsPerPoint: 9 }), "regionAlone.hubsUsPerPoint")).toMatchObject({ value: 9, baseline: 5, ratio: 1.8, met: true });
    expect(row(collected({ regionUsPerPoint: 11 }), "regionAlone.hubsUsPerPoint").met).toBe(false);
    // Under 10 µs but more than twice the relay's: not met either.
    const c = collected({ regionUsPerPoint: 9 });
    c.regionAlone.relay[0]!.regionUsPerPoint = 4;
    expect(row(c, "regionAlone.hubsUsPerPoint").met).toBe(false);
  });

  it("count messages per 1,000 points against every link direct", () => {
    const f = row(collected({}), "regionAlone.hubsMessagesPer1k");
    expect(f.value).toBeCloseTo(22);
    expect(f.baseline).toBeCloseTo(1000);
    expect(f.met).toBe(true);
  });

  it("fail the 10,000-drone figure on any loss, a missed staged pair, falling behind or sending short", () => {
    expect(row(collected({}), "regionAlone.fullPointsPerS").met).toBe(true);
    for (const bad of [{ lost: 1 }, { missing: ["h00001"] }, { keepingPace: false }, { sentPerS: 60_000 }] as Partial<LoadResult>[])
      expect(row(collected({}, bad), "regionAlone.fullPointsPerS").met).toBe(false);
  });
});
