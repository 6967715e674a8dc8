import { describe, expect, it } from "vitest";
import { restoreSnapshot } from "../../src/detect/drone-snapshots.js";
import { DroneTable, F_DIRTY, F_LOW_BATTERY_SENT, STATUS_ACTIVE, STATUS_LOST } from "../../src/detect/drone-table.js";
import { BRIEF_DRONE_POINTS, LOW_BATTERY_HYSTERESIS_PCT } from "../../src/tunables.js";
import { LinkTable } from "../../src/detect/link-table.js";
import type { TelemetryPoint } from "../../src/wire/point.js";

function pt(droneId: string, timeMs: number, over: Partial<TelemetryPoint> = {}): TelemetryPoint {
  return { droneId, timeMs, lat: 52.5, lon: 13.4, altM: 100, vn: 3, ve: 4, vu: 0.5, battery: 80, seq: -1, ...over };
}

describe("DroneTable", () => {
  it("stores state in reused slots and finds drones by id", () => {
    const f = new DroneTable(16);
    const a = f.add("a");
    const b = f.add("b");
    expect(f.slotOf("a")).toBe(a);
    expect(f.slotOf("zz")).toBe(-1);
    f.write(a, pt("a", 1000), 5000);
    expect(f.lat[a]).toBe(52.5);
    expect(f.speed[a]).toBeCloseTo(5, 6);
    expect(f.sinLat[a]).toBeCloseTo(Math.sin((52.5 * Math.PI) / 180), 12);
    expect(f.timeMs[a]).toBe(1000);
    expect(f.lastSeenMs[a]).toBe(5000);
    expect(f.flags[a]! & F_DIRTY).toBeTruthy();
    f.remove(a);
    expect(f.slotOf("a")).toBe(-1);
    expect(f.size).toBe(1);
    const c = f.add("c");
    expect(c).toBe(a); // slot reused
    expect(f.slotOf("b")).toBe(b);
  });

  it("grows past its capacity, keeping state and telling its owner", () => {
    const f = new DroneTable(16);
    let grownTo = 0;
    f.onGrow = (c) => (grownTo = c);
    for (let i = 0; i < 40; i++) f.write(f.add(`d${i}`), pt(`d${i}`, i), i);
    expect(f.capacity).toBeGreaterThanOrEqual(40);
    expect(grownTo).toBe(f.capacity);
    expect(f.timeMs[f.slotOf("d7")]).toBe(7);
  });

  it("marks home drones lost, ghosts never, and evicts by age", () => {
    const f = new DroneTable(16);
    const a = f.add("a");
    const b = f.add("b");
    const g = f.add("g");
    f.ghost[g] = 1;
    f.write(a, pt("a", 0), 0);
    f.write(b, pt("b", 0), 2000);
    f.write(g, pt("g", 0), 0);
    const lost = new Int32Array(8);
    const evict = new Int32Array(8);
    const limits = { lostAfterMs: 3000, evictAfterMs: 600_000, briefEvictAfterMs: 600_000, ghostEvictAfterMs: 3000 };
    const held = () => false;
    let r = f.sweep(3500, limits, held, lost, evict);
    expect(r).toEqual({ lost: 1, evict: 1 });
    expect(lost[0]).toBe(a);
    expect(evict[0]).toBe(g);
    expect(f.status[a]).toBe(STATUS_LOST);
    // Already lost: not reported twice.
    r = f.sweep(5500, limits, held, lost, evict);
    expect(r.lost).toBe(1); // b now, a not again
    expect(lost[0]).toBe(b);
    expect(f.markActive(a)).toBe(true);
    expect(f.status[a]).toBe(STATUS_ACTIVE);
    expect(f.markActive(a)).toBe(false);
    r = f.sweep(700_000, limits, held, lost, evict);
    expect(r.evict).toBe(3);
  });

  it("evicts a brief home drone (under BRIEF_DRONE_POINTS, not restored) early unless an open encounter holds it", () => {
    const f = new DroneTable(16);
    const links = new LinkTable();
    const once = f.add("once"); // an invented id: one report
    f.write(once, pt("once", 0), 0);
    const real = f.add("real"); // a drone that flew BRIEF_DRONE_POINTS reports, then dropped out
    for (let i = 0; i < BRIEF_DRONE_POINTS; i++) f.write(real, pt("real", i * 1000), i * 1000 - 2000);
    const held = f.add("held"); // brief, but in an open encounter: its partner was told traffic lost
    f.write(held, pt("held", 0), 0);
    const restored = restoreSnapshot(f, links, { ...pt("restored", 0), linkId: "", ghost: false, lastSeenMs: 0, status: "active", lowBatterySent: false });
    expect([once, real, held, restored].map((s) => f.isBrief(s))).toEqual([true, false, true, false]);
    const limits = { lostAfterMs: 3000, evictAfterMs: 600_000, briefEvictAfterMs: 60_000, ghostEvictAfterMs: 3000 };
    const lost = new Int32Array(8);
    const evict = new Int32Array(8);
    const r = f.sweep(60_001, limits, (s) => s === held, lost, evict);
    expect([...evict.subarray(0, r.evict)]).toEqual([once]);
    expect(r.lost).toBe(3); // the others are lost, and kept
    expect(f.sweep(600_001, limits, () => false, lost, evict).evict).toBe(4); // once is still listed: the caller removes it
  });

  it("is usable for prediction only while heard from within the stale limit (wall clock)", () => {
    const f = new DroneTable(16);
    const a = f.add("a");
    f.write(a, pt("a", 10_000), 10_000);
    expect(f.usable(a, 13_000, 3000)).toBe(true);
    expect(f.usable(a, 13_001, 3000)).toBe(false); // not heard for > 3 s
  });

  it("latches low battery once per crossing, re-armed only above threshold + hysteresis", () => {
    const f = new DroneTable(16);
    const a = f.add("a");
    const seq = [50, 25, 19, 18, 21, 19, 20 + LOW_BATTERY_HYSTERESIS_PCT, 19, 20 + LOW_BATTERY_HYSTERESIS_PCT + 1, 15, -1, 10];
    const fired = seq.map((b) => f.updateBattery(a, b, 20));
    expect(fired).toEqual([false, false, true, false, false, false, false, false, false, true, false, false]);
    expect(f.flags[a]! & F_LOW_BATTERY_SENT).toBeTruthy();
    expect(f.battery[a]).toBe(10);
  });

  it("fits in 256 bytes of typed arrays per drone", () => {
    const f = new DroneTable(1024);
    expect(f.bytesPerSlot()).toBeLessThanOrEqual(128);
  });
});

describe("LinkTable", () => {
  it("interns, recycles unused links and emits proximity sets only on change", () => {
    const t = new LinkTable();
    const l1 = t.intern("link-1");
    expect(t.intern("link-1")).toBe(l1);
    const sent: [string, string[]][] = [];
    const flush = () => t.flushChanged((l, ids) => sent.push([l, ids.sort()]));
    t.ref(l1, 1);
    t.setMember(l1, "b", true);
    t.setMember(l1, "a", true);
    flush();
    expect(sent).toEqual([["link-1", ["a", "b"]]]);
    t.setMember(l1, "a", false);
    t.setMember(l1, "a", true);
    flush();
    expect(sent.length).toBe(1); // same set as last sent
    t.setMember(l1, "a", false);
    t.setMember(l1, "b", false);
    t.ref(l1, -1);
    flush();
    expect(sent[1]).toEqual(["link-1", []]);
    t.collect();
    expect(t.size).toBe(0);
    expect(t.intern("link-2")).toBe(l1);
  });
});
