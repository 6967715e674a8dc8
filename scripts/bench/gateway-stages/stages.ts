/** The gateway's real stages as the benchmark times them: each returns a count, summed so no work is dead code. */
import { Batcher } from "../../../src/ingest/batcher.js";
import { DedupeFilter } from "../../../src/ingest/dedupe.js";
import { ConnectionLimiter } from "../../../src/ingest/rate-limiter.js";
import { haloRegions, regionOf } from "../../../src/geo/regions.js";
import { decodeBatch, encodeBatch } from "../../../src/wire/batch-codec.js";
import { newCounters } from "../../../src/wire/counters.js";
import type { TelemetryPoint } from "../../../src/wire/point.js";
import { readTelemetryFrame } from "../../../src/wire/telemetry-reader.js";
import { codecBatches, DRONES, framesOf, nowOf, OPTS, pointsIn, T0 } from "./workload.js";

export function runLimiter(pts: TelemetryPoint[]): number {
  const l = new ConnectionLimiter(OPTS, nowOf(pts[0]!), DRONES);
  let ok = 0;
  for (const p of pts) if (l.admitPoint(p.droneId, nowOf(p)).status === "accepted") ok++;
  return ok;
}

export function runDedupe(pts: TelemetryPoint[]): number {
  const f = new DedupeFilter(OPTS);
  let fwd = 0;
  for (const p of pts) if (f.check(p, nowOf(p)).status === "accepted") fwd++;
  return fwd;
}

export function runRegions(pts: TelemetryPoint[]): number {
  const halo: string[] = [];
  let n = 0;
  for (const p of pts) {
    n += regionOf(p.lat, p.lon, OPTS.regionPrecision).length;
    n += haloRegions(p.lat, p.lon, OPTS.regionPrecision, OPTS.haloM, halo).length;
  }
  return n;
}

export function runBatcher(pts: TelemetryPoint[]): number {
  const b = new Batcher(OPTS);
  let flushed = 0;
  for (const p of pts) {
    const now = nowOf(p);
    for (const x of b.add(regionOf(p.lat, p.lon, OPTS.regionPrecision), p, false, now)) flushed += x.points.length;
    if (b.nextDeadline() <= now) for (const x of b.due(now)) flushed += x.points.length;
  }
  for (const x of b.drain()) flushed += x.points.length;
  return flushed;
}

export function runReader(pts: TelemetryPoint[]): number {
  let n = 0;
  for (const b of framesOf(pts)) n += pointsIn(readTelemetryFrame(b));
  return n;
}

export function runCodec(pts: TelemetryPoint[]): number {
  const counters = newCounters();
  let n = 0;
  for (const points of codecBatches(pts)) {
    const bytes = encodeBatch({
      seq: 1,
      sentAtMs: T0,
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      counters,
      points,
      ghost: new Uint8Array(points.length),
    });
    n += decodeBatch(bytes).points.length;
  }
  return n;
}
