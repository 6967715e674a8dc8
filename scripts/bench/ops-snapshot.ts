/**
 * What the ops stream costs a region per tick: building and serialising one snapshot (once, whatever
 * the number of watchers) for a region of N drones, its size, and the track rings' time and memory.
 *
 *   npx tsx scripts/bench/ops-snapshot.ts [--drones 100,1000,5000] [--runs 50]
 */
import { loadOptions } from "../../src/config.js";
import { buildSnapshot } from "../../src/detect/ops-snapshot.js";
import type { DroneSnapshot, OpenEncounter } from "../../src/detect/region-outputs.js";
import { TrackRings } from "../../src/detect/track-rings.js";
import { seededRandom } from "../../src/sim/seeded-random.js";
import { commandLineOrExit, numberFlag } from "../lib/cli.mjs";
import { percentile } from "./stats.js";

function fleet(n: number, rnd: () => number): { drones: DroneSnapshot[]; encounters: OpenEncounter[] } {
  const now = Date.now();
  const drones = Array.from({ length: n }, (_, i): DroneSnapshot => {
    const lat = 48.8 + rnd() * 0.1;
    const lon = 2.3 + rnd() * 0.1;
    return {
      droneId: `d${i}`,
      linkId: "l",
      ghost: false,
      timeMs: now,
      lastSeenMs: now,
      lat,
      lon,
      altM: 100 * rnd(),
      vn: 10 * rnd() - 5,
      ve: 10 * rnd() - 5,
      vu: 0,
      battery: Math.round(100 * rnd()),
      status: "active",
      lowBatterySent: false,
    };
  });
  const encounters = Array.from(
    { length: Math.ceil(n / 100) },
    (_, i): OpenEncounter => ({
      alertId: `a${i}`,
      a: `d${2 * i}`,
      b: `d${2 * i + 1}`,
      level: "caution",
      tEntryS: 3,
      tCpaS: 4,
      hsepCpaM: 5,
      vsepCpaM: 1,
      computedForMs: now,
    }),
  );
  return { drones, encounters };
}

const args = commandLineOrExit(process.argv.slice(2), {
  name: "ops-snapshot",
  usage: "usage: npx tsx scripts/bench/ops-snapshot.ts [--drones 100,1000,5000] [--runs 50]",
  options: { drones: { type: "string" }, runs: { type: "string" } },
} as const);
const sizes = String(args.drones ?? "100,1000,5000")
  .split(",")
  .map(Number);
const runs = numberFlag(args, "runs", 50);
const trackSeconds = loadOptions({}).trackSeconds;
const rnd = seededRandom(1);
for (const n of sizes) {
  const { drones, encounters } = fleet(n, rnd);
  const times: number[] = [];
  let bytes = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const text = JSON.stringify(
      buildSnapshot({ region: "u09t", nowMs: Date.now(), drones, encounters, metrics: null, events: [], eventsDropped: 0, lowBatteryPct: 20 }),
    );
    times.push(performance.now() - t0);
    bytes = text.length;
  }
  // The tracks as the region keeps them by default (TRACK_SECONDS): one record per drone per tick.
  const rings = new TrackRings(trackSeconds);
  const recordMs: number[] = [];
  for (let s = 0; s < trackSeconds; s++) {
    const t0 = performance.now();
    for (const d of drones) rings.record(d.droneId, d.timeMs + s * 1000, d.lat, d.lon, d.altM);
    recordMs.push(performance.now() - t0);
  }
  console.log(
    `${n} drones: snapshot build + JSON p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms, ${(bytes / 1024).toFixed(1)} KiB a frame; ` +
      `tracks: a tick's samples p50 ${percentile(recordMs, 50).toFixed(2)} ms, ${(rings.bytes() / 1024 / 1024).toFixed(1)} MiB once full (${trackSeconds} s)`,
  );
}
