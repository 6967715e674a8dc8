/**
 * One-second fleet metrics arithmetic: per-second accumulators fed by region-core, and a snapshot over
 * the drone table at each tick. Ghosts never count. Bounded memory: fixed histogram, reused buffers.
 */
import { COUNTER_INDEX, COUNTER_NAMES } from "../wire/counters.js";
import { type DroneTable, F_IN_USE, STATUS_ACTIVE } from "./drone-table.js";
import type { LocalPlane } from "./grid.js";
import { HEATMAP_CELL_M, HEATMAP_TOP, REGION_TICK_MS } from "../tunables.js";
import { DelayHistogram } from "./delay-histogram.js";
import { OverloadGauge } from "./overload-gauge.js";
import type { StaleOut } from "./region-outputs.js";

export { DelayHistogram } from "./delay-histogram.js";

/** One congestion cell: key `${cx},${cy}` in HEATMAP_CELL_M steps from the region's plane origin. */
export interface HeatCell {
  cellKey: string;
  /** Cell centre, WGS84 degrees. */
  lat: number;
  lon: number;
  /** Active home drones in the cell. */
  count: number;
}

export interface FleetMetrics {
  /** Wall clock of the tick, and the length of the window it covers, ms. */
  atMs: number;
  windowMs: number;
  /** Home drones currently active (not lost). */
  active: number;
  /** Home drones first seen in this window. */
  new: number;
  /** Home drones that became lost in this window. */
  lost: number;
  /** Gateway counter deltas summed over the window (counters.ts). */
  received: number;
  accepted: number;
  rejected: number;
  rateLimited: number;
  dedupedNear: number;
  dedupedRepeat: number;
  dedupedStale: number;
  /** dedupedNear + dedupedRepeat + dedupedStale. */
  deduped: number;
  /** Points in batches (home and ghost), re-sent after a reconnect, lost upstream when a resend buffer overflowed, refused as another drone's, and sent here as ghosts. */
  batched: number;
  resent: number;
  droppedOverflow: number;
  wrongDrone: number;
  ghostsSent: number;
  /** Points dropped at the gateway as over their fleet's quota, and claims the fleet's quota object left unanswered (fail open). */
  overQuota: number;
  quotaUnchecked: number;
  /**
   * Home points that reached this region already older than the stale limit (measurement → arrival):
   * the edge is behind, and conflicts of those drones cannot be predicted until fresher points come.
   * Each such point also earns its link a notice (at most one per link per tick).
   */
  staleOnArrival: number;
  /** Home points that reached this region later than LATE_NOTICE_MS after measurement (the stale ones included). */
  lateOnArrival: number;
  /** Home points applied to the table here, and home points ignored as older than the drone's state or stale. */
  applied: number;
  ignoredStale: number;
  /** Battery over active home drones reporting one: mean and min percent (NaN when none), count under the low threshold. */
  batteryMeanPct: number;
  batteryMinPct: number;
  lowBattery: number;
  /** Ground speed over active home drones, m/s (0 when none). */
  speedMeanMps: number;
  speedMaxMps: number;
  /** Active home drones per km² of the region's area (0 when the area is unknown). */
  densityPerKm2: number;
  /** Busiest HEATMAP_CELL_M cells, at most HEATMAP_TOP, count descending. */
  heatmap: HeatCell[];
  /** Active encounters by level last sent. */
  conflictsCaution: number;
  conflictsWarning: number;
  /** Encounters started and cleared in this window. */
  alertsStarted: number;
  alertsCleared: number;
  /** Measurement → handling delay over home points of the window, ms (upper bucket edge, ≤ 9 % high); NaN when none. */
  delayP50Ms: number;
  delayP99Ms: number;
  /**
   * Edge-side alert latency, ms: gateway receive of the report that started an encounter → that alert
   * sent by each drone's gateway session. Samples reach the region with the session's next batch, so a
   * window holds the alerts sent roughly in the second before it. Upper bucket edge (≤ 9 % high); NaN when none.
   */
  alertLatencyP50Ms: number;
  alertLatencyP99Ms: number;
  alertLatencySamples: number;
  /** Points held back at the gateways for this region while it shed load (src/ingest/load-shed.ts). */
  shed: number;
  /** The region's shed level from this tick on (0: keeps pace), and the window's p90 batch wait, gateway flush → applied, ms (NaN: no batch). */
  shedLevel: number;
  batchWaitP90Ms: number;
}

/** What the snapshot needs besides the table. */
export interface MetricsContext {
  fleet: DroneTable;
  /** The region's plane (null before the first point: no heatmap). */
  plane: LocalPlane | null;
  areaKm2: number;
  lowBatteryPct: number;
  /** Open encounters by the level last sent. */
  conflicts: { caution: number; warning: number };
}

export class MetricsWindow {
  readonly counters = new Float64Array(COUNTER_NAMES.length);
  readonly delay = new DelayHistogram();
  readonly alertLatency = new DelayHistogram();
  /** The same samples since the region started, never reset: the ops stats and the benchmark read it. */
  readonly alertLatencyAll = new DelayHistogram();
  /** How long live batches waited before they were applied: whether the region keeps pace (overload-gauge.ts). */
  readonly overload = new OverloadGauge();
  newDrones = 0;
  lostDrones = 0;
  applied = 0;
  ignoredStale = 0;
  staleOnArrival = 0;
  lateOnArrival = 0;
  alertsStarted = 0;
  alertsCleared = 0;
  private startMs: number;
  private cells = new Float64Array(1024);

  /** `startMs` 0: unknown (a region core just built); its first window counts as one tick long. */
  constructor(startMs: number) {
    this.startMs = startMs;
  }

  /** Edge-side alert latencies a gateway session measured (FleetMetrics.alertLatencyP50Ms); NaN or negative ones are no samples. */
  recordAlertLatencies(ms: ArrayLike<number>): void {
    for (let i = 0; i < ms.length; i++) {
      if (!(ms[i]! >= 0)) continue;
      this.alertLatency.record(ms[i]!);
      this.alertLatencyAll.record(ms[i]!);
    }
  }

  /** Edge-side alert latency since this window's owner started (FleetMetrics has it per second): samples, p50 and p99 ms, and the bucket counts, so a reader takes quantiles over an interval. */
  alertLatencyStats(): { alertLatencySamples: number; alertLatencyP50Ms: number; alertLatencyP99Ms: number; alertLatencyBuckets: number[] } {
    const h = this.alertLatencyAll;
    return { alertLatencySamples: h.total, alertLatencyP50Ms: h.quantile(0.5), alertLatencyP99Ms: h.quantile(0.99), alertLatencyBuckets: Array.from(h.counts) };
  }

  /** A link's late-arrival notice of the second, counted here; the notice is returned for sending. */
  late(n: StaleOut): StaleOut {
    this.lateOnArrival += n.points;
    this.staleOnArrival += n.stale;
    return n;
  }

  addCounters(delta: ArrayLike<number>): void {
    const n = Math.min(this.counters.length, delta.length);
    for (let i = 0; i < n; i++) this.counters[i]! += delta[i]!;
  }

  /** Closes the window at `nowMs`: figures over the table now plus the window's accumulators, then resets them. */
  snapshot(ctx: MetricsContext, nowMs: number): FleetMetrics {
    const f = ctx.fleet;
    let active = 0;
    let batSum = 0;
    let batN = 0;
    let batMin = Infinity;
    let low = 0;
    let spdSum = 0;
    let spdMax = 0;
    if (this.cells.length < f.capacity) this.cells = new Float64Array(f.capacity);
    let nCells = 0;
    for (let s = 0; s < f.highWater; s++) {
      if ((f.flags[s]! & F_IN_USE) === 0 || f.ghost[s] === 1 || f.status[s] !== STATUS_ACTIVE) continue;
      active++;
      const b = f.battery[s]!;
      if (b >= 0) {
        batSum += b;
        batN++;
        if (b < batMin) batMin = b;
        if (b < ctx.lowBatteryPct) low++;
      }
      const v = f.speed[s]!;
      spdSum += v;
      if (v > spdMax) spdMax = v;
      if (ctx.plane) this.cells[nCells++] = cellKey(ctx.plane.x(f.lon[s]!), ctx.plane.y(f.lat[s]!));
    }
    const c = this.counters;
    const dNear = c[COUNTER_INDEX.dedupedNear]!;
    const dRepeat = c[COUNTER_INDEX.dedupedRepeat]!;
    const dStale = c[COUNTER_INDEX.dedupedStale]!;
    const shed = this.overload.tick();
    const m: FleetMetrics = {
      atMs: nowMs,
      // Not "since 1970": a first window of that length made every rate of a region's first row 0.
      windowMs: this.startMs > 0 ? nowMs - this.startMs : REGION_TICK_MS,
      active,
      new: this.newDrones,
      lost: this.lostDrones,
      received: c[COUNTER_INDEX.received]!,
      accepted: c[COUNTER_INDEX.accepted]!,
      rejected: c[COUNTER_INDEX.rejected]!,
      rateLimited: c[COUNTER_INDEX.rateLimited]!,
      dedupedNear: dNear,
      dedupedRepeat: dRepeat,
      dedupedStale: dStale,
      deduped: dNear + dRepeat + dStale,
      batched: c[COUNTER_INDEX.batched]!,
      resent: c[COUNTER_INDEX.resent]!,
      droppedOverflow: c[COUNTER_INDEX.droppedOverflow]!,
      wrongDrone: c[COUNTER_INDEX.wrongDrone]!,
      ghostsSent: c[COUNTER_INDEX.ghostsSent]!,
      overQuota: c[COUNTER_INDEX.overQuota]!,
      quotaUnchecked: c[COUNTER_INDEX.quotaUnchecked]!,
      staleOnArrival: this.staleOnArrival,
      lateOnArrival: this.lateOnArrival,
      applied: this.applied,
      ignoredStale: this.ignoredStale,
      batteryMeanPct: batN > 0 ? batSum / batN : NaN,
      batteryMinPct: batN > 0 ? batMin : NaN,
      lowBattery: low,
      speedMeanMps: active > 0 ? spdSum / active : 0,
      speedMaxMps: spdMax,
      densityPerKm2: ctx.areaKm2 > 0 ? active / ctx.areaKm2 : 0,
      heatmap: ctx.plane ? topCells(this.cells.subarray(0, nCells), ctx.plane) : [],
      conflictsCaution: ctx.conflicts.caution,
      conflictsWarning: ctx.conflicts.warning,
      alertsStarted: this.alertsStarted,
      alertsCleared: this.alertsCleared,
      delayP50Ms: this.delay.quantile(0.5),
      delayP99Ms: this.delay.quantile(0.99),
      alertLatencyP50Ms: this.alertLatency.quantile(0.5),
      alertLatencyP99Ms: this.alertLatency.quantile(0.99),
      alertLatencySamples: this.alertLatency.total,
      shed: c[COUNTER_INDEX.shed]!,
      shedLevel: shed.level,
      batchWaitP90Ms: shed.p90Ms,
    };
    this.counters.fill(0);
    this.delay.reset();
    this.alertLatency.reset();
    this.newDrones =
      this.lostDrones =
      this.applied =
      this.ignoredStale =
      this.staleOnArrival =
      this.lateOnArrival =
      this.alertsStarted =
      this.alertsCleared =
        0;
    this.startMs = nowMs;
    return m;
  }
}

// Cell indices are offset so the key is a non-negative integer: ±2^20 cells of 100 m is ±100,000 km.
const CELL_OFFSET = 2 ** 20;
const CELL_SPAN = 2 ** 21;

function cellKey(x: number, y: number): number {
  const cx = Math.floor(x / HEATMAP_CELL_M) + CELL_OFFSET;
  const cy = Math.floor(y / HEATMAP_CELL_M) + CELL_OFFSET;
  return cx * CELL_SPAN + cy;
}

/**
 * The HEATMAP_TOP most populated cells. Sorting the keys in place (typed-array sort, no Map) turns
 * counting into run lengths; ties in count go to the smaller key, so the output is deterministic.
 */
export function topCells(keys: Float64Array, plane: LocalPlane): HeatCell[] {
  keys.sort();
  const topKey: number[] = [];
  const topN: number[] = [];
  let i = 0;
  while (i < keys.length) {
    const k = keys[i]!;
    let j = i + 1;
    while (j < keys.length && keys[j] === k) j++;
    const n = j - i;
    if (topN.length < HEATMAP_TOP || n > topN[topN.length - 1]!) {
      let at = topN.length;
      while (at > 0 && topN[at - 1]! < n) at--;
      topKey.splice(at, 0, k);
      topN.splice(at, 0, n);
      if (topN.length > HEATMAP_TOP) {
        topKey.pop();
        topN.pop();
      }
    }
    i = j;
  }
  return topKey.map((k, idx) => {
    const cx = Math.floor(k / CELL_SPAN) - CELL_OFFSET;
    const cy = (k % CELL_SPAN) - CELL_OFFSET;
    return {
      cellKey: `${cx},${cy}`,
      lat: plane.lat((cy + 0.5) * HEATMAP_CELL_M),
      lon: plane.lon((cx + 0.5) * HEATMAP_CELL_M),
      count: topN[idx]!,
    };
  });
}
