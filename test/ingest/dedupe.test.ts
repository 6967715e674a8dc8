import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/config.js";
import { enuOffset, fromEnu } from "../../src/geo/enu.js";
import { DedupeFilter } from "../../src/ingest/dedupe.js";
import type { Accepted, Deduped } from "../../src/ingest/outcome.js";
import type { TelemetryPoint } from "../../src/wire/point.js";

/** The reason a point was deduped, null when it is forwarded. */
function why(v: Accepted | Deduped): Deduped["reason"] | null {
  return v.status === "deduped" ? v.reason : null;
}

const opts = { ...DEFAULTS };

function pt(over: Partial<TelemetryPoint> = {}): TelemetryPoint {
  return { droneId: "d", timeMs: 1000, lat: 52.5, lon: 13.4, altM: 100, vn: 1, ve: 0, vu: 0, battery: 80, seq: -1, ...over };
}

/** The point `east`, `north` metres from p. */
function moved(p: TelemetryPoint, east: number, north: number, over: Partial<TelemetryPoint> = {}): TelemetryPoint {
  const q = fromEnu(p.lat, p.lon, east, north);
  return { ...p, lat: q.lat, lon: q.lon, ...over };
}

describe("DedupeFilter", () => {
  it("forwards the first point, drops a near one, forwards one that moved", () => {
    const f = new DedupeFilter(opts);
    const p = pt();
    expect(why(f.check(p, 0))).toBeNull();
    expect(why(f.check(moved(p, 0.3, 0.3, { timeMs: 1050 }), 0))).toBe("near");
    expect(why(f.check(moved(p, 0.4, 0.4, { timeMs: 1100 }), 0))).toBeNull(); // 0.57 m from the forwarded one
    expect(why(f.check(pt({ timeMs: 1150, altM: 100.6 }), 0))).toBeNull(); // back, and 0.6 m up
    expect(why(f.check(pt({ timeMs: 1200, altM: 100.6, vn: 1.3, ve: 0.4 }), 0))).toBeNull(); // |Δv| = 0.5
    expect(why(f.check(pt({ timeMs: 1250, altM: 100.6, vn: 1.3, ve: 0.4, battery: 10 }), 0))).toBe("near");
  });

  it("forwards a hovering drone once per dedupeRefreshMs", () => {
    const f = new DedupeFilter(opts);
    const forwarded: number[] = [];
    for (let t = 0; t <= 3000; t += 50) {
      if (f.check(pt({ timeMs: t }), t).status === "accepted") forwarded.push(t);
    }
    expect(forwarded).toEqual([0, 1000, 2000, 3000]);
  });

  it("property: a reporting drone reaches its region at least every dedupeRefreshMs plus one report interval, however little it moves", () => {
    // What keeps a hovering drone usable in its region (issue 14): nothing after this filter may hold these back.
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            gapMs: fc.integer({ min: 1, max: 400 }),
            dE: fc.double({ min: -0.3, max: 0.3, noNaN: true }),
            dU: fc.double({ min: -0.2, max: 0.2, noNaN: true }),
            battery: fc.integer({ min: 0, max: 100 }),
          }),
          { minLength: 1, maxLength: 200 },
        ),
        (steps) => {
          const f = new DedupeFilter(opts);
          const base = pt({ timeMs: 0, vn: 0 });
          let t = 0;
          let last = -Infinity;
          let maxGap = 0;
          for (const s of steps) {
            t += s.gapMs;
            maxGap = Math.max(maxGap, s.gapMs);
            const p = moved(base, s.dE, 0, { timeMs: t, altM: base.altM + s.dU, battery: s.battery });
            if (f.check(p, t).status === "accepted") {
              if (last > -Infinity) expect(t - last).toBeLessThanOrEqual(opts.dedupeRefreshMs + maxGap);
              last = t;
            }
          }
          expect(t - last).toBeLessThan(opts.dedupeRefreshMs + maxGap);
        },
      ),
    );
  });

  it("drops repeats of a measurement time and stale points", () => {
    const f = new DedupeFilter(opts);
    expect(why(f.check(pt({ timeMs: 1000 }), 0))).toBeNull();
    expect(why(f.check(moved(pt(), 50, 0, { timeMs: 1000 }), 0))).toBe("repeat");
    expect(why(f.check(moved(pt(), 50, 0, { timeMs: 999 }), 0))).toBe("stale");
    expect(why(f.check(pt({ timeMs: 1020 }), 0))).toBe("near");
    expect(why(f.check(pt({ timeMs: 1020 }), 0))).toBe("repeat"); // repeats the last seen one too
  });

  it("labels a near point repeating a seq as a repeat, but forwards a repeated seq that moved (reboot)", () => {
    const f = new DedupeFilter(opts);
    expect(why(f.check(pt({ timeMs: 1000, seq: 7 }), 0))).toBeNull();
    expect(why(f.check(pt({ timeMs: 1010, seq: 7 }), 0))).toBe("repeat");
    expect(why(f.check(pt({ timeMs: 1020, seq: 8 }), 0))).toBe("near");
    expect(why(f.check(moved(pt(), 30, 0, { timeMs: 1030, seq: 7 }), 0))).toBeNull();
    expect(why(f.check(moved(pt(), 30, 0, { timeMs: 2100, seq: 7 }), 0))).toBeNull(); // refresh wins too
  });

  it("handles the antimeridian", () => {
    const f = new DedupeFilter(opts);
    expect(why(f.check(pt({ lat: 0, lon: 179.999999 }), 0))).toBeNull();
    expect(why(f.check(pt({ lat: 0, lon: -179.999999, timeMs: 1100 }), 0))).toBe("near"); // 0.22 m, not 360°
    expect(why(f.check(pt({ lat: 0, lon: -179.99999, timeMs: 1200 }), 0))).toBeNull(); // 1.2 m
  });

  it("bounds its memory: idle drones are forgotten, a full table forwards without judging", () => {
    const f = new DedupeFilter(opts, 2);
    expect(why(f.check(pt({ droneId: "a" }), 0))).toBeNull();
    expect(why(f.check(pt({ droneId: "b" }), 0))).toBeNull();
    expect(why(f.check(pt({ droneId: "c" }), 10))).toBeNull();
    expect(f.untracked).toBe(1);
    expect(why(f.check(pt({ droneId: "c", timeMs: 1010 }), 20))).toBeNull(); // still untracked: fail open
    expect(f.size).toBe(2);
    expect(why(f.check(pt({ droneId: "c", timeMs: 9000 }), f.idleMs))).toBeNull();
    expect(f.size).toBe(1);
    expect(why(f.check(pt({ droneId: "c", timeMs: 9010 }), f.idleMs))).toBe("near");
  });

  const step = fc.record({
    drone: fc.integer({ min: 0, max: 2 }),
    dtMs: fc.oneof(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 1500 })),
    // Moves around the 0.5 m threshold, most of them small.
    east: fc.double({ min: -0.7, max: 0.7, noNaN: true }),
    north: fc.double({ min: -0.7, max: 0.7, noNaN: true }),
    dz: fc.oneof(fc.constant(0), fc.double({ min: -0.7, max: 0.7, noNaN: true })),
    dv: fc.oneof(fc.constant(0), fc.double({ min: -0.7, max: 0.7, noNaN: true })),
    axis: fc.integer({ min: 0, max: 2 }),
  });

  it("property: never drops a point that moved ≥ 0.5 m or changed velocity ≥ 0.5 m/s; never 1 s without a forward", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -85, max: 85, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.array(step, { minLength: 1, maxLength: 300 }),
        (lat0, lon0, steps) => {
          const f = new DedupeFilter(opts);
          const cur: TelemetryPoint[] = [0, 1, 2].map((i) => pt({ droneId: `d${i}`, lat: lat0, lon: lon0, timeMs: 0 }));
          const last: (TelemetryPoint | null)[] = [null, null, null];
          let seq = 0;
          let now = 0;
          for (const s of steps) {
            const prev = cur[s.drone]!;
            const v = [prev.vn, prev.ve, prev.vu];
            v[s.axis]! += s.dv;
            const q = fromEnu(prev.lat, prev.lon, s.east, s.north);
            const p: TelemetryPoint = {
              ...prev,
              timeMs: prev.timeMs + s.dtMs,
              lat: q.lat,
              lon: q.lon,
              altM: prev.altM + s.dz,
              vn: v[0]!,
              ve: v[1]!,
              vu: v[2]!,
              seq: seq++,
            };
            cur[s.drone] = p;
            now += 5;
            const verdict = why(f.check(p, now));
            const l = last[s.drone]!;
            if (l === null) expect(verdict).toBeNull();
            else {
              const [e, n] = enuOffset(l.lat, l.lon, p.lat, p.lon);
              const h = Math.hypot(e, n);
              const dv = Math.hypot(p.vn - l.vn, p.ve - l.ve, p.vu - l.vu);
              const mustForward = h >= 0.5 * (1 + 1e-9) || Math.abs(p.altM - l.altM) >= 0.5 || dv >= 0.5 || p.timeMs - l.timeMs >= 1000;
              if (mustForward) expect(verdict, `h ${h} dz ${p.altM - l.altM} dv ${dv}`).toBeNull();
              if (verdict !== null) expect(verdict).toBe("near");
            }
            if (verdict === null) last[s.drone] = p;
            expect(p.timeMs - last[s.drone]!.timeMs).toBeLessThan(1000);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
