/**
 * Scenario 2, drone sockets: N drones on N sockets at 10 Hz through the client library's DroneClient.
 * The background fleet is the seeded FleetSim (with its converging pairs as ground truth); next to it
 * fly scripted encounter pairs whose alert latency is measured exactly (drone-sockets/encounter-pairs.ts).
 * Also checks zero loss and the edge's CPU per point.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { DroneClient } from "../../src/client/drone.js";
import type { AlertMessage } from "../../src/client/messages.js";
import type { ClientPoint } from "../../src/client/wire.js";
import { haloRegions, regionCenter, regionOf } from "../../src/geo/regions.js";
import { FleetSim } from "../../src/sim/fleet.js";
import { EncounterPairs, HZ } from "./drone-sockets/encounter-pairs.js";
import type { Edge } from "./edge.js";
import { type ClientTotals, clientTotals, connectInWaves, droneClient } from "./fleet-clients.js";
import { sleep } from "./processes.js";
import { addBuckets } from "./region-stats.js";

export interface SocketsOptions {
  drones: number;
  /** Scripted pairs per kind (near and far): 4 × pairs of the sockets are scripted drones. */
  pairsPerKind: number;
  /** Measured time, after the warm-up in which every drone already reports. */
  durationMs: number;
  /** Default: WARMUP_MS */
  warmupMs?: number;
  seed: number;
  /** Prefix that keeps drone ids unique across runs on one edge. */
  idPrefix: string;
  log: (line: string) => void;
  /** Log every alert slower than 100 ms, with when it happened. */
  verbose?: boolean;
}

export interface SocketsResult {
  drones: number;
  connected: number;
  connectMs: number;
  durationS: number;
  sent: number;
  received: number;
  accepted: number;
  deduped: number;
  rateLimited: number;
  rejected: number;
  shed: number;
  lostReported: number;
  regionPoints: number;
  regionBatches: number;
  /** Socket messages into the regions (batches direct, bundles from hubs). */
  regionMessages: number;
  /** Batches the regions got again and dropped (resends after a reconnect or a route switch). */
  regionDuplicateBatches: number;
  /** Points that would also go to a neighbour region as ghosts (0 by construction; else counts are approximate). */
  haloPoints: number;
  /** Per-pair latency (both drones alerted), ms, by kind; `missed` = triggers with no alert on both within 3 s. */
  near: { samples: number[]; missed: number };
  far: { samples: number[]; missed: number };
  /**
   * Edge-side alert latency (issue 9: the gateway receiving the report that starts an encounter → each
   * drone's session sending that alert): `region` is the regions' own histogram over the run (every
   * encounter, scripted and background, exact to its ≤ 9 % bucket), `near`/`far` the scripted pairs'
   * per drone as the client sees them (encounter-pairs.ts: + the last hop and this process's lag).
   */
  edge: { regionBuckets: number[]; near: number[]; far: number[] };
  truth: { due: number; alerted: number };
  cpuUsPerPoint: number;
  reconnects: number;
  dataLoss: string | null;
  /** Event-loop delay of the Node process that drives the sockets and times the alerts, p99 and max, ms. */
  loadGenLoopDelayP99Ms: number;
  loadGenLoopDelayMaxMs: number;
}

/**
 * The whole fleet starts reporting at once, so the first second opens a link per socket into the
 * region (an upgrade and a hello each) while the JIT warms up: a transient of up to ~1 s that no
 * steady fleet sees. Encounters start after it; the loss and CPU figures still cover the whole run.
 */
export const WARMUP_MS = 3000;
/**
 * How often the generator hands due reports to the sockets. Independent drones report at their own
 * phases; a coarse tick would send each tick's reports (50 of them every 10 ms at 500 sockets) as one
 * burst that queues in front of the encounter being timed.
 */
const TICK_MS = 2;

export async function runDroneSockets(edge: Edge, secret: string, o: SocketsOptions): Promise<SocketsResult> {
  const region = regionOf(48.8566, 2.3522, 4);
  const center = regionCenter(region);
  const warmupMs = o.warmupMs ?? WARMUP_MS;
  const fleetN = Math.max(0, o.drones - 4 * o.pairsPerKind);
  const clients = new Map<string, DroneClient>();
  const regions = new Set<string>([region]);
  let haloPoints = 0;
  const closes = new Map<string, number>();
  const halo: string[] = [];
  const track = (p: ClientPoint) => {
    regions.add(regionOf(p.lat, p.lon, 4));
    if (haloRegions(p.lat, p.lon, 4, 1015, halo).length > 0) haloPoints++;
  };
  const newClient = async (id: string) => {
    const c = await droneClient(edge.wsUrl, secret, id, { queueCapacity: 10_000 });
    c.on("close", (ev) => {
      const k = `${ev.code} ${ev.reason}`;
      closes.set(k, (closes.get(k) ?? 0) + 1);
    });
    clients.set(id, c);
    return c;
  };

  // Ground-truth alerts of the background fleet: first caution/warning per pair.
  const firstAlert = new Map<string, number>();
  const pairKey = (x: string, y: string) => (x < y ? `${x}|${y}` : `${y}|${x}`);
  const fleetPrefix = `${o.idPrefix}f`;
  for (let i = 0; i < fleetN; i++) {
    const c = await newClient(`${fleetPrefix}${String(i).padStart(4, "0")}`);
    c.on("alert", (a: AlertMessage) => {
      if (a.level !== "clear" && !firstAlert.has(pairKey(a.droneId, a.otherId))) firstAlert.set(pairKey(a.droneId, a.otherId), Date.now());
    });
  }
  const pairs = await EncounterPairs.create(
    { pairsPerKind: o.pairsPerKind, idPrefix: o.idPrefix, warmupMs, center, track, verbose: o.verbose, log: o.log },
    newClient,
  );

  const all = [...clients.values()];
  const c0 = performance.now();
  await connectInWaves(all, 20_000);
  const connectMs = performance.now() - c0;
  await sleep(300);

  // The load generator's own stalls end up in every latency it measures: report them next to it.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  const s0 = await edge.statsOf(regions);
  const cpu0 = edge.cpuMicros();
  const startUnix = Date.now();
  pairs.start(startUnix, performance.now());
  loopDelay.enable();
  const sim = new FleetSim({
    drones: fleetN,
    hz: HZ,
    conflicts: 0.04,
    linkDrops: 0,
    seed: o.seed,
    center,
    startTimeMs: startUnix,
    idPrefix: fleetPrefix,
    conflictWindowMs: [warmupMs + 6000, Math.max(warmupMs + 6000, warmupMs + o.durationMs - 3000)],
  });
  let sent = 0;
  let lastStep = startUnix;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const nowUnix = Date.now();
      const end = Math.min(nowUnix, startUnix + warmupMs + o.durationMs);
      // Background fleet: every report goes out as soon as it is measured (a real drone's cadence).
      const r = sim.step(end - lastStep);
      lastStep = end;
      const touched = new Set<DroneClient>();
      for (const p of r.points) {
        const c = clients.get(p.droneId)!;
        c.send({ ...p, droneId: "" });
        track(p);
        touched.add(c);
        sent++;
      }
      for (const c of touched) c.flush();
      sent += pairs.tick(end - startUnix);
      if (nowUnix >= startUnix + warmupMs + o.durationMs) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  const sendEnd = performance.now();
  loopDelay.disable();
  // Pending alerts may still arrive: wait for them (bounded), then collect counters.
  while (pairs.pending && performance.now() - sendEnd < 3500) {
    pairs.settleAll(performance.now());
    await sleep(20);
  }
  pairs.giveUp();
  for (const c of all) c.flush();
  await sleep(200);
  const pongs = await Promise.allSettled(all.map((c) => c.ping(10_000)));
  const unanswered = pongs.filter((p) => p.status === "rejected").length;
  const sum = clientTotals(all);
  let s1 = await edge.statsOf(regions);
  // Long enough for a link that must start over (no hello within HELLO_TIMEOUT_MS) to resend.
  const deadline = performance.now() + 8000;
  while (s1.points - s0.points < sum.accepted && performance.now() < deadline) {
    await sleep(100);
    s1 = await edge.statsOf(regions);
  }
  const cpu1 = edge.cpuMicros();
  const connected = all.filter((c) => c.connected).length;
  const reconnects = all.reduce((n, c) => n + c.stats.reconnects, 0);
  if (closes.size > 0) o.log(`  socket closes: ${[...closes].map(([k, n]) => `${n}× ${k}`).join(", ")}`);
  for (const c of all) c.close();

  const endUnix = Date.now();
  const due = sim.truth.filter((t) => t.alertFromTimeMs < endUnix - 1500);
  const alerted = due.filter((t) => firstAlert.has(pairKey(t.a, t.b))).length;
  const regionPoints = s1.points - s0.points;
  return {
    drones: all.length,
    connected,
    connectMs,
    durationS: o.durationMs / 1000,
    sent,
    ...sum,
    lostReported: sum.lost,
    regionPoints,
    regionBatches: s1.batches - s0.batches,
    regionMessages: s1.messages - s0.messages,
    regionDuplicateBatches: s1.duplicateBatches - s0.duplicateBatches,
    haloPoints,
    near: { samples: pairs.samples.near, missed: pairs.missed.near },
    far: { samples: pairs.samples.far, missed: pairs.missed.far },
    edge: { regionBuckets: addBuckets(s1.alertLatencyBuckets, s0.alertLatencyBuckets, -1), near: pairs.edgeSamples.near, far: pairs.edgeSamples.far },
    truth: { due: due.length, alerted },
    cpuUsPerPoint: (cpu1 - cpu0) / Math.max(1, sum.accepted),
    reconnects,
    dataLoss: dataLossOf({ unanswered, sent, sum, haloPoints, regionPoints }),
    loadGenLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loadGenLoopDelayMaxMs: loopDelay.max / 1e6,
  };
}

/** The first way the run lost points, or null. Region counts are exact only when no point was also a ghost. */
function dataLossOf(o: { unanswered: number; sent: number; sum: ClientTotals; haloPoints: number; regionPoints: number }): string | null {
  const { sum } = o;
  if (o.unanswered > 0) return `${o.unanswered} sockets did not answer their final ping`;
  if (sum.received !== o.sent) return `the edge received ${sum.received} of ${o.sent} points sent`;
  if (sum.rejected + sum.rateLimited > 0) return `${sum.rejected} points rejected, ${sum.rateLimited} rate-limited`;
  if (sum.lost > 0) return `${sum.lost} points reported lost by the gateway`;
  if (o.haloPoints === 0 && o.regionPoints !== sum.accepted) return `regions applied ${o.regionPoints} of ${sum.accepted} accepted points`;
  return null;
}
