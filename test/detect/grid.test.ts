import { describe, expect, it } from "vitest";
import { LocalPlane, SpatialGrid } from "../../src/detect/grid.js";
import { seededRandom } from "../../src/sim/seeded-random.js";

const prng = seededRandom;

function brute(g: SpatialGrid, present: boolean[], x: number, y: number, r: number, exclude: number): number[] {
  const res: number[] = [];
  for (let s = 0; s < present.length; s++) {
    if (!present[s] || s === exclude) continue;
    const dx = g.x[s]! - x;
    const dy = g.y[s]! - y;
    if (dx * dx + dy * dy <= r * r) res.push(s);
  }
  return res;
}

describe("SpatialGrid", () => {
  it("matches brute force on random seeded data through inserts, moves, removes and growth", () => {
    const rnd = prng(42);
    const n = 3000;
    const g = new SpatialGrid(100, 64);
    const present: boolean[] = new Array(n).fill(false);
    const out = new Int32Array(n);
    const d2 = new Float64Array(n);
    for (let round = 0; round < 40; round++) {
      g.ensureCapacity(n);
      for (let k = 0; k < 400; k++) {
        const s = Math.floor(rnd() * n);
        if (present[s] && rnd() < 0.2) {
          g.remove(s);
          present[s] = false;
        } else {
          // Mixed: clustered and spread, negative coordinates too; small moves keep the cell often.
          const x = present[s] && rnd() < 0.5 ? g.x[s]! + (rnd() - 0.5) * 30 : (rnd() - 0.5) * (rnd() < 0.3 ? 500 : 20_000);
          const y = present[s] && rnd() < 0.5 ? g.y[s]! + (rnd() - 0.5) * 30 : (rnd() - 0.5) * (rnd() < 0.3 ? 500 : 20_000);
          g.move(s, x, y);
          present[s] = true;
        }
      }
      expect(g.size).toBe(present.filter(Boolean).length);
      for (let q = 0; q < 50; q++) {
        const x = (rnd() - 0.5) * 21_000;
        const y = (rnd() - 0.5) * 21_000;
        const r = rnd() < 0.1 ? rnd() * 15_000 : rnd() * 400; // some queries fall back to the linear scan
        const exclude = Math.floor(rnd() * n);
        const cnt = g.query(x, y, r, exclude, out, d2);
        const got = Array.from(out.subarray(0, cnt)).sort((a, b) => a - b);
        expect(got).toEqual(brute(g, present, x, y, r, exclude));
        for (let i = 0; i < cnt; i++) {
          const s = out[i]!;
          expect(d2[i]).toBeCloseTo((g.x[s]! - x) ** 2 + (g.y[s]! - y) ** 2, 6);
        }
      }
    }
  });

  it("reports the true count when the output buffer is too small", () => {
    const g = new SpatialGrid(50, 16);
    for (let s = 0; s < 10; s++) g.move(s, s, 0);
    const out = new Int32Array(4);
    expect(g.query(0, 0, 100, -1, out, new Float64Array(4))).toBe(10);
  });

  it("includes points exactly at the radius and excludes the caller", () => {
    const g = new SpatialGrid(10, 16);
    g.move(0, 0, 0);
    g.move(1, 30, 40);
    const out = new Int32Array(4);
    expect(g.query(0, 0, 50, 0, out, new Float64Array(4))).toBe(1);
    expect(out[0]).toBe(1);
    expect(g.query(0, 0, 49.999, 0, out, new Float64Array(4))).toBe(0);
  });
});

describe("LocalPlane", () => {
  it("round-trips and measures about a metre per metre near the origin", () => {
    const p = new LocalPlane(52.52, 13.4);
    expect(p.lat(p.y(52.6))).toBeCloseTo(52.6, 12);
    expect(p.lon(p.x(13.5))).toBeCloseTo(13.5, 12);
    expect(p.y(52.52 + 1 / 111_120)).toBeCloseTo(1, 1);
    const q = new LocalPlane(0, 179.95);
    expect(q.x(-179.95)).toBeCloseTo(0.1 * q.mPerDegLon, 6); // across the antimeridian: east, not 360° west
  });
});
