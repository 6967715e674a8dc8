/**
 * Seeded benchmark of the region's pure core (src/detect/region-core.ts): cost per point with conflict
 * prediction on, per-second tick, bytes per drone, each next to a naive all-pairs baseline run alongside.
 * Run: npx tsx scripts/bench/region-core.ts   (add --expose-gc via NODE_OPTIONS for a heap figure)
 */
import { seededRandom } from "../../src/sim/seeded-random.js";
import { DEFAULTS } from "../../src/config.js";
import { fromEnu } from "../../src/geo/enu.js";
import { emptyPrediction, predict, type KinematicState } from "../../src/detect/conflicts.js";
import { newCounters } from "../../src/wire/counters.js";
import type { TelemetryPoint } from "../../src/wire/point.js";
import { RegionCore } from "../../src/detect/region-core.js";
import { commandLineOrExit } from "../lib/cli.mjs";

const LAT0 = 52.52;
const LON0 = 13.4;
const T0 = 1_700_000_000_000;
const HZ = 10;
const BATCH = 200;
const LINKS = 8;

export interface RegionCoreFigures {
  drones: number;
  seconds: number;
  points: number;
  /** Mean cost of applyPoints per point after the first second, µs, and the throughput it implies. */
  usPerPoint: number;
  /** The same over the first second (JIT warm-up, inserts, growth). */
  warmUsPerPoint: number;
  pointsPerS: number;
  /** Naive baseline: each point predicted against every other drone (conflicts.ts predict), µs per point. */
  naiveUsPerPoint: number;
  naiveRatio: number;
  /** Per-second tick, ms: mean and max. */
  tickMeanMs: number;
  tickMaxMs: number;
  /** Naive all-pairs sweep once per second, ms (measured on a subset, scaled by (N/m)²). */
  naiveTickMs: number;
  /** Typed-array bytes per slot of capacity, per live drone, and measured memory per drone: JS heap (id Map, id strings) + array buffers (NaN without --expose-gc). */
  typedBytesPerSlot: number;
  typedBytesPerDrone: number;
  heapBytesPerDrone: number;
  alertsSent: number;
  /** Proximity-set messages emitted (one per link whose set changed after a batch). */
  proximitySent: number;
}

const prng = seededRandom;

interface Sim {
  e: Float64Array;
  n: Float64Array;
  u: Float64Array;
  ve: Float64Array;
  vn: Float64Array;
  vu: Float64Array;
  half: number;
}

/** 70 % spread uniformly, 30 % in clusters of 300 m radius; 10k drones over 20 × 20 km (same density for fewer). */
function makeSim(count: number, rnd: () => number): Sim {
  const half = 10_000 * Math.sqrt(count / 10_000);
  const s: Sim = {
    e: new Float64Array(count),
    n: new Float64Array(count),
    u: new Float64Array(count),
    ve: new Float64Array(count),
    vn: new Float64Array(count),
    vu: new Float64Array(count),
    half,
  };
  const clusters = Math.max(2, Math.round(count / 500));
  const ce = Array.from({ length: clusters }, () => (rnd() - 0.5) * 1.8 * half);
  const cn = Array.from({ length: clusters }, () => (rnd() - 0.5) * 1.8 * half);
  for (let i = 0; i < count; i++) {
    if (rnd() < 0.3) {
      const k = Math.floor(rnd() * clusters);
      const r = 300 * Math.sqrt(rnd());
      const th = rnd() * 2 * Math.PI;
      s.e[i] = ce[k]! + r * Math.cos(th);
      s.n[i] = cn[k]! + r * Math.sin(th);
    } else {
      s.e[i] = (rnd() - 0.5) * 2 * half;
      s.n[i] = (rnd() - 0.5) * 2 * half;
    }
    s.u[i] = 30 + rnd() * 90;
    const speed = 3 + rnd() * 17;
    const tr = rnd() * 2 * Math.PI;
    s.ve[i] = speed * Math.sin(tr);
    s.vn[i] = speed * Math.cos(tr);
    s.vu[i] = (rnd() - 0.5) * 2;
  }
  return s;
}

function stepSim(s: Sim, dt: number): void {
  for (let i = 0; i < s.e.length; i++) {
    s.e[i]! += s.ve[i]! * dt;
    s.n[i]! += s.vn[i]! * dt;
    s.u[i]! += s.vu[i]! * dt;
    if (Math.abs(s.e[i]!) > s.half) s.ve[i] = -s.ve[i]!;
    if (Math.abs(s.n[i]!) > s.half) s.vn[i] = -s.vn[i]!;
    if (s.u[i]! < 20 || s.u[i]! > 130) s.vu[i] = -s.vu[i]!;
  }
}

function point(s: Sim, i: number, timeMs: number): TelemetryPoint {
  const { lat, lon } = fromEnu(LAT0, LON0, s.e[i]!, s.n[i]!);
  return { droneId: `drone-${i.toString().padStart(6, "0")}`, timeMs, lat, lon, altM: s.u[i]!, vn: s.vn[i]!, ve: s.ve[i]!, vu: s.vu[i]!, battery: 80, seq: -1 };
}

export async function benchRegionCore(opts: { drones: number; seconds: number; seed: number }): Promise<RegionCoreFigures> {
  const rnd = prng(opts.seed);
  const sim = makeSim(opts.drones, rnd);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const mem0 = process.memoryUsage();
  const core = new RegionCore("u33d", DEFAULTS, "bench");
  const counters = newCounters();
  let points = 0;
  let applyMs = 0;
  let warmMs = 0;
  let warmPoints = 0;
  let alertsSent = 0;
  let proximitySent = 0;
  const ticks: number[] = [];
  const steps = opts.seconds * HZ;
  let heapPerDrone = NaN;
  for (let k = 0; k < steps; k++) {
    const t = T0 + (k * 1000) / HZ;
    stepSim(sim, 1 / HZ);
    for (let i = 0; i < opts.drones; i += BATCH) {
      const batch: TelemetryPoint[] = [];
      for (let j = i; j < Math.min(opts.drones, i + BATCH); j++) batch.push(point(sim, j, t));
      const ghost = new Uint8Array(batch.length);
      const t0 = performance.now();
      core.applyPoints(`link-${(i / BATCH) % LINKS}`, batch, ghost, counters, t);
      const dt = performance.now() - t0;
      if (k < HZ && steps > HZ) {
        warmMs += dt; // the first second: JIT warm-up, first inserts, table growth
        warmPoints += batch.length;
      } else applyMs += dt;
      points += batch.length;
    }
    for (const o of core.drain())
      if (o.kind === "alert") alertsSent++;
      else if (o.kind === "proximity") proximitySent++;
    if (k === 0 && gc) {
      gc();
      const mem1 = process.memoryUsage();
      heapPerDrone = (mem1.heapUsed - mem0.heapUsed + mem1.arrayBuffers - mem0.arrayBuffers) / opts.drones;
    }
    if ((k + 1) % HZ === 0) {
      const t0 = performance.now();
      core.tick(t);
      ticks.push(performance.now() - t0);
    }
  }
  const usPerPoint = (applyMs * 1000) / (points - warmPoints);
  const warmUsPerPoint = (warmMs * 1000) / Math.max(1, warmPoints);

  // Naive baseline 1: each point predicted against every other drone's last state, in the same process.
  const states: KinematicState[] = [];
  for (let i = 0; i < opts.drones; i++) {
    const p = point(sim, i, T0);
    states.push({ timeMs: p.timeMs, lat: p.lat, lon: p.lon, altM: p.altM, vn: p.vn, ve: p.ve, vu: p.vu });
  }
  const params = { radiusM: 15, heightM: 5, lookaheadS: 5, warningTimeS: 2 };
  const out = emptyPrediction();
  const naivePoints = Math.max(20, Math.floor(2_000_000 / opts.drones));
  let sink = 0;
  let t0 = performance.now();
  for (let q = 0; q < naivePoints; q++) {
    const a = states[q % opts.drones]!;
    for (let j = 0; j < opts.drones; j++) if (states[j] !== a && predict(a, states[j]!, params, out).conflict) sink++;
  }
  const naiveUsPerPoint = ((performance.now() - t0) * 1000) / naivePoints;
  // Naive baseline 2: an all-pairs sweep once per second, on m drones, scaled by (N/m)².
  const m = Math.min(opts.drones, 2000);
  t0 = performance.now();
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) if (predict(states[i]!, states[j]!, params, out).conflict) sink++;
  const naiveTickMs = (performance.now() - t0) * (opts.drones / m) ** 2;
  if (sink < 0) console.log(sink);

  const mem = core.space.memory();
  const steady = ticks.length > 1 ? ticks.slice(1) : ticks;
  return {
    drones: opts.drones,
    seconds: opts.seconds,
    points,
    usPerPoint,
    warmUsPerPoint,
    pointsPerS: 1e6 / usPerPoint,
    naiveUsPerPoint,
    naiveRatio: naiveUsPerPoint / usPerPoint,
    tickMeanMs: steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length),
    tickMaxMs: Math.max(...steady),
    naiveTickMs,
    typedBytesPerSlot: mem.typedBytesPerSlot,
    typedBytesPerDrone: (mem.typedBytesPerSlot * mem.capacity) / mem.drones,
    heapBytesPerDrone: heapPerDrone,
    alertsSent,
    proximitySent,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  commandLineOrExit(process.argv.slice(2), {
    name: "region-core",
    usage:
      "usage: [BENCH_SECONDS=5] npx tsx scripts/bench/region-core.ts\n\nThe region core's cost per point, memory per drone and tick time at 1,000 and 10,000 drones.",
    options: {},
  });
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
  console.log(`region-core bench: ${HZ} Hz, batches of ${BATCH}, seed 1, ${seconds} s simulated (targets: ≤ 2 µs/point, ≤ 256 B/drone, tick ≤ 10 ms at 10k)`);
  for (const drones of [1000, 10_000]) {
    const r = await benchRegionCore({ drones, seconds, seed: 1 });
    console.log(`\n${drones} drones, ${r.points} points, ${r.alertsSent} alert messages, ${r.proximitySent} proximity messages`);
    console.log(
      `  per point     ${f(r.usPerPoint)} µs  (${f(r.pointsPerS / 1e6)} M points/s)   naive all-pairs ${f(r.naiveUsPerPoint)} µs  → ${f(r.naiveRatio, 0)}× faster  (first second: ${f(r.warmUsPerPoint)} µs)`,
    );
    console.log(
      `  tick          mean ${f(r.tickMeanMs)} ms, max ${f(r.tickMaxMs)} ms   naive all-pairs sweep ${f(r.naiveTickMs, 0)} ms  → ${f(r.naiveTickMs / r.tickMeanMs, 0)}×`,
    );
    console.log(
      `  memory        ${f(r.typedBytesPerSlot, 1)} B typed per slot, ${f(r.typedBytesPerDrone, 1)} B typed per drone, measured heap + buffers (Map, ids, arrays) ${f(r.heapBytesPerDrone, 0)} B per drone`,
    );
  }
}
