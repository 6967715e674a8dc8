/**
 * The gateway-stage benchmark's workload: seeded points of DRONES drones at HZ, the gateway clock they
 * arrive at, and the same points cut into relay-sized batches and pre-encoded frames.
 */
import { encodeTelemetryFrame } from "../../../src/client/wire.js";
import { DEFAULTS } from "../../../src/config.js";
import type { ClientFrame } from "../../../src/gen/airspace/v1/airspace_pb.js";
import { DEG, fromEnu } from "../../../src/geo/enu.js";
import { regionBounds, regionOf } from "../../../src/geo/regions.js";
import { seededRandom } from "../../../src/sim/seeded-random.js";
import type { TelemetryPoint } from "../../../src/wire/point.js";

export const OPTS = { ...DEFAULTS };
export const DRONES = 500;
export const HZ = 10;
export const T0 = 1_700_000_000_000;
const CODEC_BATCH = 200;

/**
 * DRONES drones at HZ around the corner of four precision-4 cells (so halos matter), a third of them
 * hovering (so dedupe has work), the rest flying 5-20 m/s with slow turns.
 */
export function makePoints(n: number, seed: number): TelemetryPoint[] {
  const rand = seededRandom(seed);
  const corner = regionBounds(regionOf(52.52, 13.4, 4));
  const lat0 = corner.north;
  const lon0 = corner.east;
  const st = Array.from({ length: DRONES }, (_, i) => {
    const p = fromEnu(lat0, lon0, (rand() - 0.5) * 8000, (rand() - 0.5) * 8000);
    const hover = i % 3 === 0;
    const speed = hover ? 0 : 5 + rand() * 15;
    return { id: `drone-${i.toString(36)}`, lat: p.lat, lon: p.lon, alt: 50 + rand() * 100, speed, track: rand() * 360, seq: 0 };
  });
  const out: TelemetryPoint[] = new Array(n);
  const dt = 1 / HZ;
  for (let k = 0; k < n; k++) {
    const i = k % DRONES;
    const s = st[i]!;
    const tMs = T0 + Math.floor(k / DRONES) * (1000 / HZ) + (i % 97);
    s.track += (rand() - 0.5) * 4;
    const vn = s.speed * Math.cos(s.track * DEG);
    const ve = s.speed * Math.sin(s.track * DEG);
    if (s.speed > 0) {
      const q = fromEnu(s.lat, s.lon, ve * dt, vn * dt);
      s.lat = q.lat;
      s.lon = q.lon;
    }
    out[k] = { droneId: s.id, timeMs: tMs, lat: s.lat, lon: s.lon, altM: s.alt, vn, ve, vu: 0, battery: 80, seq: s.seq++ };
  }
  return out;
}

/** Gateway clock of point k: arrival ~20 ms after measurement. */
export const nowOf = (p: TelemetryPoint) => p.timeMs + 20;

export function codecBatches(pts: TelemetryPoint[]): TelemetryPoint[][] {
  const out: TelemetryPoint[][] = [];
  for (let i = 0; i < pts.length; i += CODEC_BATCH) out.push(pts.slice(i, i + CODEC_BATCH));
  return out;
}

/** The points as relay frames of CODEC_BATCH (encoded once, outside the timing). */
const framesCache = new WeakMap<TelemetryPoint[], Uint8Array[]>();
export function framesOf(pts: TelemetryPoint[]): Uint8Array[] {
  let f = framesCache.get(pts);
  if (!f) {
    f = codecBatches(pts).map((b) =>
      encodeTelemetryFrame(b.map((p) => ({ ...p, battery: p.battery < 0 ? undefined : p.battery, seq: p.seq < 0 ? undefined : p.seq }))),
    );
    framesCache.set(pts, f);
  }
  return f;
}

export const pointsIn = (f: ClientFrame | null) => (f?.kind.case === "telemetry" ? f.kind.value.points.length : 0);
