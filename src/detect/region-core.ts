/**
 * The region's pure core, composed for the Durable Object shell: drone table → grid → conflict
 * prediction → alert lifecycle + coordinated advisories → outputs per home link, plus the per-second
 * tick (liveness, stale clears, metrics). No Workers API: the shell turns runtime events into calls here.
 */
import type { Options } from "../config.js";
import type { ManoeuvreRates } from "./advisories.js";
import { AlertBook, type Encounter, type Transition } from "./alerts.js";
import { EncounterRestores } from "./encounter-restores.js";
import { ProximitySets } from "./proximity-sets.js";
import { emptyPrediction, type ConflictParams, type Prediction } from "./conflicts.js";
import { type DroneTable, F_DIRTY, STATUS_ACTIVE, type SweepLimits, sweepLimits } from "./drone-table.js";
import { RegionSpace } from "./region-space.js";
import { assignManoeuvres, pushAlerts, pushTrafficLost } from "./encounter-outputs.js";
import { LateNotices } from "./late-notices.js";
import { mayMeet, predictPair } from "./pair-kernel.js";
import { geohashGeometry, type RegionGeometry } from "./region-geometry.js";
import { type LinkTable, NO_LINK } from "./link-table.js";
import { PLANE_RADIUS_PAD } from "./grid.js";
import { MetricsWindow, type FleetMetrics } from "./metrics.js";
import type { TelemetryPoint } from "../wire/point.js";
import { evictedEvent, lowBatteryAdvisory, NO_OUTPUTS, type OpenEncounter, type OpsEvent, type RegionOutput, type RestoredAlert } from "./region-outputs.js";
import { ALERT_CLEAR_HOLD_MS } from "../tunables.js";

export type { AdvisoryOut, AlertOut, DroneSnapshot, OpenEncounter, OpsEvent, ProximityOut, RegionOutput, RestoredAlert, StaleOut } from "./region-outputs.js";
export type { FleetMetrics } from "./metrics.js";
export { geohashGeometry, type RegionGeometry } from "./region-geometry.js";

export class RegionCore {
  /** Where the drones are (table, grid, links): read by the shell for checkpoints, far verdicts, ops. */
  readonly space: RegionSpace;
  /** The space's table and link names, named directly: the hot path reads them on every point. */
  private readonly fleet: DroneTable;
  private readonly links: LinkTable;
  private readonly book: AlertBook;
  private readonly restores: EncounterRestores;
  private readonly proximity: ProximitySets;
  /** The second's accumulators; the shell adds what arrives beside the points (edge-side alert latencies). */
  readonly metrics: MetricsWindow;
  private readonly params: ConflictParams;
  /** Manoeuvre performance the advisories assume (options ADVISORY_CLIMB_RATE_MPS, ADVISORY_TURN_RATE_DPS). */
  private readonly rates: ManoeuvreRates;
  /** min(staleAfterMs, T): the contract's staleness and "lost drones predict for T at most", the stricter. */
  private readonly staleLimitMs: number;
  private readonly limits: SweepLimits;
  private readonly out: RegionOutput[] = [];
  private readonly events: OpsEvent[] = [];
  private readonly evicted: string[] = [];
  /** Per home link, the points that arrived late since the last tick (one notice each per tick). */
  private readonly late = new LateNotices();
  /** Hot-path scratch, reused: one prediction. */
  private readonly pred: Prediction = emptyPrediction();
  /** Gateway receive time of the point being applied (0: unknown): an encounter it starts carries it. */
  private receivedMs = 0;

  constructor(
    readonly regionKey: string,
    private readonly opts: Options,
    alertIdPrefix: string,
    geometry?: RegionGeometry,
  ) {
    this.book = new AlertBook(alertIdPrefix);
    this.metrics = new MetricsWindow(0);
    this.rates = { climbRateMps: opts.advisoryClimbRateMps, turnRateDps: opts.advisoryTurnRateDps };
    this.params = { radiusM: opts.conflictRadiusM, heightM: opts.conflictHeightM, lookaheadS: opts.lookaheadS, warningTimeS: opts.warningTimeS };
    this.staleLimitMs = Math.min(opts.staleAfterMs, opts.lookaheadS * 1000);
    this.limits = sweepLimits(opts, this.staleLimitMs);
    this.space = new RegionSpace(geometry ?? geohashGeometry(regionKey));
    this.fleet = this.space.fleet;
    this.links = this.space.links;
    this.restores = new EncounterRestores(this.book, this.fleet);
    this.proximity = new ProximitySets(this.fleet, this.links);
  }

  /**
   * One batch of a link, all or nothing: what can refuse it (a full link table) is asked before any change;
   * `received`: when the gateway received each point, if known (an encounter a point starts carries it). */
  applyPoints(linkId: string, points: TelemetryPoint[], ghost: Uint8Array, counters: ArrayLike<number>, nowMs: number, received?: ArrayLike<number>): void {
    const f = this.fleet;
    const link = ghost.includes(0) || ghost.length < points.length ? this.links.intern(linkId) : -1;
    this.metrics.addCounters(counters);
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      this.receivedMs = received !== undefined ? received[i]! : 0;
      const g = ghost[i] === 1;
      let s = f.slotOf(p.droneId);
      if (s >= 0 && p.timeMs <= f.timeMs[s]!) {
        // Older or repeated: no new state. A home copy of a point seen as a ghost still takes the drone home.
        if (!g && f.ghost[s] === 1 && p.timeMs === f.timeMs[s]) {
          this.takeHome(s, link);
        } else if (!g) this.metrics.ignoredStale++;
        continue;
      }
      const added = s < 0;
      if (added) {
        s = f.add(p.droneId);
        f.ghost[s] = 1; // until takeHome below
      }
      f.write(s, p, nowMs);
      if (added) this.restores.arrived(p.droneId, nowMs);
      if (!g) {
        this.takeHome(s, link);
        if (f.markActive(s)) this.events.push({ type: "recovered", droneId: p.droneId, atMs: nowMs });
        if (f.updateBattery(s, p.battery, this.opts.lowBatteryPct)) {
          this.out.push(lowBatteryAdvisory(this.links.name(link), p, this.opts.lowBatteryPct));
          this.events.push({ type: "low_battery", droneId: p.droneId, atMs: nowMs });
        }
        this.metrics.applied++;
        const age = nowMs - p.timeMs;
        this.metrics.delay.record(age);
        if (age > this.opts.lateNoticeMs) this.late.record(link, (l) => this.links.name(l), p.droneId, age, age > this.staleLimitMs);
      } else if (f.ghost[s] === 0) {
        // Its home moved to a neighbour: prediction only from now on (it keeps its last link for clears).
        this.proximity.set(s, false);
        f.ghost[s] = 1;
        f.status[s] = STATUS_ACTIVE;
      }
      this.space.place(s);
      this.evaluate(s, nowMs);
    }
    this.proximity.flush(this.out);
  }

  /** What the last calls produced, for the shell to send; the core keeps none of it. Most batches produce nothing: no array then. */
  drain(): readonly RegionOutput[] {
    return this.out.length === 0 ? NO_OUTPUTS : this.out.splice(0);
  }

  tick(nowMs: number): { metrics: FleetMetrics; events: OpsEvent[] } {
    const f = this.fleet;
    this.restores.expire(nowMs);
    for (const e of [...this.book.all()]) {
      if (!this.pairUsable(e, nowMs)) this.trafficLost(e, nowMs);
      else if (nowMs - e.clearSinceMs >= ALERT_CLEAR_HOLD_MS) this.endEncounter(e);
    }
    const lostBuf = new Int32Array(f.highWater);
    const evictBuf = new Int32Array(f.highWater);
    const sw = f.sweep(nowMs, this.limits, (s) => this.book.of(s) !== undefined, lostBuf, evictBuf);
    for (let i = 0; i < sw.lost; i++) {
      const s = lostBuf[i]!;
      this.events.push({ type: "lost", droneId: f.ids[s]!, atMs: nowMs });
      this.metrics.lostDrones++;
      this.proximity.set(s, false);
    }
    for (let i = 0; i < sw.evict; i++) this.evict(evictBuf[i]!, nowMs);
    this.space.tightenBounds((s) => this.usable(s, nowMs));
    for (const n of this.late.take()) this.out.push(this.metrics.late(n));
    ({ started: this.metrics.alertsStarted, cleared: this.metrics.alertsCleared } = this.book.takeCounts());
    const { plane, areaKm2 } = this.space;
    const metrics = this.metrics.snapshot({ fleet: f, plane, areaKm2, lowBatteryPct: this.opts.lowBatteryPct, conflicts: this.book.countByLevel() }, nowMs);
    this.proximity.flush(this.out);
    this.links.collect();
    return { metrics, events: this.events.splice(0) };
  }

  /** Drones evicted since the last call (to delete from the checkpoint), then forgets them. */
  evictedDrones(): string[] {
    return this.evicted.splice(0);
  }

  /** After a restart (and `restore`): re-opens the encounters alerted and never cleared (EncounterRestores). */
  restoreAlerts(alerts: RestoredAlert[], nowMs: number): number {
    return this.restores.restore(alerts, nowMs);
  }

  activeAlerts(): number {
    return this.book.size;
  }

  /** The open encounters with their latest prediction, for the ops view (src/detect/ops-snapshot.ts). */
  encounters(): OpenEncounter[] {
    return this.book.open();
  }

  /** Predicts `a` against every candidate (RegionSpace.candidateRadius) that survives the cheap per-pair bounds. */
  private evaluate(a: number, nowMs: number): void {
    const f = this.fleet;
    const space = this.space;
    const R = this.params.radiusM;
    const H = this.params.heightM;
    const T = this.params.lookaheadS;
    const r = space.candidateRadius(a, R, T, this.staleLimitMs);
    const n = space.near(a, r);
    const cand = space.cand;
    const candD2 = space.candD2;
    const x = space.grid.x[a]!;
    const y = space.grid.y[a]!;
    const aGhost = f.ghost[a] === 1;
    const pairs = this.book.of(a);
    const tA = f.timeMs[a]!;
    const altA = f.altM[a]!;
    const vuA = Math.abs(f.vu[a]!);
    const spA = f.speed[a]!;
    let nn2 = Infinity;
    const near2 = 4 * R * R;
    for (let i = 0; i < n; i++) {
      const b = cand[i]!;
      const d2 = candD2[i]!;
      if (d2 < nn2) nn2 = d2;
      if (d2 < near2 && f.ghost[b] === 0) this.proximity.set(b, true);
      // Cheapest rejections first: the pair's own reach, horizontal then vertical, then membership.
      const dtS = Math.abs(tA - f.timeMs[b]!) / 1000;
      const reachPair = (R + (spA + f.speed[b]!) * (T + dtS)) * PLANE_RADIUS_PAD;
      if (d2 > reachPair * reachPair) continue;
      if (Math.abs(altA - f.altM[b]!) >= H + (vuA + Math.abs(f.vu[b]!)) * (T + dtS)) continue;
      if (aGhost && f.ghost[b] === 1) continue; // two ghosts: their home regions handle them
      if (!this.usable(b, nowMs) || dtS * 1000 > this.staleLimitMs) continue; // the contract: never propagate a state older than the limit
      if (pairs !== undefined && this.book.get(a, b) !== undefined) continue; // below
      if (!mayMeet(f, space.grid, this.params, a, b, x, y, d2)) continue;
      const pr = predictPair(f, this.params, a, b, this.pred);
      if (pr.conflict) this.onPrediction(a, b, pr, nowMs);
    }
    const nn = Math.sqrt(nn2);
    f.nearestM[a] = nn < r ? nn / PLANE_RADIUS_PAD : r / PLANE_RADIUS_PAD;
    if (pairs !== undefined) {
      for (const e of [...pairs]) {
        const b = e.slotLo === a ? e.slotHi : e.slotLo;
        if (!this.pairUsable(e, nowMs)) this.trafficLost(e, nowMs);
        else this.onPrediction(a, b, predictPair(f, this.params, a, b, this.pred), nowMs);
      }
    }
    if (!aGhost) this.proximity.set(a, nn2 < near2 || this.book.of(a) !== undefined);
  }

  private onPrediction(a: number, b: number, pr: Prediction, nowMs: number): void {
    const f = this.fleet;
    const r = this.book.observe(a, f.ids[a]!, b, f.ids[b]!, pr, nowMs);
    if (!r) {
      // A side that joined the encounter late (it was a ghost here, or had no link, when it started)
      // hears about it now, not at the next refresh: a second of silence is too long.
      const e = pr.conflict ? this.book.get(a, b) : undefined;
      if (e && (!e.sentLo || !e.sentHi)) this.emit(e, "start", true);
      return;
    }
    if (r.t === "start") {
      r.e.edgeReceivedMs = this.receivedMs;
      assignManoeuvres(r.e, f, a, b, pr, this.params, this.rates);
      this.proximity.set(a, true);
      this.proximity.set(b, true);
    }
    this.emit(r.e, r.t);
  }

  /** Both drones of the pair report, within the stale limit of now and of each other (the contract). */
  private pairUsable(e: Encounter, nowMs: number): boolean {
    const f = this.fleet;
    return this.usable(e.slotLo, nowMs) && this.usable(e.slotHi, nowMs) && Math.abs(f.timeMs[e.slotLo]! - f.timeMs[e.slotHi]!) <= this.staleLimitMs;
  }

  /** A drone of the pair went silent: its partner is told once; the encounter stays open (AlertBook.markLost). */
  private trafficLost(e: Encounter, nowMs: number): void {
    if (this.book.markLost(e, nowMs)) pushTrafficLost(this.out, e, this.fleet, this.links, (s) => this.usable(s, nowMs), nowMs);
  }

  private endEncounter(e: Encounter): void {
    this.book.end(e);
    this.emit(e, "clear");
  }

  private emit(e: Encounter, t: Transition, unsentOnly = false): void {
    pushAlerts(this.out, e, t, this.fleet, this.links, unsentOnly);
  }

  private usable(s: number, nowMs: number): boolean {
    return this.fleet.usable(s, nowMs, this.staleLimitMs);
  }

  /** The drone is (now) carried by `link` as a home drone. */
  private takeHome(s: number, link: number): void {
    const f = this.fleet;
    const wasGhost = f.ghost[s] === 1;
    if (!wasGhost && f.link[s] === link) return;
    const near = this.proximity.has(s);
    if (near) this.proximity.set(s, false);
    if (f.link[s] !== NO_LINK) this.links.ref(f.link[s]!, -1);
    if (wasGhost && f.link[s] === NO_LINK) this.metrics.newDrones++;
    f.link[s] = link;
    this.links.ref(link, 1);
    f.ghost[s] = 0;
    f.flags[s]! |= F_DIRTY;
    if (near) this.proximity.set(s, true);
    // Its alerts went to its old link (or nowhere, as a ghost): the next evaluation re-sends them here.
    for (const e of this.book.of(s) ?? []) {
      if (e.slotLo === s) e.sentLo = false;
      else e.sentHi = false;
    }
  }

  private evict(s: number, nowMs: number): void {
    const f = this.fleet;
    const pairs = this.book.of(s);
    if (pairs) for (const e of [...pairs]) this.endEncounter(e);
    this.proximity.set(s, false);
    if (f.ghost[s] === 0) this.events.push(evictedEvent(f, s, nowMs));
    this.evicted.push(f.ids[s]!);
    if (f.link[s] !== NO_LINK) this.links.ref(f.link[s]!, -1);
    this.space.grid.remove(s);
    f.remove(s);
  }
}
