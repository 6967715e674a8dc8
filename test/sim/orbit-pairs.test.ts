import { describe, expect, it } from "vitest";
import { predict } from "../../src/detect/conflicts.js";
import { enuOffset } from "../../src/geo/enu.js";
import { OrbitPairs } from "../../src/sim/orbit-pairs.js";

const center = { lat: 48.8566, lon: 2.3522 };
const params = { radiusM: 15, heightM: 5, lookaheadS: 5, warningTimeS: 2 };

describe("orbiting pairs", () => {
  it("keeps each pair in conflict at every report, and pairs far from each other", () => {
    const orbits = new OrbitPairs({ pairs: 3, center, startTimeMs: 1_700_000_000_000 });
    expect(orbits.ids).toEqual(["orbit0a", "orbit0b", "orbit1a", "orbit1b", "orbit2a", "orbit2b"]);
    let reports = 0;
    for (let step = 0; step < 600; step++) {
      const pts = orbits.step(100);
      for (let k = 0; k < 3; k++) {
        const a = pts.filter((p) => p.droneId === `orbit${k}a`);
        const b = pts.filter((p) => p.droneId === `orbit${k}b`);
        expect(a.length).toBe(b.length);
        for (let i = 0; i < a.length; i++) {
          expect(a[i]!.timeMs).toBe(b[i]!.timeMs);
          const [e, n] = enuOffset(a[i]!.lat, a[i]!.lon, b[i]!.lat, b[i]!.lon);
          expect(Math.hypot(e, n)).toBeCloseTo(8, 0);
          expect(Math.hypot(a[i]!.vn, a[i]!.ve)).toBeCloseTo(8, 5);
          const pr = predict(a[i]!, b[i]!, params);
          expect(pr.conflict).toBe(true);
          reports++;
        }
      }
      const [e, n] = enuOffset(pts[0]!.lat, pts[0]!.lon, pts[2]!.lat, pts[2]!.lon);
      expect(Math.hypot(e, n)).toBeGreaterThan(200);
    }
    expect(reports).toBe(3 * 601); // 10 Hz for 60 s, from t = 0
  });

  it("is deterministic however time is sliced", () => {
    const a = new OrbitPairs({ pairs: 2, center, startTimeMs: 0 });
    const b = new OrbitPairs({ pairs: 2, center, startTimeMs: 0 });
    const sa = [...a.step(1000), ...a.step(1000)];
    const sb = Array.from({ length: 8 }, () => b.step(250)).flat();
    expect(sb).toEqual(sa);
  });
});
