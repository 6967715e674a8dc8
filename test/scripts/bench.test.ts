import { describe, expect, it } from "vitest";
import { decodeTelemetryFrame } from "../../src/client/wire.js";
import { bareWranglerToml } from "../../scripts/bench/bare-config.js";
import { encodeVarint, findBaseTimeOffset, patchableFrame, patchBaseTime } from "../../scripts/bench/frames.js";
import { snapshotConfig } from "../../scripts/lib/snapshot.js";
import { farRadiusM } from "../../scripts/bench/messages.js";
import { profileFor } from "../../scripts/bench.js";
import {
  check,
  fmtNumber,
  formatMarkdown,
  formatTable,
  median,
  parseProcCpuTicks,
  percentile,
  ratioOf,
  searchMaxRate,
  type Figure,
} from "../../scripts/bench/stats.js";

describe("bench stats helpers", () => {
  it("takes medians of finite values", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([NaN, 5])).toBe(5);
    expect(median([])).toBeNaN();
  });

  it("takes nearest-rank percentiles", () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 99)).toBe(99);
    expect(percentile(v, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([10, 20], 0)).toBe(10);
    expect(percentile([], 50)).toBeNaN();
  });

  it("reads utime + stime from a /proc/<pid>/stat line, even with spaces and parentheses in comm", () => {
    const line = "4242 (workerd (main) x) S 1 4242 4242 0 -1 4194560 9 0 0 0 1234 56 0 0 20 0 12 0 100 0 0";
    expect(parseProcCpuTicks(line)).toBe(1290);
    expect(() => parseProcCpuTicks("garbage")).toThrow();
  });

  it("checks targets and ratios", () => {
    expect(check(3, "<=", 3)).toBe(true);
    expect(check(4, "<=", 3)).toBe(false);
    expect(check(NaN, ">=", 1)).toBeNull();
    expect(ratioOf(1, 4)).toBe(0.25);
    expect(ratioOf(1, null)).toBeNull();
    expect(ratioOf(1, 0)).toBeNull();
    expect(fmtNumber(250000)).toBe("250,000");
    expect(fmtNumber(12.345)).toBe("12.3");
    expect(fmtNumber(null)).toBe("–");
  });

  it("formats one aligned table and the same as Markdown", () => {
    const figures: Figure[] = [
      {
        key: "a",
        figure: "relay points/s",
        value: 250_000,
        unit: "pts/s",
        baseline: 200_000,
        baselineLabel: "bare",
        ratio: 1.25,
        target: "≥ 200,000",
        met: true,
      },
      { key: "b", figure: "p99", value: 70, unit: "ms", baseline: null, ratio: null, target: "≤ 60 ms", met: false },
    ];
    const lines = formatTable(figures).split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^figure\s+value\s+baseline\s+ratio\s+target\s+met\?$/);
    expect(lines[2]).toContain("250,000 pts/s");
    expect(lines[2]).toContain("200,000 (bare)");
    expect(lines[2]).toContain("1.25×");
    expect(lines[3]).toMatch(/NO$/);
    // Columns line up: "value" is right-aligned to the same end column on every line.
    const end = lines[0]!.indexOf("value") + "value".length;
    expect(lines[2]!.slice(0, end).endsWith("pts/s")).toBe(true);
    const md = formatMarkdown(figures).split("\n");
    expect(md[0]).toBe("| figure | value | baseline | ratio | target | met? |");
    expect(md[3]).toContain("**no**");
  });

  it("searches the highest passing rate: doubles, then bisects", async () => {
    const capacity = 300_000;
    const r = await searchMaxRate(async (rate) => rate <= capacity, { start: 100_000, max: 10_000_000, refine: 2 });
    expect(r.probes.map((p) => p.rate)).toEqual([100_000, 200_000, 400_000, 300_000, 350_000]);
    expect(r.best).toBe(300_000);
    const none = await searchMaxRate(async () => false, { start: 100, max: 1000, refine: 1 });
    expect(none.best).toBe(0);
    const capped = await searchMaxRate(async () => true, { start: 100, max: 300, refine: 3 });
    expect(capped.best).toBe(300);
  });
});

describe("bench frames", () => {
  it("encodes varints like protobuf", () => {
    expect(encodeVarint(1)).toEqual([1]);
    expect(encodeVarint(300)).toEqual([0xac, 0x02]);
    expect(encodeVarint(1_700_000_000_000)).toHaveLength(6);
  });

  it("patches the base time of a pre-encoded frame in place", () => {
    const base = 1_700_000_000_000;
    const f = patchableFrame([{ droneId: "d1", timeMs: base + 5, lat: 1, lon: 2, altM: 50, vn: 1, ve: 0, vu: 0 }], base);
    expect(findBaseTimeOffset(f.bytes, base)).toBe(f.offset);
    patchBaseTime(f.bytes, f.offset, base + 12_345, f.length);
    const d = decodeTelemetryFrame(f.bytes);
    expect(d.baseTimeMs).toBe(base + 12_345);
    expect(d.points[0]!.timeMs).toBe(base + 12_350);
    expect(() => patchBaseTime(f.bytes, f.offset, 5, f.length)).toThrow(RangeError);
  });
});

describe("bench configs", () => {
  it("points a wrangler config at a frozen bundle", () => {
    const out = snapshotConfig('name = "x"\nmain = "src/index.ts"\ncompatibility_date = "2026-04-20"\n', "/tmp/b/index.js");
    expect(out).toContain('main = "/tmp/b/index.js"\nno_bundle = true');
    expect(() => snapshotConfig("name = 1", "x")).toThrow(/main/);
    // The snapshot's config lives in a temp dir: a relative assets directory is made absolute.
    const assets = snapshotConfig('main = "src/index.ts"\n[assets]\n# the page\ndirectory = "./build/page"\n[vars]\nX = "./y"\n', "/tmp/b/index.js", "/repo");
    expect(assets).toContain('directory = "/repo/build/page"');
    expect(assets).toContain('X = "./y"');
  });

  it("binds the bare region object under REGION", () => {
    const t = bareWranglerToml("/repo", "2026-04-20");
    expect(t).toContain('main = "/repo/scripts/bench/bare-worker.ts"');
    expect(t).toMatch(/name = "REGION"\nclass_name = "BareRegionObject"/);
    expect(t).toContain('new_sqlite_classes = ["BareRegionObject", "RegionDirectory"]');
  });
});

describe("bench stretch workload", () => {
  it("uses the region's far-verdict radius: R + vmax(2(T + V) + stale + stretch), V = 1 s + stretch + 0.5 s, padded 1 %", () => {
    const r = farRadiusM({ conflictRadiusM: 15, maxSpeedMps: 100, lookaheadS: 5, staleAfterMs: 3000, stretchMaxMs: 1000 });
    expect(r).toBeCloseTo((15 + 100 * (2 * (5 + 2.5) + 3 + 1)) * 1.01 + 1, 6);
  });

  it("keeps isolated drones farther apart than that radius, closing speed included, in both profiles", () => {
    for (const quick of [true, false]) {
      const st = profileFor(quick).stretch;
      const closing = 2 * 12 * (st.durationMs / 1000 + 5);
      expect(st.spacingM - closing).toBeGreaterThan(
        farRadiusM({ conflictRadiusM: 15, maxSpeedMps: 100, lookaheadS: 5, staleAfterMs: 3000, stretchMaxMs: st.stretchMaxMs }),
      );
      expect(st.sockets).toBe(500);
    }
  });
});
