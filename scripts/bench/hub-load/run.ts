/**
 * One lone-region run: a cold edge from the bench config (its workerd runs the region and nothing else
 * that does work), the fleet fed through hub-like sockets (or relay links) for `seconds`, then drained.
 * Region CPU per point is the workerd process's CPU (/proc) from the end of the warm-up to the end of
 * the drain, over the points the region applied in that time.
 */
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { mintToken } from "../../../src/client/token.js";
import type { Edge } from "../edge.js";
import { sleep } from "../processes.js";
import type { RegionStats } from "../region-stats.js";
import { percentile } from "../stats.js";
import { type FeedShape, Feeder } from "./feeder.js";
import { LoadFleet } from "./fleet.js";

export interface LoadOptions {
  region: string;
  drones: number;
  hz: number;
  shape: FeedShape;
  seconds: number;
  warmupS: number;
  pairs: number;
  seed: number;
  stallMs: number;
  log: (line: string) => void;
}

export interface LoadResult {
  label: string;
  offeredPerS: number;
  sentPoints: number;
  sentPerS: number;
  applied: number;
  lost: number;
  duplicateBatches: number;
  badBatches: number;
  regionMessagesPerS: number;
  urgentBatches: number;
  ackLagP50: number;
  ackLagP99: number;
  ackLagMax: number;
  stalls: number;
  maxAckGapMs: number;
  maxBacklogS: number;
  drainMs: number;
  unackedLinks: number;
  closedSockets: number;
  pairsAlerted: number;
  pairs: number;
  missing: string[];
  alertFrames: number;
  errors: Record<string, number>;
  lateSlotsMs: number;
  regionUsPerPoint: number;
  /** The workerd's CPU over the same window as a share of one core: near 1, the region's thread was the limit; well under, the machine was (or nothing was). */
  regionCoreShare: number;
  /** The machine's 1-minute load average at the end (2 cores here, shared). */
  loadAvg: number;
  feederUsPerPoint: number;
  /** Round trip of the 1 s stats requests: served by the region between the bundles queued before them. */
  statsRttP50: number;
  statsRttMax: number;
  /** The bundles had to be encoded in full (a layout changed under the feeder's patch). */
  unpatched: boolean;
  keepingPace: boolean;
  /** Reports the feeder's sessions held back because the region shed load (LOAD_SHEDDING), and the highest level it asked for. */
  shed: number;
  maxShedLevel: number;
  /** Over the seconds after the warm-up, from the region's one-second metrics: report age measurement → applied, p99 per second (median and worst second), ms. */
  ageP99Median: number;
  ageP99Max: number;
}

export async function runRegionLoad(edge: Edge, secret: string, o: LoadOptions): Promise<LoadResult> {
  const fleet = new LoadFleet(o.region, o.drones, {
    pairs: o.pairs,
    firstMeetMs: (o.warmupS + 3) * 1000,
    lastMeetMs: Math.max((o.warmupS + 3) * 1000, (o.seconds - 2) * 1000),
    seed: o.seed,
    fleet: "bench",
    idPrefix: "h",
    startMs: Date.now(),
  });
  const label = o.shape.kind === "hubs" ? `${o.drones} drones via ${o.shape.hubs} hubs` : `${o.drones} drones on ${o.shape.links} relay link(s)`;
  const feeder = new Feeder(fleet, o.shape, `s${randomBytes(6).toString("hex")}.`, o.region, o.hz, o.stallMs);
  try {
    await feeder.open(edge.wsUrl, secret, o.region);
    o.log(`  ${label}: ${feeder.linkIds.length} links greeted; sending ${o.seconds} s`);
    const token = await mintToken(secret, { sub: "bench", fleet: "*", role: "ops" }, { ttlS: 3600 });
    const stats = (region: string) => regionStats(edge.url, token, region);
    const s0 = await stats(o.region);
    const t0 = Date.now();
    const atStart = { stats: s0, cpu: edge.cpuMicros(), node: cpuNow(), atMs: t0 };
    feeder.start(t0);
    let warm: { stats: RegionStats; cpu: number; node: number; atMs: number } | null = null;
    let maxBacklogS = 0;
    let nextPoll = t0 + 1000;
    let nextStallCheck = t0;
    const polls: Promise<void>[] = [];
    const rtt: number[] = [];
    let polling = false;
    while (Date.now() < t0 + o.seconds * 1000) {
      const now = Date.now();
      feeder.tick(now, true);
      if (now >= nextStallCheck) {
        feeder.replies.poll(now, true);
        nextStallCheck = now + 100;
      }
      if (now >= nextPoll && !polling) {
        // One request at a time, never given up: a region far behind answers late, and that lateness is measured.
        polling = true;
        nextPoll = now + 1000;
        const wantWarm = !warm && now >= t0 + o.warmupS * 1000;
        polls.push(
          stats(o.region).then((s) => {
            polling = false;
            rtt.push(Date.now() - now);
            if (wantWarm && !warm) warm = { stats: s, cpu: edge.cpuMicros(), node: cpuNow(), atMs: Date.now() };
            // The reply leaves the region as it is handled, after the bundles queued before the request: what was
            // sent by its arrival and not applied then is the region's backlog.
            const sentBy = feeder.sent.points;
            maxBacklogS = Math.max(maxBacklogS, (sentBy - s.points) / (o.drones * o.hz || 1));
            o.log(
              `    ${((now - t0) / 1000).toFixed(0)} s: sent ${sentBy}, applied ${s.points} (answered in ${Date.now() - now} ms); feeder ${feeder.sent.lateSlotsMs.toFixed(0)} ms late at worst`,
            );
          }),
        );
      }
      await sleep(2);
    }
    const sendEnd = Date.now();
    feeder.tick(sendEnd, false);
    await Promise.all(polls);
    // Drained: every point applied and every link's last batch acknowledged (acks of a quiet link ride the next tick).
    let s = await stats(o.region);
    while ((s.points < feeder.sent.points || feeder.unacked() > 0) && Date.now() < sendEnd + DRAIN_MS) {
      feeder.replies.poll(Date.now(), true);
      await sleep(250);
      s = await stats(o.region);
    }
    const drainMs = Date.now() - sendEnd;
    const cpu1 = edge.cpuMicros();
    const node1 = cpuNow();
    // From the end of the warm-up, or from the start when the region never answered in time.
    const w = (warm as { stats: RegionStats; cpu: number; node: number; atMs: number } | null) ?? atStart;
    const windowPoints = Math.max(1, s.points - w.stats.points);
    const missing: string[] = [];
    for (const p of fleet.pairs) {
      const a = fleet.ids[p.a]!;
      const b = fleet.ids[p.b]!;
      if (!feeder.replies.alertedAbout.get(a)?.has(b)) missing.push(`${a}→${b}`);
      if (!feeder.replies.alertedAbout.get(b)?.has(a)) missing.push(`${b}→${a}`);
    }
    const lag = feeder.replies.ackLagMs;
    const ages = await secondAges(edge.url, token, o.region, t0 + o.warmupS * 1000, sendEnd);
    const sentS = (sendEnd - t0) / 1000;
    const lost = feeder.sent.points - s.points;
    const r: LoadResult = {
      label,
      offeredPerS: o.drones * o.hz,
      sentPoints: feeder.sent.points,
      sentPerS: feeder.sent.points / sentS,
      applied: s.points,
      lost,
      duplicateBatches: s.duplicateBatches,
      badBatches: s.badBatches,
      regionMessagesPerS: (s.messages - s0.messages) / sentS,
      urgentBatches: feeder.sent.urgentBatches,
      ackLagP50: percentile(lag, 50),
      ackLagP99: percentile(lag, 99),
      ackLagMax: lag.reduce((m, x) => Math.max(m, x), 0),
      stalls: feeder.replies.stalls,
      maxAckGapMs: feeder.replies.maxAckGapMs,
      maxBacklogS,
      drainMs,
      unackedLinks: feeder.unacked(),
      closedSockets: feeder.closedDoors(),
      pairsAlerted: fleet.pairs.length - new Set(missing.map((m) => m.split("→").sort().join())).size,
      pairs: fleet.pairs.length,
      missing,
      alertFrames: feeder.replies.alertFrames,
      errors: feeder.replies.errors,
      lateSlotsMs: feeder.sent.lateSlotsMs,
      regionUsPerPoint: (cpu1 - w.cpu) / windowPoints,
      regionCoreShare: (cpu1 - w.cpu) / 1000 / Math.max(1, Date.now() - w.atMs),
      loadAvg: loadavg()[0]!,
      feederUsPerPoint: (node1 - w.node) / windowPoints,
      statsRttP50: percentile(rtt, 50),
      statsRttMax: rtt.reduce((m, x) => Math.max(m, x), 0),
      unpatched: feeder.unpatched(),
      shed: feeder.sent.shed,
      maxShedLevel: feeder.replies.maxShedLevel,
      ageP99Median: percentile(ages, 50),
      ageP99Max: ages.reduce((m, x) => Math.max(m, x), 0),
      // Pace: a backlog under a second, drained soon after the last send, and no report the region itself
      // counted as late (LATE_NOTICE_MS, 1 s after measurement: its BEHIND / STALE_ON_ARRIVAL notices).
      keepingPace: maxBacklogS <= 1 && drainMs <= 3000 && lost === 0 && lateReports(feeder.replies.errors) === 0,
    };
    return r;
  } finally {
    feeder.close();
  }
}

/** How long the run waits after its last send for the region to apply and acknowledge everything. */
const DRAIN_MS = 60_000;

/** A region's counters from its ops route (GET /v1/regions/<r>/stats), waited for however long it takes. */
async function regionStats(url: string, token: string, region: string, attempts = 3): Promise<RegionStats> {
  let r: Response;
  try {
    r = await fetch(`${url}/v1/regions/${region}/stats`, { headers: { Authorization: `Bearer ${token}`, Connection: "close" } });
  } catch (e) {
    if (attempts <= 1) throw e;
    await sleep(500);
    return regionStats(url, token, region, attempts - 1);
  }
  if (!r.ok) throw new Error(`GET /v1/regions/${region}/stats answered ${r.status}: ${await r.text()}`);
  return (await r.json()) as RegionStats;
}

/** The region's per-second p99 report age (measurement → applied) for the seconds in [fromMs, toMs]. */
async function secondAges(url: string, token: string, region: string, fromMs: number, toMs: number): Promise<number[]> {
  const r = await fetch(`${url}/v1/regions/${region}/metrics?since=${Math.floor(fromMs)}&limit=3600`, {
    headers: { Authorization: `Bearer ${token}`, Connection: "close" },
  });
  if (!r.ok) return [];
  const body = (await r.json()) as { metrics: { ts_ms: number; metrics: { delayP99Ms?: number | null } }[] };
  return body.metrics.filter((m) => m.ts_ms <= toMs && typeof m.metrics.delayP99Ms === "number").map((m) => m.metrics.delayP99Ms as number);
}

/** Reports the region told its links reached it late (its notices carry their count). */
export function lateReports(errors: Record<string, number>): number {
  return (errors.BEHIND ?? 0) + (errors.STALE_ON_ARRIVAL ?? 0);
}

function cpuNow(): number {
  const c = process.cpuUsage();
  return c.user + c.system;
}
