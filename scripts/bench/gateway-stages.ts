/**
 * Seeded benchmark of the gateway's pure stages: cost per point (ns) of the rate limiter, dedupe, region
 * routing + halo, micro-batcher and batch codec, each next to a naive baseline run on the same points.
 * Run: npx tsx scripts/bench/gateway-stages.ts [points] [seed]
 */
import { fromBinary } from "@bufbuild/protobuf";
import { encodeTelemetryFrame } from "../../src/client/wire.js";
import { DEFAULTS } from "../../src/config.js";
import { ClientFrameSchema, type ClientFrame } from "../../src/gen/airspace/v1/airspace_pb.js";
import { readTelemetryFrame } from "../../src/wire/telemetry-reader.js";
import { DEG, EARTH_RADIUS_M, fromEnu } from "../../src/geo/enu.js";
import { seededRandom } from "../../src/sim/seeded-random.js";
import { decodeBatch, encodeBatch } from "../../src/wire/batch-codec.js";
import { Batcher } from "../../src/ingest/batcher.js";
import { newCounters } from "../../src/wire/counters.js";
import { DedupeFilter } from "../../src/ingest/dedupe.js";
import type { TelemetryPoint } from "../../src/wire/point.js";
import { ConnectionLimiter } from "../../src/ingest/rate-limiter.js";
import { haloRegions, regionBounds, regionOf } from "../../src/geo/regions.js";

const OPTS = { ...DEFAULTS };
const DRONES = 500;
const HZ = 10;
const T0 = 1_700_000_000_000;
const CODEC_BATCH = 200;
const REPS = 5;

export interface StageFigure {
  stage: string;
  nsPerPoint: number;
  baseline: string;
  baselineNsPerPoint: number;
  /** baseline ÷ ours: how many times cheaper the real stage is. */
  ratio: number;
}

/**
 * DRONES drones at HZ around the corner of four precision-4 cells (so halos matter), a third of them
 * hovering (so dedupe has work), the rest flying 5-20 m/s with slow turns.
 */
function makePoints(n: number, seed: number): TelemetryPoint[] {
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

/** Best of REPS runs, ns per point; `run` returns a value that is summed so no work is dead code. */
function time(points: TelemetryPoint[], run: (pts: TelemetryPoint[]) => number): number {
  run(points.slice(0, Math.min(points.length, 20_000))); // warm-up for the JIT
  let best = Infinity;
  let sink = 0;
  for (let r = 0; r < REPS; r++) {
    const t = performance.now();
    sink += run(points);
    best = Math.min(best, performance.now() - t);
  }
  if (sink === -1) console.log(sink);
  return (best * 1e6) / points.length;
}

/** Gateway clock of point k: arrival ~20 ms after measurement. */
const nowOf = (p: TelemetryPoint) => p.timeMs + 20;

function runLimiter(pts: TelemetryPoint[]): number {
  const l = new ConnectionLimiter(OPTS, nowOf(pts[0]!), DRONES);
  let ok = 0;
  for (const p of pts) if (l.admitPoint(p.droneId, nowOf(p)).status === "accepted") ok++;
  return ok;
}

/** Naive limiter: a per-drone log of grant times, filtered on every point (sliding window). */
function runNaiveLimiter(pts: TelemetryPoint[]): number {
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

function runDedupe(pts: TelemetryPoint[]): number {
  const f = new DedupeFilter(OPTS);
  let fwd = 0;
  for (const p of pts) if (f.check(p, nowOf(p)).status === "accepted") fwd++;
  return fwd;
}

/** Naive dedupe: every forwarded point kept in an array, scanned backwards for the drone's last one. */
function runNaiveDedupe(pts: TelemetryPoint[]): number {
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

function runRegions(pts: TelemetryPoint[]): number {
  const halo: string[] = [];
  let n = 0;
  for (const p of pts) {
    n += regionOf(p.lat, p.lon, OPTS.regionPrecision).length;
    n += haloRegions(p.lat, p.lon, OPTS.regionPrecision, OPTS.haloM, halo).length;
  }
  return n;
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
function runNaiveRegions(pts: TelemetryPoint[]): number {
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

function runBatcher(pts: TelemetryPoint[]): number {
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

/** Naive batcher: one pending array for all regions, scanned and filtered on every point. */
function runNaiveBatcher(pts: TelemetryPoint[]): number {
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

function codecBatches(pts: TelemetryPoint[]): TelemetryPoint[][] {
  const out: TelemetryPoint[][] = [];
  for (let i = 0; i < pts.length; i += CODEC_BATCH) out.push(pts.slice(i, i + CODEC_BATCH));
  return out;
}

function runCodec(pts: TelemetryPoint[]): number {
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

function runNaiveCodec(pts: TelemetryPoint[]): number {
  let n = 0;
  for (const points of codecBatches(pts)) {
    const text = JSON.stringify({ seq: 1, sentAtMs: T0, counters: [...newCounters()], points, ghost: new Array(points.length).fill(0) });
    n += (JSON.parse(text) as { points: unknown[] }).points.length;
  }
  return n;
}

/** The points as relay frames of CODEC_BATCH (encoded once, outside the timing). */
const framesCache = new WeakMap<TelemetryPoint[], Uint8Array[]>();
function framesOf(pts: TelemetryPoint[]): Uint8Array[] {
  let f = framesCache.get(pts);
  if (!f) {
    f = codecBatches(pts).map((b) =>
      encodeTelemetryFrame(b.map((p) => ({ ...p, battery: p.battery < 0 ? undefined : p.battery, seq: p.seq < 0 ? undefined : p.seq }))),
    );
    framesCache.set(pts, f);
  }
  return f;
}

const pointsIn = (f: ClientFrame | null) => (f?.kind.case === "telemetry" ? f.kind.value.points.length : 0);

function runReader(pts: TelemetryPoint[]): number {
  let n = 0;
  for (const b of framesOf(pts)) n += pointsIn(readTelemetryFrame(b));
  return n;
}

function runFromBinary(pts: TelemetryPoint[]): number {
  let n = 0;
  for (const b of framesOf(pts)) n += pointsIn(fromBinary(ClientFrameSchema, b));
  return n;
}

export async function benchGatewayStages(opts: { points: number; seed: number }): Promise<StageFigure[]> {
  const pts = makePoints(opts.points, opts.seed);
  const rows: [string, (p: TelemetryPoint[]) => number, string, (p: TelemetryPoint[]) => number][] = [
    ["rate limiter (per-drone bucket)", runLimiter, "sliding-window log per drone", runNaiveLimiter],
    ["dedupe", runDedupe, "array of forwarded points, backward scan", runNaiveDedupe],
    ["regions + halo", runRegions, "bisection geohash of 9 offset points", runNaiveRegions],
    ["batcher (+ regionOf)", runBatcher, "one pending array, rescanned per point", runNaiveBatcher],
    ["client frame decode (telemetry reader)", runReader, "protobuf-es fromBinary", runFromBinary],
    ["batch codec encode+decode", runCodec, "JSON.stringify + JSON.parse", runNaiveCodec],
  ];
  const out: StageFigure[] = [];
  for (const [stage, run, baseline, naive] of rows) {
    const ns = time(pts, run);
    const baseNs = time(pts, naive);
    out.push({ stage, nsPerPoint: ns, baseline, baselineNsPerPoint: baseNs, ratio: baseNs / ns });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const points = Number(process.argv[2] ?? 200_000);
  const seed = Number(process.argv[3] ?? 1);
  const rows = await benchGatewayStages({ points, seed });
  console.log(`gateway stages, ${points} points, ${DRONES} drones at ${HZ} Hz, seed ${seed}, best of ${REPS}`);
  console.log(`${"stage".padEnd(40)}${"ns/pt".padStart(9)}  ${"baseline".padEnd(42)}${"ns/pt".padStart(9)}${"ratio".padStart(8)}`);
  for (const r of rows)
    console.log(
      `${r.stage.padEnd(40)}${r.nsPerPoint.toFixed(0).padStart(9)}  ${r.baseline.padEnd(42)}${r.baselineNsPerPoint.toFixed(0).padStart(9)}${`${r.ratio.toFixed(1)}×`.padStart(8)}`,
    );
}
