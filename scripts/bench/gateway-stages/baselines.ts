/** The naive baseline each gateway stage is measured against, run on the same points. */
import { fromBinary } from "@bufbuild/protobuf";
import { ClientFrameSchema } from "../../../src/gen/airspace/v1/airspace_pb.js";
import { DEG, EARTH_RADIUS_M, fromEnu } from "../../../src/geo/enu.js";
import { regionOf } from "../../../src/geo/regions.js";
import { newCounters } from "../../../src/wire/counters.js";
import type { TelemetryPoint } from "../../../src/wire/point.js";
import { codecBatches, framesOf, nowOf, OPTS, pointsIn, T0 } from "./workload.js";

/** Naive limiter: a per-drone log of grant times, filtered on every point (sliding window). */
export function runNaiveLimiter(pts: TelemetryPoint[]): number {
  const log = new Map<string, number[]>();
  let ok = 0;
  for (const p of pts) {
    const now = nowOf(p);
    const kept = (log.get(p.droneId) ?? []).filter((t) => now - t < 1000);
    if (kept.length < OPTS.droneRate) {
      kept.push(now);
      ok++;
    }
    log.set(p.droneId, kept);
  }
  return ok;
}

/** Naive dedupe: every forwarded point kept in an array, scanned backwards for the drone's last one. */
export function runNaiveDedupe(pts: TelemetryPoint[]): number {
  const kept: TelemetryPoint[] = [];
  for (const p of pts) {
    let last: TelemetryPoint | undefined;
    for (let i = kept.length - 1; i >= 0 && !last; i--) if (kept[i]!.droneId === p.droneId) last = kept[i];
    if (last) {
      if (p.timeMs <= last.timeMs) continue;
      const a =
        Math.sin(((p.lat - last.lat) * DEG) / 2) ** 2 + Math.cos(p.lat * DEG) * Math.cos(last.lat * DEG) * Math.sin(((p.lon - last.lon) * DEG) / 2) ** 2;
      const h = 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(a));
      const dv = Math.hypot(p.vn - last.vn, p.ve - last.ve, p.vu - last.vu);
      if (p.timeMs - last.timeMs < OPTS.dedupeRefreshMs && h < 0.5 && Math.abs(p.altM - last.altM) < 0.5 && dv < 0.5) continue;
    }
    kept.push(p);
  }
  return kept.length;
}

/** Textbook geohash: bisection, one string concatenation per character. */
function naiveGeohash(lat: number, lon: number, precision: number): string {
  const base32 = "0123456789bcdefghjkmnpqrstuvwxyz";
  let [la0, la1, lo0, lo1] = [-90, 90, -180, 180];
  let hash = "";
  let v = 0;
  for (let bit = 0; hash.length < precision; bit++) {
    if (bit % 2 === 0) {
      const m = (lo0 + lo1) / 2;
      v = v * 2 + (lon >= m ? 1 : 0);
      if (lon >= m) lo0 = m;
      else lo1 = m;
    } else {
      const m = (la0 + la1) / 2;
      v = v * 2 + (lat >= m ? 1 : 0);
      if (lat >= m) la0 = m;
      else la1 = m;
    }
    if (bit % 5 === 4) {
      hash += base32[v];
      v = 0;
    }
  }
  return hash;
}

/** Naive halo: geohash the 8 points haloM away around the drone and keep the distinct other cells. */
export function runNaiveRegions(pts: TelemetryPoint[]): number {
  let n = 0;
  const d = OPTS.haloM;
  const offsets = [
    [d, 0],
    [-d, 0],
    [0, d],
    [0, -d],
    [d, d],
    [d, -d],
    [-d, d],
    [-d, -d],
  ] as const;
  for (const p of pts) {
    const home = naiveGeohash(p.lat, p.lon, OPTS.regionPrecision);
    const halo = new Set<string>();
    for (const [e, nn] of offsets) {
      const q = fromEnu(p.lat, p.lon, e, nn);
      const k = naiveGeohash(q.lat, q.lon, OPTS.regionPrecision);
      if (k !== home) halo.add(k);
    }
    n += home.length + halo.size;
  }
  return n;
}

/** Naive batcher: one pending array for all regions, scanned and filtered on every point. */
export function runNaiveBatcher(pts: TelemetryPoint[]): number {
  let pending: { key: string; p: TelemetryPoint; at: number }[] = [];
  let flushed = 0;
  for (const p of pts) {
    const now = nowOf(p);
    pending.push({ key: regionOf(p.lat, p.lon, OPTS.regionPrecision), p, at: now });
    const dueKeys = new Set<string>();
    const counts = new Map<string, number>();
    for (const e of pending) {
      counts.set(e.key, (counts.get(e.key) ?? 0) + 1);
      if (e.at + OPTS.batchWindowMs <= now || counts.get(e.key)! >= OPTS.batchMaxPoints) dueKeys.add(e.key);
    }
    if (dueKeys.size > 0) {
      flushed += pending.filter((e) => dueKeys.has(e.key)).length;
      pending = pending.filter((e) => !dueKeys.has(e.key));
    }
  }
  return flushed + pending.length;
}

export function runFromBinary(pts: TelemetryPoint[]): number {
  let n = 0;
  for (const b of framesOf(pts)) n += pointsIn(fromBinary(ClientFrameSchema, b));
  return n;
}

export function runNaiveCodec(pts: TelemetryPoint[]): number {
  let n = 0;
  for (const points of codecBatches(pts)) {
    const text = JSON.stringify({ seq: 1, sentAtMs: T0, counters: [...newCounters()], points, ghost: new Array(points.length).fill(0) });
    n += (JSON.parse(text) as { points: unknown[] }).points.length;
  }
  return n;
}
