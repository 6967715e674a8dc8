import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEG, EARTH_RADIUS_M } from "../../src/geo/enu.js";
import { haloRegions, maxHaloM, regionAreaKm2, regionBounds, regionCenter, regionOf, type RegionBounds } from "../../src/geo/regions.js";

/** The textbook geohash encoder (bisection, string building): the reference regionOf must match. */
function naiveGeohash(lat: number, lon: number, precision: number): string {
  const base32 = "0123456789bcdefghjkmnpqrstuvwxyz";
  let latLo = -90,
    latHi = 90,
    lonLo = -180,
    lonHi = 180;
  let hash = "";
  let bits = 0;
  let v = 0;
  let even = true;
  while (hash.length < precision) {
    if (even) {
      const mid = (lonLo + lonHi) / 2;
      v = v * 2 + (lon >= mid ? 1 : 0);
      if (lon >= mid) lonLo = mid;
      else lonHi = mid;
    } else {
      const mid = (latLo + latHi) / 2;
      v = v * 2 + (lat >= mid ? 1 : 0);
      if (lat >= mid) latLo = mid;
      else latHi = mid;
    }
    even = !even;
    if (++bits === 5) {
      hash += base32[v];
      bits = 0;
      v = 0;
    }
  }
  return hash;
}

function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const a = Math.sin(((lat2 - lat1) * DEG) / 2) ** 2 + Math.cos(lat1 * DEG) * Math.cos(lat2 * DEG) * Math.sin(((lon2 - lon1) * DEG) / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * Brute-force distance from a point to a lat/lon box: the nearest point of the box is on its
 * boundary; on a parallel it is at the point's own longitude (clamped), on a meridian at the foot of
 * the perpendicular (clamped); dense sampling of every edge on top, in case the analysis is wrong.
 */
function distanceToBoxM(lat: number, lon: number, b: RegionBounds): number {
  let best = Infinity;
  const consider = (la: number, lo: number) => (best = Math.min(best, haversineM(lat, lon, la, lo)));
  const wrap = (x: number) => ((((x - lon + 180) % 360) + 360) % 360) - 180 + lon; // nearest image of x
  const west = wrap(b.west);
  const east = west + (b.east - b.west);
  for (const la of [b.south, b.north]) consider(la, Math.min(Math.max(lon, west), east));
  for (const lo of [west, east]) {
    const foot = Math.atan(Math.tan(lat * DEG) / Math.cos((lo - lon) * DEG)) / DEG;
    consider(Math.min(Math.max(foot, b.south), b.north), lo);
  }
  const n = 200;
  for (let i = 0; i <= n; i++) {
    const la = b.south + ((b.north - b.south) * i) / n;
    const lo = west + ((east - west) * i) / n;
    consider(la, west);
    consider(la, east);
    consider(b.south, lo);
    consider(b.north, lo);
  }
  return best;
}

/** The 8 cells around `key`, found by stepping just outside its edges. */
function ringOf(key: string): string[] {
  const b = regionBounds(key);
  const eps = 1e-9;
  const out = new Set<string>();
  for (const la of [b.south - eps, (b.south + b.north) / 2, b.north + eps]) {
    for (const lo of [b.west - eps, (b.west + b.east) / 2, b.east + eps]) {
      if (la < -90 || la > 90) continue;
      const k = regionOf(la, lo, key.length);
      if (k !== key) out.add(k);
    }
  }
  return [...out];
}

describe("regionOf", () => {
  it("matches known geohashes", () => {
    expect(regionOf(52.52, 13.4, 4)).toBe("u33d");
    expect(regionOf(42.605, -5.603, 5)).toBe("ezs42");
    expect(regionOf(57.64911, 10.40744, 11)).toBe("u4pruydqqvj");
    expect(regionOf(37.7749, -122.4194, 5)).toBe("9q8yy");
    expect(regionOf(-33.8688, 151.2093, 6)).toBe("r3gx2f");
    expect(regionOf(0, 0, 1)).toBe("s");
    expect(regionOf(-90, -180, 3)).toBe("000");
    expect(regionOf(90, 179.9999, 3)).toBe("zzz");
  });

  it("agrees with the textbook encoder on random points, precisions 1-12", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -90, max: 90, noNaN: true }),
        fc.double({ min: -180, max: 180, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 12 }),
        (lat, lon, p) => {
          expect(regionOf(lat, lon, p)).toBe(naiveGeohash(lat, lon, p));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("wraps longitude and clamps latitude", () => {
    expect(regionOf(10, 180, 4)).toBe(regionOf(10, -180, 4));
    expect(regionOf(10, 190, 4)).toBe(regionOf(10, -170, 4));
    expect(regionOf(10, -190, 4)).toBe(regionOf(10, 170, 4));
    expect(regionOf(95, 0, 4)).toBe(regionOf(90, 0, 4));
  });

  it("rejects a bad precision", () => {
    expect(() => regionOf(0, 0, 0)).toThrow(RangeError);
    expect(() => regionOf(0, 0, 13)).toThrow(RangeError);
    expect(() => regionOf(0, 0, 2.5)).toThrow(RangeError);
  });
});

describe("regionBounds / regionCenter / regionAreaKm2", () => {
  it("bounds hold the point and the centre maps back to the key", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -89.9, max: 89.9, noNaN: true }),
        fc.double({ min: -180, max: 179.99, noNaN: true }),
        fc.integer({ min: 1, max: 10 }),
        (lat, lon, p) => {
          const key = regionOf(lat, lon, p);
          const b = regionBounds(key);
          expect(lat).toBeGreaterThanOrEqual(b.south);
          expect(lat).toBeLessThanOrEqual(b.north);
          expect(lon).toBeGreaterThanOrEqual(b.west);
          expect(lon).toBeLessThanOrEqual(b.east);
          const c = regionCenter(key);
          expect(regionOf(c.lat, c.lon, p)).toBe(key);
        },
      ),
    );
  });

  it("knows the size of a precision-4 cell and of the whole sphere", () => {
    const b = regionBounds("u33d");
    expect(b.east - b.west).toBeCloseTo(360 / 1024, 12);
    expect(b.north - b.south).toBeCloseTo(180 / 1024, 12);
    // 39.07 km × 19.53 km at the equator on our 6366.7 km sphere.
    expect(regionAreaKm2(regionOf(0.05, 0.1, 4))).toBeCloseTo(763, 0);
    let total = 0;
    for (const c of "0123456789bcdefghjkmnpqrstuvwxyz") total += regionAreaKm2(c);
    expect(total).toBeCloseTo(4 * Math.PI * (EARTH_RADIUS_M / 1000) ** 2, -1);
    expect(regionAreaKm2("u33d")).toBeLessThan(regionAreaKm2(regionOf(0.05, 0.1, 4)));
  });

  it("rejects malformed keys", () => {
    expect(() => regionBounds("u3a")).toThrow(RangeError);
    expect(() => regionBounds("")).toThrow(RangeError);
    expect(regionBounds("U33D")).toEqual(regionBounds("u33d"));
  });
});

describe("haloRegions", () => {
  const out: string[] = [];

  it("lists nothing in the middle of a cell, one side, or two sides and the corner", () => {
    const c = regionCenter("u33d");
    expect(haloRegions(c.lat, c.lon, 4, 1015, out)).toEqual([]);
    const b = regionBounds("u33d");
    // 100 m south of the north edge, mid-longitude.
    const nearN = haloRegions(b.north - 100 / 111_120, c.lon, 4, 1015, out).slice();
    expect(nearN).toEqual([regionOf(b.north + 0.001, c.lon, 4)]);
    // Close to the north-east corner.
    const corner = haloRegions(b.north - 0.0005, b.east - 0.0005, 4, 1015, out)
      .slice()
      .sort();
    expect(corner).toEqual([regionOf(b.north + 0.001, c.lon, 4), regionOf(c.lat, b.east + 0.001, 4), regionOf(b.north + 0.001, b.east + 0.001, 4)].sort());
    expect(haloRegions(c.lat, c.lon, 4, 0, out)).toEqual([]);
  });

  it("crosses the antimeridian", () => {
    const key = regionOf(10, 179.99, 4);
    expect(regionBounds(key).east).toBe(180);
    const h = haloRegions(10, 179.999, 4, 1015, out);
    expect(h).toEqual([regionOf(10, -179.999, 4)]);
    expect(regionBounds(h[0]!).west).toBe(-180);
    expect(haloRegions(10, -179.999, 4, 1015, out)).toEqual([key]);
  });

  it("has no neighbour across a pole, and E/W ones when the halo reaches it", () => {
    const h = haloRegions(89.999, 12.3, 4, 1015, out);
    const key = regionOf(89.999, 12.3, 4);
    const b = regionBounds(key);
    expect(b.north).toBe(90);
    for (const k of h) expect(regionBounds(k).north).toBe(90);
    expect(h.length).toBe(1); // the nearer of east/west; there is no row beyond the pole
  });

  it("never misses a neighbour within haloM, and lists none far beyond it (brute force)", () => {
    const edgeBiased = fc.oneof(
      fc.double({ min: 0, max: 0.08, noNaN: true }),
      fc.double({ min: 0.92, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
    );
    fc.assert(
      fc.property(
        fc.double({ min: -80, max: 80, noNaN: true }),
        fc.double({ min: -180, max: 180, maxExcluded: true, noNaN: true }),
        edgeBiased,
        edgeBiased,
        fc.double({ min: 1, max: 3000, noNaN: true }),
        (lat0, lon0, u, v, haloM) => {
          const key = regionOf(lat0, lon0, 4);
          const b = regionBounds(key);
          const lat = b.south + u * (b.north - b.south);
          const lon = b.west + v * (b.east - b.west) * 0.999999999;
          if (regionOf(lat, lon, 4) !== key) return; // landed exactly on an edge
          expect(haloM).toBeLessThanOrEqual(maxHaloM(4, Math.abs(lat) + 0.1));
          const got = new Set(haloRegions(lat, lon, 4, haloM, out));
          expect(got.size).toBe(out.length);
          expect(got.size).toBeLessThanOrEqual(3);
          // The E/W bound is taken at the row's poleward edge plus the halo (cosPoleward), so it may
          // over-include by the ratio of the cosines: a ghost too many, never one missed.
          const poleward = Math.min(89.99, Math.max(Math.abs(b.north), Math.abs(b.south)) + haloM / 111_195);
          const slack = Math.cos(Math.abs(lat) * (Math.PI / 180)) / Math.cos(poleward * (Math.PI / 180));
          for (const n of ringOf(key)) {
            const d = distanceToBoxM(lat, lon, regionBounds(n));
            if (d <= haloM) expect(got.has(n), `${n} at ${d} m missed (halo ${haloM})`).toBe(true);
            if (d > haloM * 1.01 * slack + 1) expect(got.has(n), `${n} at ${d} m listed (halo ${haloM})`).toBe(false);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
