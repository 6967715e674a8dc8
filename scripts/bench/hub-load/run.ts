/**
 * One lone-region run: a cold edge from the bench config (its workerd runs the region and nothing else
 * that does work), the fleet fed through hub-like sockets (or relay links) for `seconds`, then drained.
 * Region CPU per point is the workerd process's CPU (/proc) from the end of the warm-up to the end of
 * the drain, over the points the region applied in that time.
 */
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { mintToken } from "../../../src/client/token.js";
import type { Edge } from "../edge.js";
import { sleep } from "../processes.js";
import type { RegionStats } from "../region-stats.js";
import { percentile } from "../stats.js";
import { type AlertLatency, type AlertSample, alertLatency, settledAfterS } from "./alert-latency.js";
import { type FeedShape, Feeder } from "./feeder.js";
import { type RegionSecond, regionSeconds, regionStats } from "./region-api.js";
import { LoadFleet, PAIR_LEAD_S } from "./fleet.js";
import { type StallProbe, type StallSummary, startStallProbe } from "./stall-probe.js";

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
  /** Probe the region's thread for stalls (stall-probe.ts; needs the edge's inspector). */
  probeStalls?: boolean;
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
  /** Messages the region sent back (acks, alerts, proximity sets, controls; a hub's envelope counts once). */
  regionMessagesOutPerS: number;
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
  /**
   * The feeder's own event-loop delay while sending, p99 and max, ms: a blocked loop stamps the alerts it
   * reads late, so edge-side latency above this is the edge's, and at most this much of it may be the feeder's.
   */
  feederLoopP99Ms: number;
  feederLoopMaxMs: number;
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
  /** Edge-side alert latency samples (alert-latency.ts), and their summary split where this run's shed level settled. */
  alerts: AlertSample[];
  alertLatency: AlertLatency;
  /** The region's own one-second metrics over the run. */
  seconds: RegionSecond[];
  /** The shed level's course as the feeder's sessions heard it: seconds after the start, level. */
  shedLevels: { atS: number; level: number }[];
  /** Seconds after the start each staged pair's encounter is planned to start (PAIR_LEAD_S before they meet). */
  pairStartsS: number[];
  /** Reports of staged drones held back (feeder.ts stagedShed). */
  stagedShed: { closing: number; parting: number; conflict: number; far: number; maxPerDrone: number };
  /** workerd RSS at the end of the warm-up, half-way through the sending, its peak over the run, and after the drain, MiB (memory that is bounded has mid ≈ end). */
  rssWarmMiB: number;
  rssMidMiB: number;
  rssPeakMiB: number;
  rssEndMiB: number;
  /** The region's thread busy with one event or a GC pause, probed from the end of the warm-up to the last send (null: no inspector). */
  regionStalls: StallSummary | null;
}

export async function runRegionLoad(edge: Edge, secret: string, o: LoadOptions): Promise<LoadResult> {
  const fleet = new LoadFleet(o.region, o.drones, {
    pairs: o.pairs,
    // Encounters start evenly from 1 s into the run to PAIR_LEAD_S before its end (each pair meets within it):
    // the shed level's climb and its steady state both see new encounters.
    firstMeetMs: (1 + PAIR_LEAD_S) * 1000,
    lastMeetMs: Math.max((1 + PAIR_LEAD_S) * 1000, (o.seconds - 0.5) * 1000),
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
    const out0 = feeder.messagesFromRegion();
    const atStart = { stats: s0, cpu: edge.cpuMicros(), node: cpuNow(), atMs: t0 };
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    feeder.start(t0);
    let warm: { stats: RegionStats; cpu: number; node: number; atMs: number } | null = null;
    let maxBacklogS = 0;
    let rssPeak = edge.rssBytes();
    let rssWarm = 0;
    let rssMid = 0;
    let nextRss = t0;
    let nextPoll = t0 + 1000;
    let nextStallCheck = t0;
    const polls: Promise<void>[] = [];
    const rtt: number[] = [];
    let polling = false;
    let probe: Promise<StallProbe> | null = null;
    while (Date.now() < t0 + o.seconds * 1000) {
      const now = Date.now();
      feeder.tick(now, true);
      if (probe === null && o.probeStalls === true && edge.inspectorPort > 0 && now >= t0 + o.warmupS * 1000) probe = startStallProbe(edge.inspectorPort);
      if (now >= nextRss) {
        const rss = edge.rssBytes();
        rssPeak = Math.max(rssPeak, rss);
        if (rssWarm === 0 && now >= t0 + o.warmupS * 1000) rssWarm = rss;
        if (rssMid === 0 && now >= t0 + (o.seconds * 1000) / 2) rssMid = rss;
        nextRss = now + 250;
      }
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
    const out1 = feeder.messagesFromRegion();
    const regionStalls = probe === null ? null : await (await probe).stop();
    loop.disable();
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
    const rssEnd = edge.rssBytes();
    rssPeak = Math.max(rssPeak, rssEnd);
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
    const partner = new Map(fleet.pairs.flatMap((p) => [[fleet.ids[p.a]!, fleet.ids[p.b]!] as const, [fleet.ids[p.b]!, fleet.ids[p.a]!] as const]));
    const alerts = feeder.replies.firstAlerts.map(
      (a): AlertSample => ({ startedS: (a.startedMs - t0) / 1000, latencyMs: a.latencyMs, staged: partner.get(a.drone) === a.other }),
    );
    const seconds = await regionSeconds(edge.url, token, o.region, t0, sendEnd);
    const ages = seconds.filter((x) => x.atS >= o.warmupS && Number.isFinite(x.ageP99Ms)).map((x) => x.ageP99Ms);
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
      regionMessagesOutPerS: (out1 - out0) / sentS,
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
      feederLoopP99Ms: loop.percentile(99) / 1e6,
      feederLoopMaxMs: loop.max / 1e6,
      statsRttP50: percentile(rtt, 50),
      statsRttMax: rtt.reduce((m, x) => Math.max(m, x), 0),
      unpatched: feeder.unpatched(),
      shed: feeder.sent.shed,
      maxShedLevel: feeder.replies.maxShedLevel,
      ageP99Median: percentile(ages, 50),
      ageP99Max: ages.reduce((m, x) => Math.max(m, x), 0),
      alerts,
      alertLatency: alertLatency(alerts, settledAfterS(feeder.replies.shedLevels, t0)),
      seconds,
      shedLevels: feeder.replies.shedLevels.map((l) => ({ atS: (l.atMs - t0) / 1000, level: l.level })),
      pairStartsS: fleet.pairs.map((p) => p.meetMs / 1000 - PAIR_LEAD_S),
      stagedShed: feeder.stagedShed,
      rssWarmMiB: rssWarm / 2 ** 20,
      rssMidMiB: rssMid / 2 ** 20,
      rssPeakMiB: rssPeak / 2 ** 20,
      rssEndMiB: rssEnd / 2 ** 20,
      regionStalls,
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

/** Reports the region told its links reached it late (its notices carry their count). */
export function lateReports(errors: Record<string, number>): number {
  return (errors.BEHIND ?? 0) + (errors.STALE_ON_ARRIVAL ?? 0);
}

function cpuNow(): number {
  const c = process.cpuUsage();
  return c.user + c.system;
}
