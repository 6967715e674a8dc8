import { describe, expect, it } from "vitest";
import { PLANE_RADIUS_PAD } from "../../src/detect/grid.js";
import { RegionSpace } from "../../src/detect/region-space.js";
import type { TelemetryPoint } from "../../src/wire/point.js";

const T0 = 1_700_000_000_000;
const pt = (droneId: string, timeMs: number, lat: number, ve = 0): TelemetryPoint => ({
  droneId,
  timeMs,
  lat,
  lon: 13.4,
  altM: 100,
  vn: 0,
  ve,
  vu: 0,
  battery: -1,
  seq: -1,
});

function withDrones(...points: TelemetryPoint[]): RegionSpace {
  const sp = new RegionSpace({ originLat: 52.5, originLon: 13.4, areaKm2: 1 });
  for (const p of points) {
    const s = sp.fleet.add(p.droneId);
    sp.fleet.write(s, p, p.timeMs);
    sp.fleet.ghost[s] = 0;
    sp.place(s);
  }
  return sp;
}

describe("RegionSpace", () => {
  it("widens the candidate radius by the fastest drone and the measurement-time spread", () => {
    const sp = withDrones(pt("a", T0, 52.5, 10), pt("b", T0 + 2000, 52.501, 30));
    // R + (|v_a| + vmax) × (T + lag) with lag = 2 s (under the 3 s stale limit), padded for the plane.
    expect(sp.candidateRadius(0, 15, 5, 3000)).toBeCloseTo((15 + (10 + 30) * 7) * PLANE_RADIUS_PAD + 1, 9);
    // The lag never counts beyond the stale limit; the radius never under 2R.
    expect(sp.candidateRadius(0, 15, 5, 1000)).toBeCloseTo((15 + 40 * 6) * PLANE_RADIUS_PAD + 1, 9);
    expect(withDrones(pt("c", T0, 52.5)).candidateRadius(0, 15, 5, 3000)).toBeCloseTo(30 * PLANE_RADIUS_PAD + 1, 9);
  });

  it("finds neighbours within a radius, growing its buffers when a query overflows them", () => {
    const many = Array.from({ length: 1500 }, (_, i) => pt(`d${i}`, T0, 52.5 + i * 1e-7));
    const sp = withDrones(...many);
    expect(sp.near(0, 100)).toBe(1499);
    expect(sp.cand.length).toBeGreaterThanOrEqual(1499);
  });

  it("hands each changed drone to the checkpoint once, and restores all but the ones past eviction", () => {
    const sp = withDrones(pt("a", T0, 52.5), pt("b", T0, 52.51));
    const dirty = sp.takeDirty();
    expect(dirty.map((d) => d.droneId)).toEqual(["a", "b"]);
    expect(sp.takeDirty()).toEqual([]);
    const back = new RegionSpace(null);
    back.restore([dirty[0]!, { ...dirty[1]!, lastSeenMs: T0 - 700_000 }], T0, 600_000);
    expect(back.homeDrones().map((d) => d.droneId)).toEqual(["a"]);
    expect(back.nearestNeighbourM("nobody")).toBeUndefined();
  });

  it("tells a drone's last reported position, null for one it does not hold", () => {
    const sp = withDrones(pt("a", T0, 52.5), pt("b", T0 + 500, 52.51));
    const b = sp.positionOf("b")!;
    expect(b.lat).toBeCloseTo(52.51, 9);
    expect(b.lon).toBeCloseTo(13.4, 9);
    expect({ altM: b.altM, timeMs: b.timeMs }).toEqual({ altM: 100, timeMs: T0 + 500 });
    expect(sp.positionOf("nobody")).toBeNull();
  });
});
