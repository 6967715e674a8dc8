/**
 * Scenario 3, messages into region objects per 1,000 accepted points (a region object pays per message,
 * docs/platform.md). Two workloads, each run on an edge with batching + dedupe on and on one with both off:
 * (a) one relay (the client library's RelayClient) carrying 500 FleetSim drones at 10 Hz;
 * (b) 500 drone sockets at 10 Hz, half of them hovering. The hovering half flies in a region cell of its
 *     own, so that cell's message count is exactly the hovering drones' share.
 * (c) for the safety-aware stretch (STRETCH_MAX_MS): 500 cruising drone sockets at 10 Hz, a few of them
 *     isolated (farther from every other drone than the region's far-verdict radius) in a cell of their
 *     own, the rest in a dense 4 km disc in another cell; run on an edge with the stretch on and one
 *     with it off.
 */
import { DEFAULTS } from "../../src/config.js";
import { farRadiusM as regionFarRadiusM } from "../../src/detect/far-verdict.js";
import { DroneClient } from "../../src/client/drone.js";
import { RelayClient } from "../../src/client/relay.js";
import { mintToken } from "../../src/client/token.js";
import type { BaseClient } from "../../src/client/base.js";
import type { ClientPoint } from "../../src/client/wire.js";
import { fromEnu } from "../../src/geo/enu.js";
import { haloRegions, regionCenter, regionOf } from "../../src/geo/regions.js";
import { FleetSim } from "../../src/sim/fleet.js";
import { Rng } from "../../src/sim/prng.js";
import type { Edge } from "./edge.js";
import { sleep } from "./edge.js";

/** Batching and near-duplicate filtering off: one message per point, every point forwarded. */
export const OFF_VARS: Record<string, number> = {
  BATCH_WINDOW_MS: 0,
  BATCH_MAX_POINTS: 1,
  DEDUPE_H_M: 0,
  DEDUPE_V_M: 0,
  DEDUPE_SPEED_MPS: 0,
  DEDUPE_REFRESH_MS: 0,
};

export interface MessageCount {
  sent: number;
  accepted: number;
  deduped: number;
  /** Messages (batches) the region objects received. */
  messages: number;
  perThousandAccepted: number;
  perThousandSent: number;
  lost: number;
  regionPoints: number;
}

export interface HoverCount {
  all: MessageCount;
  /** The hovering half's region: messages and points. */
  hover: MessageCount;
  moving: MessageCount;
}

const HZ = 10;
const HOME = regionOf(48.8566, 2.3522, 4);
/** A cell ~45 km east of HOME: the hovering half's own region. */
const HOVER_HOME = regionOf(48.8566, 2.3522 + 0.6, 4);

/** Sends each drone's reports at HZ on its own phase for `durationMs`, flushing each client once per pass. */
async function paced<T extends { phase: number; c: DroneClient }>(
  drones: T[],
  durationMs: number,
  report: (d: T, tsMs: number, startMs: number) => void,
): Promise<void> {
  const start = Date.now();
  const next = drones.map((d) => d.phase);
  while (Date.now() < start + durationMs) {
    await sleep(10);
    const t = Math.min(Date.now(), start + durationMs) - start;
    for (let i = 0; i < drones.length; i++) {
      const d = drones[i]!;
      let any = false;
      while (next[i]! <= t) {
        const ts = next[i]!;
        next[i]! += 1000 / HZ;
        report(d, ts, start);
        any = true;
      }
      if (any) d.c.flush();
    }
  }
}

/** Two groups' counts as one. */
function sumCounts(a: MessageCount, b: MessageCount): MessageCount {
  return countOf(a.sent + b.sent, a.accepted + b.accepted, a.deduped + b.deduped, a.lost + b.lost, a.messages + b.messages, a.regionPoints + b.regionPoints);
}

function countOf(sent: number, accepted: number, deduped: number, lost: number, messages: number, regionPoints: number): MessageCount {
  return {
    sent,
    accepted,
    deduped,
    messages,
    perThousandAccepted: (1000 * messages) / Math.max(1, accepted),
    perThousandSent: (1000 * messages) / Math.max(1, sent),
    lost,
    regionPoints,
  };
}

async function finish(clients: BaseClient[]): Promise<{ accepted: number; deduped: number; lost: number; received: number }> {
  for (const c of clients) c.flush();
  await sleep(300);
  await Promise.allSettled(clients.map((c) => c.ping(10_000)));
  const out = { accepted: 0, deduped: 0, lost: 0, received: 0 };
  for (const c of clients) {
    out.accepted += c.counters.pointsAccepted;
    out.deduped += c.counters.pointsDeduped;
    out.lost += c.counters.pointsLost;
    out.received += c.counters.pointsReceived;
  }
  return out;
}

/** Polls region stats until they account for `accepted` points (bounded). */
async function settle(edge: Edge, regions: string[], before: { points: number }, accepted: number) {
  let s = await edge.statsOf(regions);
  const deadline = performance.now() + 3000;
  while (s.points - before.points < accepted && performance.now() < deadline) {
    await sleep(100);
    s = await edge.statsOf(regions);
  }
  // A session's last counter deltas get a counters-only batch once they have waited 2 s with no batch to
  // carry them (COUNTERS_FLUSH_MS in src/gateway/session.ts): wait past that, so every such tail batch
  // is counted (at most one per session and region per run; a conservative count).
  await sleep(2300);
  return edge.statsOf(regions);
}

/** (a) One RelayClient carrying `drones` FleetSim drones at 10 Hz for `durationMs`. */
export async function relayMessages(
  edge: Edge,
  secret: string,
  o: { drones: number; durationMs: number; seed: number; idPrefix: string },
): Promise<MessageCount> {
  const relay = new RelayClient({
    url: edge.wsUrl,
    token: await mintToken(secret, { sub: `${o.idPrefix}relay`, role: "relay" }, { ttlS: 86_400 }),
    pingIntervalMs: 0,
  });
  relay.on("error", () => {});
  try {
    await relay.connect();
    const regions = [HOME];
    const s0 = await edge.statsOf(regions);
    const start = Date.now();
    const sim = new FleetSim({
      drones: o.drones,
      hz: HZ,
      seed: o.seed,
      center: regionCenter(HOME),
      startTimeMs: start,
      idPrefix: `${o.idPrefix}r`,
      linkDrops: 0,
    });
    let sent = 0;
    let last = start;
    while (Date.now() < start + o.durationMs) {
      await sleep(20);
      const now = Math.min(Date.now(), start + o.durationMs);
      for (const p of sim.step(now - last).points) {
        if (regionOf(p.lat, p.lon, 4) !== HOME) throw new Error("relay fleet left its region");
        relay.send(p);
        sent++;
      }
      last = now;
    }
    const f = await finish([relay]);
    const s1 = await settle(edge, regions, s0, f.accepted);
    return countOf(sent, f.accepted, f.deduped, f.lost + (f.received - sent), s1.batches - s0.batches, s1.points - s0.points);
  } finally {
    relay.close();
  }
}

/** (b) `drones` sockets at 10 Hz, half hovering (in their own cell), half cruising, for `durationMs`. */
export async function hoverMessages(
  edge: Edge,
  secret: string,
  o: { drones: number; durationMs: number; seed: number; idPrefix: string },
): Promise<HoverCount> {
  const hoverN = Math.floor(o.drones / 2);
  const rng = new Rng(o.seed, 4242);
  const movingCenter = regionCenter(HOME);
  const hoverCenter = regionCenter(HOVER_HOME);
  interface D {
    id: string;
    c: DroneClient;
    hover: boolean;
    e: number;
    n: number;
    alt: number;
    ve: number;
    vn: number;
    seq: number;
    phase: number;
  }
  const drones: D[] = [];
  for (let i = 0; i < o.drones; i++) {
    const id = `${o.idPrefix}h${i}`;
    const c = new DroneClient({ url: edge.wsUrl, droneId: id, token: await mintToken(secret, { sub: id }, { ttlS: 86_400 }), pingIntervalMs: 0 });
    c.on("error", () => {});
    const r = 4000 * Math.sqrt(rng.next());
    const th = rng.range(0, 2 * Math.PI);
    const hover = i < hoverN;
    const speed = hover ? 0 : rng.range(8, 15);
    const tr = rng.range(0, 2 * Math.PI);
    drones.push({
      id,
      c,
      hover,
      e: r * Math.cos(th),
      n: r * Math.sin(th),
      alt: rng.range(40, 120),
      ve: speed * Math.sin(tr),
      vn: speed * Math.cos(tr),
      seq: 0,
      phase: rng.range(0, 1000 / HZ),
    });
  }
  try {
    for (let i = 0; i < drones.length; i += 50) await Promise.all(drones.slice(i, i + 50).map((d) => d.c.connect()));
    const regions = [HOME, HOVER_HOME];
    const s0 = { hover: await edge.regionStats(HOVER_HOME), moving: await edge.regionStats(HOME) };
    const sent = { hover: 0, moving: 0 };
    const noise = new Rng(o.seed, 4243);
    await paced(drones, o.durationMs, (d, ts, start) => {
      // Hovering: a fixed point with 10 cm of GPS noise (RTK-class receivers hold better than that).
      const nz = d.hover ? 0.1 : 0.3;
      const c = d.hover ? hoverCenter : movingCenter;
      const pos = fromEnu(c.lat, c.lon, d.e + (d.ve * ts) / 1000 + nz * noise.normal(), d.n + (d.vn * ts) / 1000 + nz * noise.normal());
      const p: ClientPoint = {
        timeMs: start + Math.round(ts),
        ...pos,
        altM: d.alt + nz * noise.normal(),
        vn: d.vn + 0.02 * noise.normal(),
        ve: d.ve + 0.02 * noise.normal(),
        vu: 0,
        battery: 80,
        seq: d.seq++,
      };
      d.c.send(p);
      sent[d.hover ? "hover" : "moving"]++;
    });
    const hoverF = await finish(drones.filter((d) => d.hover).map((d) => d.c));
    const movingF = await finish(drones.filter((d) => !d.hover).map((d) => d.c));
    await settle(edge, regions, { points: s0.hover.points + s0.moving.points }, hoverF.accepted + movingF.accepted);
    const s1 = { hover: await edge.regionStats(HOVER_HOME), moving: await edge.regionStats(HOME) };
    const hover = countOf(
      sent.hover,
      hoverF.accepted,
      hoverF.deduped,
      hoverF.lost + (hoverF.received - sent.hover),
      s1.hover.batches - s0.hover.batches,
      s1.hover.points - s0.hover.points,
    );
    const moving = countOf(
      sent.moving,
      movingF.accepted,
      movingF.deduped,
      movingF.lost + (movingF.received - sent.moving),
      s1.moving.batches - s0.moving.batches,
      s1.moving.points - s0.moving.points,
    );
    const all = sumCounts(hover, moving);
    return { all, hover, moving };
  } finally {
    for (const d of drones) d.c.close();
  }
}

export interface StretchCount {
  all: MessageCount;
  /** Drones farther than the far-verdict radius from every other (their own cell). */
  isolated: MessageCount;
  /** Drones in a 4 km disc (never provably far at the default MAX_SPEED_MPS). */
  dense: MessageCount;
  isolatedDrones: number;
  spacingM: number;
}

/** The stretch workload's cells: ~45 km west of HOME (isolated drones) and ~40 km north (dense). */
const ISOLATED_HOME = regionOf(48.8566, 2.3522 - 0.6, 4);
const DENSE_HOME = regionOf(48.8566 + 0.35, 2.3522, 4);

/** The region's far-verdict radius with the grid's 1 % query pad (src/detect/far-verdict.ts), m. */
export function farRadiusM(o: Parameters<typeof regionFarRadiusM>[0]): number {
  return regionFarRadiusM(o) * 1.01 + 1;
}

/**
 * (c) `drones` cruising sockets at 10 Hz (8-12 m/s, so dedupe forwards every point): `isolated` of them
 * on a grid `spacingM` apart in ISOLATED_HOME, the rest in a 4 km disc in DENSE_HOME. Spacing minus the
 * closing distance over the run must exceed the far radius, and the grid must stay clear of the cell's
 * halo band: both are checked, the workload throws otherwise.
 */
export async function stretchMessages(
  edge: Edge,
  secret: string,
  o: { drones: number; isolated: number; spacingM: number; farRadiusM: number; durationMs: number; seed: number; idPrefix: string },
): Promise<StretchCount> {
  const rng = new Rng(o.seed, 4343);
  const isoCenter = regionCenter(ISOLATED_HOME);
  const denseCenter = regionCenter(DENSE_HOME);
  const maxSpeed = 12;
  const closing = 2 * maxSpeed * (o.durationMs / 1000 + 5);
  if (o.spacingM - closing <= o.farRadiusM)
    throw new Error(`stretch workload: spacing ${o.spacingM} m - closing ${closing} m is within the far radius ${Math.round(o.farRadiusM)} m`);
  const cols = Math.ceil(Math.sqrt(o.isolated * 1.3));
  const rows = Math.ceil(o.isolated / cols);
  interface D {
    id: string;
    c: DroneClient;
    iso: boolean;
    e: number;
    n: number;
    alt: number;
    ve: number;
    vn: number;
    seq: number;
    phase: number;
  }
  const drones: D[] = [];
  for (let i = 0; i < o.drones; i++) {
    const id = `${o.idPrefix}x${i}`;
    const c = new DroneClient({ url: edge.wsUrl, droneId: id, token: await mintToken(secret, { sub: id }, { ttlS: 86_400 }), pingIntervalMs: 0 });
    c.on("error", () => {});
    const iso = i < o.isolated;
    const speed = rng.range(8, maxSpeed);
    const tr = rng.range(0, 2 * Math.PI);
    let e: number;
    let n: number;
    if (iso) {
      e = ((i % cols) - (cols - 1) / 2) * o.spacingM;
      n = (Math.floor(i / cols) - (rows - 1) / 2) * o.spacingM;
    } else {
      const r = 4000 * Math.sqrt(rng.next());
      const th = rng.range(0, 2 * Math.PI);
      e = r * Math.cos(th);
      n = r * Math.sin(th);
    }
    const d: D = { id, c, iso, e, n, alt: rng.range(40, 120), ve: speed * Math.sin(tr), vn: speed * Math.cos(tr), seq: 0, phase: rng.range(0, 1000 / HZ) };
    // Start and end of the run stay in the home cell and out of its halo band (no ghost messages).
    const home = iso ? ISOLATED_HOME : DENSE_HOME;
    const ctr = iso ? isoCenter : denseCenter;
    for (const t of [0, o.durationMs / 1000 + 1]) {
      const p = fromEnu(ctr.lat, ctr.lon, d.e + d.ve * t, d.n + d.vn * t);
      if (regionOf(p.lat, p.lon, 4) !== home || haloRegions(p.lat, p.lon, 4, DEFAULTS.haloM, []).length > 0)
        throw new Error("stretch workload leaves its cell or enters its halo band");
    }
    drones.push(d);
  }
  try {
    for (let i = 0; i < drones.length; i += 50) await Promise.all(drones.slice(i, i + 50).map((d) => d.c.connect()));
    const regions = [ISOLATED_HOME, DENSE_HOME];
    const s0 = { iso: await edge.regionStats(ISOLATED_HOME), dense: await edge.regionStats(DENSE_HOME) };
    const sent = { iso: 0, dense: 0 };
    const noise = new Rng(o.seed, 4344);
    await paced(drones, o.durationMs, (d, ts, start) => {
      const c = d.iso ? isoCenter : denseCenter;
      const pos = fromEnu(c.lat, c.lon, d.e + (d.ve * ts) / 1000 + 0.3 * noise.normal(), d.n + (d.vn * ts) / 1000 + 0.3 * noise.normal());
      d.c.send({ timeMs: start + Math.round(ts), ...pos, altM: d.alt, vn: d.vn, ve: d.ve, vu: 0, battery: 80, seq: d.seq++ });
      sent[d.iso ? "iso" : "dense"]++;
    });
    const isoF = await finish(drones.filter((d) => d.iso).map((d) => d.c));
    const denseF = await finish(drones.filter((d) => !d.iso).map((d) => d.c));
    await settle(edge, regions, { points: s0.iso.points + s0.dense.points }, isoF.accepted + denseF.accepted);
    const s1 = { iso: await edge.regionStats(ISOLATED_HOME), dense: await edge.regionStats(DENSE_HOME) };
    const isolated = countOf(
      sent.iso,
      isoF.accepted,
      isoF.deduped,
      isoF.lost + (isoF.received - sent.iso),
      s1.iso.batches - s0.iso.batches,
      s1.iso.points - s0.iso.points,
    );
    const dense = countOf(
      sent.dense,
      denseF.accepted,
      denseF.deduped,
      denseF.lost + (denseF.received - sent.dense),
      s1.dense.batches - s0.dense.batches,
      s1.dense.points - s0.dense.points,
    );
    const all = sumCounts(isolated, dense);
    return { all, isolated, dense, isolatedDrones: o.isolated, spacingM: o.spacingM };
  } finally {
    for (const d of drones) d.c.close();
  }
}
