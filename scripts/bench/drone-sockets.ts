/**
 * Scenario 2, drone sockets: N drones on N sockets at 10 Hz through the client library's DroneClient.
 * The background fleet is the seeded FleetSim (with its converging pairs as ground truth); next to it
 * fly scripted encounter pairs whose alert latency is measured exactly: two drones cruise in parallel,
 * either 25 m apart (within 2R: under proximity flush) or 150 m apart (not under it), and every few
 * seconds one report turns drone A towards B. Latency = from sending that report to the moment both
 * drones hold the pair's first alert. Also checks zero loss and the edge's CPU per point.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { DroneClient } from "../../src/client/drone.js";
import type { AlertMessage } from "../../src/client/messages.js";
import { mintToken } from "../../src/client/token.js";
import type { ClientPoint } from "../../src/client/wire.js";
import { fromEnu } from "../../src/geo/enu.js";
import { haloRegions, regionCenter, regionOf } from "../../src/geo/regions.js";
import { FleetSim } from "../../src/sim/fleet.js";
import type { Edge } from "./edge.js";
import { sleep } from "./edge.js";

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
  lostReported: number;
  regionPoints: number;
  regionBatches: number;
  /** Points that would also go to a neighbour region as ghosts (0 by construction; else counts are approximate). */
  haloPoints: number;
  /** Per-pair latency (both drones alerted), ms, by kind; `missed` = triggers with no alert on both within 3 s. */
  near: { samples: number[]; missed: number };
  far: { samples: number[]; missed: number };
  truth: { due: number; alerted: number };
  cpuUsPerPoint: number;
  reconnects: number;
  dataLoss: string | null;
  /** Event-loop delay of the Node process that drives the sockets and times the alerts, p99 and max, ms. */
  loadGenLoopDelayP99Ms: number;
  loadGenLoopDelayMaxMs: number;
}

/** Encounter period per pair and how long A keeps heading at B, ms. */
const PERIOD_MS = 4000;
const TURN_MS = 500;
const HZ = 10;
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
const RING_M = 6000;
const CRUISE_MPS = 10;

interface Pair {
  kind: "near" | "far";
  a: DroneClient;
  b: DroneClient;
  aId: string;
  bId: string;
  e0: number;
  n0: number;
  offsetM: number;
  closureMps: number;
  phaseMs: number;
  nextReportMs: number;
  seq: number;
  /** Current trigger: send time and when each side got its alert (performance.now()). */
  trigger: { at: number; aAt: number; bAt: number } | null;
  lastTriggerK: number;
}

export async function runDroneSockets(edge: Edge, secret: string, o: SocketsOptions): Promise<SocketsResult> {
  const region = regionOf(48.8566, 2.3522, 4);
  const center = regionCenter(region);
  const scripted = 4 * o.pairsPerKind;
  const warmupMs = o.warmupMs ?? WARMUP_MS;
  const fleetN = Math.max(0, o.drones - scripted);
  const url = edge.wsUrl;
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
    const c = new DroneClient({ url, droneId: id, token: await mintToken(secret, { sub: id }, { ttlS: 86_400 }), pingIntervalMs: 0, queueCapacity: 10_000 });
    c.on("error", () => {});
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
  const fleetIds: string[] = [];
  const fleetPrefix = `${o.idPrefix}f`;
  for (let i = 0; i < fleetN; i++) fleetIds.push(`${fleetPrefix}${String(i).padStart(4, "0")}`);
  for (const id of fleetIds) {
    const c = await newClient(id);
    c.on("alert", (a: AlertMessage) => {
      if (a.level !== "clear" && !firstAlert.has(pairKey(a.droneId, a.otherId))) firstAlert.set(pairKey(a.droneId, a.otherId), Date.now());
    });
  }

  const pairs: Pair[] = [];
  const samples = { near: [] as number[], far: [] as number[] };
  const missed = { near: 0, far: 0 };
  for (let k = 0; k < 2 * o.pairsPerKind; k++) {
    const kind = k % 2 === 0 ? "near" : "far";
    const th = (2 * Math.PI * k) / (2 * o.pairsPerKind);
    const aId = `${o.idPrefix}p${k}a`;
    const bId = `${o.idPrefix}p${k}b`;
    const pair: Pair = {
      kind,
      a: await newClient(aId),
      b: await newClient(bId),
      aId,
      bId,
      e0: RING_M * Math.cos(th),
      n0: RING_M * Math.sin(th) - 500,
      offsetM: kind === "near" ? 25 : 150,
      // Entry in (25 - 15) / 12 ≈ 0.8 s (warning) or (150 - 15) / 50 ≈ 2.7 s (caution): both within T = 5 s.
      closureMps: kind === "near" ? 12 : 50,
      phaseMs: warmupMs + ((k * 397) % (PERIOD_MS - 1000)),
      nextReportMs: 0,
      seq: 0,
      trigger: null,
      lastTriggerK: -1,
    };
    const onAlert = (side: "a" | "b") => (al: AlertMessage) => {
      const t = performance.now();
      const tr = pair.trigger;
      if (!tr || al.level === "clear" || al.otherId !== (side === "a" ? bId : aId)) return;
      if (side === "a" && !tr.aAt) tr.aAt = t;
      if (side === "b" && !tr.bAt) tr.bAt = t;
    };
    pair.a.on("alert", onAlert("a"));
    pair.b.on("alert", onAlert("b"));
    pairs.push(pair);
  }

  // Connect in waves, as a fleet coming online would (and as scripts/sim.ts does).
  const all = [...clients.values()];
  const c0 = performance.now();
  for (let i = 0; i < all.length; i += 50) {
    await Promise.race([
      Promise.all(all.slice(i, i + 50).map((c) => c.connect())),
      sleep(20_000).then(() => Promise.reject(new Error(`sockets ${i}-${i + 50} not welcomed within 20 s`))),
    ]);
  }
  const connectMs = performance.now() - c0;
  await sleep(300);

  // The load generator's own stalls end up in every latency it measures: report them next to it.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  const s0 = await edge.statsOf(regions);
  const cpu0 = edge.cpuMicros();
  const startUnix = Date.now();
  const startPerf = performance.now();
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
  const finishTrigger = (p: Pair, now: number) => {
    const tr = p.trigger;
    if (!tr) return;
    if (tr.aAt && tr.bAt) {
      const ms = Math.max(tr.aAt, tr.bAt) - tr.at;
      samples[p.kind].push(ms);
      if (o.verbose && ms > 100)
        o.log(
          `  slow alert: ${p.kind} pair at t=${((tr.at - startPerf) / 1000).toFixed(1)} s took ${ms.toFixed(0)} ms (a ${(tr.aAt - tr.at).toFixed(0)}, b ${(tr.bAt - tr.at).toFixed(0)})`,
        );
    } else if (now - tr.at > 3000) missed[p.kind]++;
    else return; // still waiting
    p.trigger = null;
  };

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
      // Scripted pairs.
      const simMs = end - startUnix;
      for (const p of pairs) {
        finishTrigger(p, performance.now());
        while (p.nextReportMs <= simMs) {
          const t = p.nextReportMs;
          p.nextReportMs += 1000 / HZ;
          const k = Math.floor((t - p.phaseMs) / PERIOD_MS);
          const inTurn = t >= p.phaseMs && t - p.phaseMs - k * PERIOD_MS < TURN_MS;
          const nB = p.n0 + (CRUISE_MPS * t) / 1000;
          const base = { timeMs: startUnix + t, altM: 95, vn: CRUISE_MPS, vu: 0, battery: 90, seq: p.seq++ };
          const posA = fromEnu(center.lat, center.lon, p.e0 + p.offsetM, nB);
          const posB = fromEnu(center.lat, center.lon, p.e0, nB);
          const ptA: ClientPoint = { ...base, ...posA, ve: inTurn ? -p.closureMps : 0 };
          const ptB: ClientPoint = { ...base, ...posB, ve: 0 };
          track(ptA);
          track(ptB);
          // The turning report: timed from just before it is handed to the socket.
          const turning = inTurn && k !== p.lastTriggerK && p.trigger === null;
          if (turning) {
            p.lastTriggerK = k;
            p.trigger = { at: performance.now(), aAt: 0, bAt: 0 };
          }
          p.a.send(ptA);
          p.a.flush();
          p.b.send(ptB);
          p.b.flush();
          sent += 2;
        }
      }
      if (nowUnix >= startUnix + warmupMs + o.durationMs) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  const sendEnd = performance.now();
  loopDelay.disable();
  // Pending alerts may still arrive: wait for them (bounded), then collect counters.
  while (pairs.some((p) => p.trigger !== null) && performance.now() - sendEnd < 3500) {
    for (const p of pairs) finishTrigger(p, performance.now());
    await sleep(20);
  }
  for (const p of pairs) if (p.trigger) missed[p.kind]++;
  for (const c of all) c.flush();
  await sleep(200);
  const pongs = await Promise.allSettled(all.map((c) => c.ping(10_000)));
  const unanswered = pongs.filter((p) => p.status === "rejected").length;
  const sum = { received: 0, accepted: 0, deduped: 0, rateLimited: 0, rejected: 0, lost: 0 };
  for (const c of all) {
    const k = c.counters;
    sum.received += k.pointsReceived;
    sum.accepted += k.pointsAccepted;
    sum.deduped += k.pointsDeduped;
    sum.rateLimited += k.pointsRateLimited;
    sum.rejected += k.pointsRejected;
    sum.lost += k.pointsLost;
  }
  let s1 = await edge.statsOf(regions);
  const deadline = performance.now() + 3000;
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
  let dataLoss: string | null = null;
  if (unanswered > 0) dataLoss = `${unanswered} sockets did not answer their final ping`;
  else if (sum.received !== sent) dataLoss = `the edge received ${sum.received} of ${sent} points sent`;
  else if (sum.rejected + sum.rateLimited > 0) dataLoss = `${sum.rejected} points rejected, ${sum.rateLimited} rate-limited`;
  else if (sum.lost > 0) dataLoss = `${sum.lost} points reported lost by the gateway`;
  else if (haloPoints === 0 && regionPoints !== sum.accepted) dataLoss = `regions applied ${regionPoints} of ${sum.accepted} accepted points`;
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
    haloPoints,
    near: { samples: samples.near, missed: missed.near },
    far: { samples: samples.far, missed: missed.far },
    truth: { due: due.length, alerted },
    cpuUsPerPoint: (cpu1 - cpu0) / Math.max(1, sum.accepted),
    reconnects,
    dataLoss,
    loadGenLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loadGenLoopDelayMaxMs: loopDelay.max / 1e6,
  };
}
