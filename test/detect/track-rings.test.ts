import { describe, expect, it } from "vitest";
import { TrackRings } from "../../src/detect/track-rings.js";

describe("track rings", () => {
  it("keeps one sample a second at most, the last `seconds` of them, oldest first", () => {
    const r = new TrackRings(5);
    const t0 = 1_800_000_000_000;
    for (let k = 0; k < 20; k++) r.record("a", t0 + k * 500, 48 + k * 1e-5, 2.35, 100 + k);
    const s = r.track("a", 0);
    // Every other report is within 900 ms of the last sample: 10 kept, the newest 5 remain.
    expect(s.map((x) => x.timeMs)).toEqual([10, 12, 14, 16, 18].map((k) => t0 + k * 500));
    expect(s[0]!.lat).toBeCloseTo(48 + 10e-5, 7);
    expect(s[4]!.altM).toBe(118);
    expect(r.track("a", t0 + 7000).map((x) => x.timeMs)).toEqual([t0 + 7000, t0 + 8000, t0 + 9000]);
    // A page: the oldest `limit` from `since`.
    expect(r.track("a", 0, 2).map((x) => x.timeMs)).toEqual([t0 + 5000, t0 + 6000]);
    expect(r.track("a", t0 + 6001, 2).map((x) => x.timeMs)).toEqual([t0 + 7000, t0 + 8000]);
    expect(r.track("nobody", 0)).toEqual([]);
  });

  it("grows rings as they fill and costs 16 bytes a sample", () => {
    const r = new TrackRings(600);
    r.record("a", 1000, 0, 0, 0);
    expect(r.bytes()).toBe(16 * 16);
    for (let k = 1; k < 600; k++) r.record("a", 1000 + k * 1000, 0, 0, 0);
    expect(r.bytes()).toBe(600 * 16);
    expect(r.track("a", 0)).toHaveLength(600);
  });

  it("ignores bad values and older reports, forgets quiet drones, and does nothing when off", () => {
    const r = new TrackRings(10);
    r.record("a", Number.NaN, 0, 0, 0);
    r.record("a", 5000, 91, 0, 0);
    r.record("a", 5000, 0, Number.POSITIVE_INFINITY, 0);
    r.record("b", 5000, 1, 1, 1);
    r.record("b", 4000, 1, 1, 1);
    expect(r.track("a", 0)).toEqual([]);
    expect(r.track("b", 0)).toHaveLength(1);
    r.forgetBefore(6000);
    expect(r.drones).toBe(0);
    const off = new TrackRings(0);
    off.record("a", 5000, 1, 1, 1);
    expect(off.drones).toBe(0);
  });

  it("forgets one drone's track on request (a brief drone evicted early), the others kept", () => {
    const r = new TrackRings(10);
    r.record("junk", 1000, 1, 2, 3);
    r.record("real", 1000, 1, 2, 3);
    r.forget("junk");
    expect(r.drones).toBe(1);
    expect(r.track("junk", 0, 10)).toEqual([]);
    expect(r.track("real", 0, 10).length).toBe(1);
  });
});
