/**
 * One chaos run (issue 12, "Faults") on a cold local edge of its own, started with CHAOS=1: the OpenSky
 * samples replayed (src/replay/) beside a seeded fleet with staged conflicts (scripts/chaos/chaos-fleet.ts),
 * while the fault plan (src/sim/fault-plan.ts) restarts region objects, fails their checkpoints for a
 * while, cuts the gateway's upstream links with batches in flight and drops drone sockets mid-batch.
 * Afterwards the counters decide (src/sim/chaos-verdict.ts). Used by `npm run chaos` and the e2e test.
 */
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { mintToken } from "../../src/client/token.js";
import { DEFAULTS } from "../../src/config.js";
import { regionCenter, regionOf } from "../../src/geo/regions.js";
import { readCsvRows } from "../../src/replay/csv-rows.js";
import { RecordingScanner } from "../../src/replay/recording-scan.js";
import { runReplay } from "../../src/replay/replayer.js";
import { Timeline } from "../../src/replay/timeline.js";
import { alertGaps, type ChaosRecord, type ChaosVerdict, describeChaos, judgeChaos } from "../../src/sim/chaos-verdict.js";
import { type FaultEvent, planFaults } from "../../src/sim/fault-plan.js";
import { Edge } from "../bench/edge.js";
import { buildSnapshot } from "../lib/snapshot.js";
import { ChaosFleet } from "./chaos-fleet.js";
import { regionStarts, tallyChaos } from "./chaos-tally.js";
import { FaultDriver } from "./fault-driver.js";
import { SocketTracker } from "./socket-tracker.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const OPENSKY_CSV = join(ROOT, "test/fixtures/opensky-samples.csv");
/** Paris: the fleet flies around it; the orbiting pairs circle at its cell's centre (one region, timed). */
const FLEET_CENTER = { lat: 48.8566, lon: 2.3522 };
/**
 * The edge's per-drone rate, raised so the replay's busiest aircraft can keep up at the run's speed;
 * the replay stamps its recordings as it sends them, milliseconds apart, so the jump check (a track's
 * plausibility) is off, as for any replay at compressed time.
 */
const CHAOS_VARS = { CHAOS: 1, DRONE_RATE: 400, DRONE_BURST: 800, JUMP_CHECK_MPS: 1e9 };

export interface ChaosOptions {
  seed: number;
  durationMs: number;
  restarts: number;
  /** Fleet drones and orbiting pairs. Default: 40 and 3 */
  drones?: number;
  orbitPairs?: number;
  label?: string;
  /** Progress lines (the plan, each phase). */
  log?: (line: string) => void;
}

export interface ChaosReport {
  record: ChaosRecord;
  verdict: ChaosVerdict;
  plan: FaultEvent[];
  text: string;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const log = o.log ?? (() => {});
  const replay = await scanReplay(OPENSKY_CSV);
  const snap = buildSnapshot(ROOT, o.label ?? "chaos");
  const secret = randomBytes(24).toString("hex");
  let edge: Edge | null = null;
  try {
    edge = await Edge.start({ root: ROOT, config: snap.config, secret, label: o.label ?? "chaos", vars: CHAOS_VARS });
    const opsToken = await mintToken(secret, { sub: "chaos", fleet: "*", role: "ops" }, { ttlS: 86_400 });
    const tracker = new SocketTracker();
    const orbitRegion = regionOf(FLEET_CENTER.lat, FLEET_CENTER.lon, DEFAULTS.regionPrecision);
    const startMs = Date.now() + 3000; // connections first
    const fleet = new ChaosFleet({
      url: edge.wsUrl,
      secret,
      seed: o.seed,
      drones: o.drones ?? 40,
      orbitPairs: o.orbitPairs ?? 3,
      durationMs: o.durationMs,
      startMs,
      fleetCenter: FLEET_CENTER,
      orbitCenter: regionCenter(orbitRegion),
      tracker,
    });
    await fleet.connect();
    const busiest = [...replay.regions.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
    const plan = planFaults({
      seed: o.seed,
      durationMs: o.durationMs,
      restarts: o.restarts,
      regions: [orbitRegion, ...busiest.slice(0, 2)],
      clients: [...fleet.ids, "replay"],
      timed: fleet.orbits.ids,
      keepUp: fleet.keepUp(),
    });
    log(`plan: ${plan.length} faults over ${o.durationMs / 1000} s: ${summarise(plan)}`);
    const driver = new FaultDriver({
      url: edge.url,
      opsToken,
      dropSockets: (clients, abrupt) => clients.reduce((n, c) => n + (c === "replay" ? tracker.drop(c, abrupt) : fleet.drop([c], abrupt)), 0),
    });
    fleet.start();
    const replaying = runReplay({
      url: edge.wsUrl,
      token: await mintToken(secret, { sub: "chaos-replay", fleet: "chaos", role: "relay" }, { ttlS: 86_400 }),
      open: (range) => createReadStream(OPENSKY_CSV, range ? { start: range.start, end: range.end - 1 } : {}),
      // Spread over the run, ending before its drain.
      speed: replay.durationS / Math.max(1, (o.durationMs - 4000) / 1000),
      lingerMs: 500,
      WebSocket: tracker.ctorFor("replay"),
    });
    await driver.run(plan, startMs);
    const left = startMs + o.durationMs - Date.now();
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    await fleet.stop();
    const replayed = await replaying;
    log(`replayed ${replayed.sent} of ${replayed.rows} rows; draining`);
    const tally = await tallyChaos(edge.url, opsToken, new Set([...fleet.homeRegions, ...replay.regions.keys()]));
    const received = fleet.alertTimes;
    // Each of these regions started once, then once more per restart (asked for, or after a refused checkpoint).
    const restarted = new Set(plan.flatMap((e) => (e.kind === "restart" || e.kind === "fail-checkpoints" ? [e.region] : [])));
    const record: ChaosRecord = {
      tally,
      restarts: driver.restarts.map((r) => ({ ...r, gaps: r.region === orbitRegion ? alertGaps(r, fleet.orbits.ids, received) : [] })),
      staged: fleet.stagedPairs.map(([a, b]) => ({ a, b, alertedA: fleet.alerted.has(`${a}>${b}`), alertedB: fleet.alerted.has(`${b}>${a}`) })),
      falseClears: [...fleet.falseClears],
      faults: { ...driver.counts, restartsSurvived: (await regionStarts(edge.url, opsToken, restarted)) - restarted.size },
    };
    const verdict = judgeChaos(record);
    return { record, verdict, plan, text: describeChaos(record, verdict) };
  } finally {
    await edge?.stop();
    snap.remove();
  }
}

/** The replay's length at speed 1 (idle gaps shortened, as replayed) and its points' home regions. */
async function scanReplay(file: string): Promise<{ durationS: number; regions: Map<string, number> }> {
  const scanner = new RecordingScanner();
  const regions = new Map<string, number>();
  for await (const e of readCsvRows(createReadStream(file))) {
    scanner.add(e);
    if (e.kind !== "row") continue;
    const key = regionOf(e.point.lat, e.point.lon, DEFAULTS.regionPrecision);
    regions.set(key, (regions.get(key) ?? 0) + 1);
  }
  const timeline = new Timeline(scanner.result().recordings, { align: "recordings", keepGaps: false });
  return { durationS: timeline.durationS, regions };
}

function summarise(plan: readonly FaultEvent[]): string {
  const by = new Map<string, number>();
  for (const e of plan) by.set(e.kind, (by.get(e.kind) ?? 0) + 1);
  return [...by].map(([k, n]) => `${n} ${k}`).join(", ");
}
