import { describe, expect, it } from "vitest";
import { COUNTER_INDEX, newCounters } from "../../src/wire/counters.js";
import { DroneTable } from "../../src/detect/drone-table.js";
import { LocalPlane } from "../../src/detect/grid.js";
import { DelayHistogram, MetricsWindow, topCells } from "../../src/detect/metrics.js";
import { HEATMAP_CELL_M, REGION_TICK_MS } from "../../src/tunables.js";

const plane = new LocalPlane(52.5, 13.4);

function put(f: DroneTable, id: string, x: number, y: number, battery: number, vn: number, ve: number, ghost = false): number {
  const s = f.add(id);
  f.write(s, { droneId: id, timeMs: 0, lat: plane.lat(y), lon: plane.lon(x), altM: 50, vn, ve, vu: 0, battery, seq: -1 }, 0);
  f.updateBattery(s, battery, 20);
  f.ghost[s] = ghost ? 1 : 0;
  return s;
}

describe("DelayHistogram", () => {
  it("gives quantiles within one bucket (≤ 9 %) of the truth, in bounded memory", () => {
    const h = new DelayHistogram();
    for (let ms = 1; ms <= 1000; ms++) h.record(ms);
    expect(h.quantile(0.5)).toBeGreaterThanOrEqual(500);
    expect(h.quantile(0.5)).toBeLessThanOrEqual(500 * 1.095);
    expect(h.quantile(0.99)).toBeGreaterThanOrEqual(990);
    expect(h.quantile(0.99)).toBeLessThanOrEqual(990 * 1.095);
    h.record(-5); // clock skew lands in the first bucket
    h.record(1e9); // and absurd delays in the last
    expect(h.total).toBe(1002);
    h.reset();
    expect(h.quantile(0.5)).toBeNaN();
  });
});

describe("MetricsWindow", () => {
  it("sums counter deltas, counts the table (never ghosts) and resets per window", () => {
    const f = new DroneTable(16);
    put(f, "a", 10, 10, 50, 3, 4); // 5 m/s
    put(f, "b", 20, 20, 10, 0, 0);
    put(f, "c", 150, 10, -1, 0, 15);
    put(f, "g", 10, 10, 5, 0, 90, true); // ghost: ignored everywhere
    const m = new MetricsWindow(1000);
    const d = newCounters();
    d[COUNTER_INDEX.received] = 10;
    d[COUNTER_INDEX.accepted] = 7;
    d[COUNTER_INDEX.rateLimited] = 1;
    d[COUNTER_INDEX.dedupedNear] = 1;
    d[COUNTER_INDEX.dedupedStale] = 1;
    m.addCounters(d);
    m.addCounters(d);
    m.newDrones = 3;
    m.applied = 12;
    m.alertsStarted = 2;
    for (const ms of [10, 20, 30]) m.delay.record(ms);
    const r = m.snapshot({ fleet: f, plane, areaKm2: 2, lowBatteryPct: 20, conflicts: { caution: 1, warning: 2 } }, 2000);
    expect(r).toMatchObject({
      atMs: 2000,
      windowMs: 1000,
      active: 3,
      new: 3,
      lost: 0,
      received: 20,
      accepted: 14,
      rateLimited: 2,
      dedupedNear: 2,
      dedupedStale: 2,
      dedupedRepeat: 0,
      deduped: 4,
      applied: 12,
      batteryMeanPct: 30,
      batteryMinPct: 10,
      lowBattery: 1,
      speedMaxMps: 15,
      densityPerKm2: 1.5,
      conflictsCaution: 1,
      conflictsWarning: 2,
      alertsStarted: 2,
    });
    expect(r.speedMeanMps).toBeCloseTo(20 / 3, 5);
    expect(r.delayP50Ms).toBeGreaterThanOrEqual(20);
    expect(r.delayP50Ms).toBeLessThan(22);
    expect(r.heatmap.map((c) => [c.cellKey, c.count])).toEqual([
      ["0,0", 2],
      ["1,0", 1],
    ]);
    const next = m.snapshot({ fleet: f, plane, areaKm2: 2, lowBatteryPct: 20, conflicts: { caution: 0, warning: 0 } }, 3000);
    expect([next.received, next.new, next.applied, next.alertsStarted, next.windowMs]).toEqual([0, 0, 0, 0, 1000]);
    expect(next.delayP50Ms).toBeNaN();
  });

  it("reports no battery figures when no drone reports one, and no density without an area", () => {
    const f = new DroneTable(16);
    put(f, "a", 0, 0, -1, 0, 0);
    const r = new MetricsWindow(0).snapshot({ fleet: f, plane: null, areaKm2: 0, lowBatteryPct: 20, conflicts: { caution: 0, warning: 0 } }, 1000);
    expect(r.batteryMeanPct).toBeNaN();
    expect(r.densityPerKm2).toBe(0);
    expect(r.heatmap).toEqual([]);
  });

  it("counts a window of unknown start (a core just built) as one tick, not since 1970", () => {
    const f = new DroneTable(16);
    const m = new MetricsWindow(0);
    const at = 1_796_000_000_000;
    expect(m.snapshot({ fleet: f, plane: null, areaKm2: 0, lowBatteryPct: 20, conflicts: { caution: 0, warning: 0 } }, at).windowMs).toBe(REGION_TICK_MS);
    expect(m.snapshot({ fleet: f, plane: null, areaKm2: 0, lowBatteryPct: 20, conflicts: { caution: 0, warning: 0 } }, at + 1200).windowMs).toBe(1200);
  });
});

describe("topCells", () => {
  it("keeps the ten busiest 100 m cells, busiest first, with their centres", () => {
    const f = new DroneTable(512);
    // Cell i (along x, negative too) holds i + 1 drones, for i = -6..5.
    for (let i = -6; i < 6; i++) for (let k = 0; k <= i + 6; k++) put(f, `d${i}_${k}`, i * HEATMAP_CELL_M + 50, 50, 50, 0, 0);
    const m = new MetricsWindow(0).snapshot({ fleet: f, plane, areaKm2: 1, lowBatteryPct: 20, conflicts: { caution: 0, warning: 0 } }, 1000);
    expect(m.heatmap.length).toBe(10);
    expect(m.heatmap.map((c) => c.count)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    expect(m.heatmap[0]!.cellKey).toBe("5,0");
    expect(m.heatmap[0]!.lat).toBeCloseTo(plane.lat(50), 9);
    expect(m.heatmap[0]!.lon).toBeCloseTo(plane.lon(550), 9);
    expect(m.heatmap[9]!.cellKey).toBe("-4,0");
    expect(topCells(new Float64Array(0), plane)).toEqual([]);
  });
});
