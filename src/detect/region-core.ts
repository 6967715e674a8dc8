/**
 * The region's pure core, composed for the Durable Object shell: drone table → grid → conflict
 * prediction → alert lifecycle + coordinated advisories → outputs per home link, plus the per-second
 * tick (liveness, stale clears, metrics). No Workers API: the shell turns runtime events into calls here.
 */
import type { Options } from "../config.js";
import { enuOffsetTrig } from "../geo/enu.js";
import { chooseAdvisories, type ManoeuvreRates } from "./advisories.js";
import { ALERT_CLEAR_HOLD_MS, AlertBook, type Encounter, type Transition } from "./alerts.js";
import { PendingRestores } from "./pending-restores.js";
import { emptyPrediction, predictRelative, type ConflictParams, type Prediction } from "./conflicts.js";
import { DroneTable, F_DIRTY, F_LOW_BATTERY_SENT, F_PROXIMITY, STATUS_ACTIVE, STATUS_LOST } from "./drone-table.js";
import { LinkTable, NO_LINK } from "./link-table.js";
import { LocalPlane, PLANE_RADIUS_PAD, SpatialGrid } from "./grid.js";
import { MetricsWindow, type FleetMetrics } from "./metrics.js";
import type { TelemetryPoint } from "../wire/point.js";
import type { DroneSnapshot, OpenEncounter, OpsEvent, RegionOutput, RestoredAlert, StaleOut } from "./region-outputs.js";
import { regionAreaKm2, regionCenter } from "../geo/regions.js";

/** Grid cell side, m: about half the usual candidate radius (R + speeds × (T + lag) ≈ 150-300 m). Default: 128 */
export const REGION_GRID_CELL_M = 128;

/**
 * How long a restored encounter waits for its drones to come back after a restart: longer than a
 * gateway takes to reconnect (backoff) and replay what the region had not acknowledged. Default: 30 s
 */
export const RESTORE_WAIT_MS = 30_000;

export type { AdvisoryOut, AlertOut, DroneSnapshot, OpenEncounter, OpsEvent, ProximityOut, RegionOutput, RestoredAlert, StaleOut } from "./region-outputs.js";
export type { FleetMetrics } from "./metrics.js";

/** Where the region is, when the key is not a geohash or the shell knows better. */
export interface RegionGeometry {
  originLat: number;
  originLon: number;
  areaKm2: number;
}

export class RegionCore {
  private readonly fleet = new DroneTable();
  private readonly grid = new SpatialGrid(REGION_GRID_CELL_M);
  private readonly book: AlertBook;
  /** Restored encounters waiting for a drone that is not back yet; kept for the gateways' replay to arrive. */
  private readonly restores = new PendingRestores(RESTORE_WAIT_MS);
  private readonly links = new LinkTable();
  private readonly metrics: MetricsWindow;
  private readonly params: ConflictParams;
  /** Manoeuvre performance the advisories assume (options ADVISORY_CLIMB_RATE_MPS, ADVISORY_TURN_RATE_DPS). */
  private readonly rates: ManoeuvreRates;
  /** min(staleAfterMs, T): the contract's staleness and "lost drones predict for T at most", the stricter. */
  private readonly staleLimitMs: number;
  private plane: LocalPlane | null = null;
  private readonly areaKm2: number;
  private out: RegionOutput[] = [];
  private events: OpsEvent[] = [];
  private evicted: string[] = [];
  /** Per home link, the points that arrived late since the last tick (one notice each per tick). */
  private lateByLink = new Map<number, StaleOut>();
  /** Newest measurement seen (the staleness reference), and a lower bound on usable measurement times. */
  private newestTimeMs = -Infinity;
  private oldestTimeMs = Infinity;
  /** An upper bound on the ground speed of any drone in the grid (recomputed each tick, raised on arrival). */
  private maxSpeed = 0;
  private startedSeen = 0;
  private clearedSeen = 0;
  // Hot-path scratch, reused: candidate buffers, one prediction, one ENU offset.
  private cand = new Int32Array(1024);
  private candD2 = new Float64Array(1024);
  private readonly pred: Prediction = emptyPrediction();
  private readonly enu = new Float64Array(2);

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
    const g = geometry ?? geohashGeometry(regionKey);
    this.areaKm2 = g?.areaKm2 ?? 0;
    if (g) this.plane = new LocalPlane(g.originLat, g.originLon);
    this.fleet.onGrow = (cap) => this.grid.ensureCapacity(cap);
    this.grid.ensureCapacity(this.fleet.capacity);
  }

  applyPoints(linkId: string, points: TelemetryPoint[], ghost: Uint8Array, counters: Float64Array, nowMs: number): void {
    this.metrics.addCounters(counters);
    const f = this.fleet;
    let link = -1; // resolved on the first home point
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      const g = ghost[i] === 1;
      let s = f.slotOf(p.droneId);
      if (s >= 0 && p.timeMs <= f.timeMs[s]!) {
        // Older or repeated: no new state. A home copy of a point seen as a ghost still takes the drone home.
        if (!g && f.ghost[s] === 1 && p.timeMs === f.timeMs[s]) {
          if (link < 0) link = this.links.intern(linkId);
          this.takeHome(s, link, nowMs);
        } else if (!g) this.metrics.ignoredStale++;
        continue;
      }
      const added = s < 0;
      if (added) {
        s = f.add(p.droneId);
        f.ghost[s] = 1; // until takeHome below
      }
      f.write(s, p, nowMs);
      if (added && !this.restores.empty) for (const r of this.restores.take(p.droneId, (other) => f.slotOf(other) >= 0, nowMs)) this.adopt(r, nowMs);
      if (p.timeMs > this.newestTimeMs) this.newestTimeMs = p.timeMs;
      if (p.timeMs < this.oldestTimeMs) this.oldestTimeMs = p.timeMs;
      if (f.speed[s]! > this.maxSpeed) this.maxSpeed = f.speed[s]!;
      if (!g) {
        if (link < 0) link = this.links.intern(linkId);
        this.takeHome(s, link, nowMs);
        if (f.markActive(s)) this.events.push({ type: "recovered", droneId: p.droneId, atMs: nowMs });
        if (f.updateBattery(s, p.battery, this.opts.lowBatteryPct)) this.lowBattery(s, p, nowMs);
        this.metrics.applied++;
        this.metrics.delay.record(nowMs - p.timeMs);
        if (nowMs - p.timeMs > this.opts.lateNoticeMs) this.lateOnArrival(link, p.droneId, nowMs - p.timeMs);
      } else if (f.ghost[s] === 0) {
        // Its home moved to a neighbour: prediction only from now on (it keeps its last link for clears).
        this.setProximity(s, false);
        f.ghost[s] = 1;
        f.status[s] = STATUS_ACTIVE;
      }
      if (!this.plane) this.plane = new LocalPlane(p.lat, p.lon);
      this.grid.move(s, this.plane.x(p.lon), this.plane.y(p.lat));
      this.evaluate(s, nowMs);
    }
    this.flushProximity();
  }

  drain(): RegionOutput[] {
    const o = this.out;
    this.out = [];
    return o;
  }

  tick(nowMs: number): { metrics: FleetMetrics; events: OpsEvent[] } {
    const f = this.fleet;
    this.restores.expire(nowMs);
    for (const e of [...this.book.all()]) {
      if (!this.usable(e.slotLo, nowMs) || !this.usable(e.slotHi, nowMs) || nowMs - e.clearSinceMs >= ALERT_CLEAR_HOLD_MS) this.endEncounter(e);
    }
    const lostBuf = new Int32Array(f.highWater);
    const evictBuf = new Int32Array(f.highWater);
    const ghostEvictMs = Math.max(this.opts.lostAfterMs, this.staleLimitMs);
    const sw = f.sweep(nowMs, this.opts.lostAfterMs, this.opts.evictAfterMs, ghostEvictMs, lostBuf, evictBuf);
    for (let i = 0; i < sw.lost; i++) {
      const s = lostBuf[i]!;
      this.events.push({ type: "lost", droneId: f.ids[s]!, atMs: nowMs });
      this.metrics.lostDrones++;
      this.setProximity(s, false);
    }
    for (let i = 0; i < sw.evict; i++) this.evict(evictBuf[i]!, nowMs);
    // Tighten the bounds the candidate radius relies on.
    let vmax = 0;
    let oldest = Infinity;
    for (let s = 0; s < f.highWater; s++) {
      if (!f.inUse(s)) continue;
      if (f.speed[s]! > vmax) vmax = f.speed[s]!;
      if (this.usable(s, nowMs) && f.timeMs[s]! < oldest) oldest = f.timeMs[s]!;
    }
    this.maxSpeed = vmax;
    this.oldestTimeMs = oldest;
    this.metrics.alertsStarted = this.book.started - this.startedSeen;
    this.metrics.alertsCleared = this.book.cleared - this.clearedSeen;
    this.startedSeen = this.book.started;
    this.clearedSeen = this.book.cleared;
    const byLevel = this.book.countByLevel();
    const metrics = this.metrics.snapshot(
      {
        fleet: f,
        plane: this.plane,
        areaKm2: this.areaKm2,
        lowBatteryPct: this.opts.lowBatteryPct,
        conflictsCaution: byLevel.caution,
        conflictsWarning: byLevel.warning,
      },
      nowMs,
    );
    this.flushProximity();
    for (const n of this.lateByLink.values()) this.out.push(n);
    this.lateByLink.clear();
    this.links.collect();
    const events = this.events;
    this.events = [];
    return { metrics, events };
  }

  dirtyDrones(): DroneSnapshot[] {
    const f = this.fleet;
    const res: DroneSnapshot[] = [];
    for (let s = 0; s < f.highWater; s++) {
      if (!f.inUse(s) || (f.flags[s]! & F_DIRTY) === 0) continue;
      f.flags[s]! &= ~F_DIRTY;
      res.push(this.snapshot(s));
    }
    return res;
  }

  /** Drones evicted since the last call (to delete from the checkpoint), then forgets them. */
  evictedDrones(): string[] {
    const e = this.evicted;
    this.evicted = [];
    return e;
  }

  restore(snapshots: DroneSnapshot[], nowMs: number): void {
    const f = this.fleet;
    for (const d of snapshots) {
      if (nowMs - d.lastSeenMs > this.opts.evictAfterMs || f.slotOf(d.droneId) >= 0) continue;
      const s = f.add(d.droneId);
      f.write(s, { ...d, seq: -1 }, d.lastSeenMs);
      f.battery[s] = d.battery < 0 ? -1 : Math.round(d.battery);
      f.status[s] = d.status === "lost" ? STATUS_LOST : STATUS_ACTIVE;
      f.ghost[s] = d.ghost ? 1 : 0;
      f.link[s] = d.linkId ? this.links.intern(d.linkId) : NO_LINK;
      if (f.link[s] !== NO_LINK) this.links.ref(f.link[s]!, 1);
      f.flags[s] = (f.flags[s]! & ~F_DIRTY) | (d.lowBatterySent ? F_LOW_BATTERY_SENT : 0);
      f.points[s] = 0;
      if (d.timeMs > this.newestTimeMs) this.newestTimeMs = d.timeMs;
      if (d.timeMs < this.oldestTimeMs) this.oldestTimeMs = d.timeMs;
      if (f.speed[s]! > this.maxSpeed) this.maxSpeed = f.speed[s]!;
      if (!this.plane) this.plane = new LocalPlane(d.lat, d.lon);
      this.grid.move(s, this.plane.x(d.lon), this.plane.y(d.lat));
    }
  }

  /**
   * After a restart (and `restore`): re-opens the encounters whose last alert was not a clear, under
   * their ids, so each one goes on or ends with a clear its drones can match. Pairs whose drones are
   * no longer in the table are dropped: their stale check would clear them at once anyway.
   */
  restoreAlerts(alerts: RestoredAlert[], nowMs: number): number {
    let n = 0;
    for (const r of alerts) {
      if (r.droneA === r.droneB) continue;
      if (this.adopt(r, nowMs)) n++;
      else this.restores.add(r, nowMs); // resumed when both drones are back (applyPoints)
    }
    return n;
  }

  /** Resumes a restored encounter when both its drones are present; false otherwise. */
  private adopt(r: RestoredAlert, nowMs: number): boolean {
    const f = this.fleet;
    const a = f.slotOf(r.droneA);
    const b = f.slotOf(r.droneB);
    if (a < 0 || b < 0) return false;
    const e = this.book.adopt(a, r.droneA, b, r.droneB, r.alertId, r.level, { a: r.sentA, b: r.sentB }, nowMs);
    // Until the pair is predicted again, its numbers are as of the newer of the two restored states.
    if (e.computedForMs === 0) e.computedForMs = Math.max(f.timeMs[a]!, f.timeMs[b]!);
    return true;
  }

  drones(): DroneSnapshot[] {
    const f = this.fleet;
    const res: DroneSnapshot[] = [];
    for (let s = 0; s < f.highWater; s++) if (f.inUse(s) && f.ghost[s] === 0) res.push(this.snapshot(s));
    return res;
  }

  activeAlerts(): number {
    return this.book.size;
  }

  /** The open encounters with their latest prediction, for the ops view (src/detect/ops-snapshot.ts). */
  encounters(): OpenEncounter[] {
    const res: OpenEncounter[] = [];
    for (const e of this.book.all())
      res.push({
        alertId: e.alertId,
        a: e.idLo,
        b: e.idHi,
        level: e.level,
        tEntryS: e.tEntryS,
        tCpaS: e.tCpaS,
        hsepCpaM: e.hsepCpaM,
        vsepCpaM: e.vsepCpaM,
        computedForMs: e.computedForMs,
      });
    return res;
  }

  /**
   * A lower bound on the horizontal distance (m) from a drone to its nearest other drone, as of its own
   * last report (lowered meanwhile when another drone reports closer); exact when one lies within its
   * candidate radius. undefined for an unknown drone. For the gateway's safety-aware stretch.
   */
  nearestNeighbourM(droneId: string): number | undefined {
    const s = this.fleet.slotOf(droneId);
    return s < 0 ? undefined : this.fleet.nearestM[s]!;
  }

  /**
   * Home drones with no other drone (home or ghost, stale ones included: conservative) within
   * `radiusM`, per home link: the region's "provably far" verdicts for the gateway's safety-aware
   * stretch (the proof is in batcher.ts). Links with no far drone are absent.
   */
  farDrones(radiusM: number): Map<string, string[]> {
    const f = this.fleet;
    const out = new Map<string, string[]>();
    const r = radiusM * PLANE_RADIUS_PAD + 1;
    for (let s = 0; s < f.highWater; s++) {
      if (!f.inUse(s) || f.ghost[s] === 1 || f.link[s] === NO_LINK) continue;
      if (this.grid.query(this.grid.x[s]!, this.grid.y[s]!, r, s, this.cand, this.candD2) > 0) continue;
      const link = this.links.name(f.link[s]!);
      let l = out.get(link);
      if (!l) {
        l = [];
        out.set(link, l);
      }
      l.push(f.ids[s]!);
    }
    return out;
  }

  /** Memory figures for the benchmark and docs: typed-array bytes per slot of capacity, slots, drones. */
  memory(): { typedBytesPerSlot: number; capacity: number; drones: number } {
    return { typedBytesPerSlot: this.fleet.bytesPerSlot() + this.grid.bytesPerSlot(), capacity: this.fleet.capacity, drones: this.fleet.size };
  }

  // ---- hot path ----------------------------------------------------------------------------------

  /**
   * Candidates of `a` within R + (|v_a| + vmax) × (T + lag): any drone that can come within R in T
   * after both are propagated to the newer of their times, lag being the largest gap between two usable
   * measurement times (≤ the stale limit). Each survivor of a cheap per-pair bound is predicted once.
   */
  private evaluate(a: number, nowMs: number): void {
    const f = this.fleet;
    const R = this.params.radiusM;
    const H = this.params.heightM;
    const T = this.params.lookaheadS;
    const lagS = Math.min(this.staleLimitMs, Math.max(0, this.newestTimeMs - this.oldestTimeMs)) / 1000;
    const reach = T + lagS;
    let r = R + (f.speed[a]! + this.maxSpeed) * reach;
    if (r < 2 * R) r = 2 * R;
    r = r * PLANE_RADIUS_PAD + 1;
    const x = this.grid.x[a]!;
    const y = this.grid.y[a]!;
    let n = this.grid.query(x, y, r, a, this.cand, this.candD2);
    if (n > this.cand.length) {
      this.cand = new Int32Array(n * 2);
      this.candD2 = new Float64Array(n * 2);
      n = this.grid.query(x, y, r, a, this.cand, this.candD2);
    }
    const aGhost = f.ghost[a] === 1;
    const pairs = this.book.of(a);
    const tA = f.timeMs[a]!;
    const altA = f.altM[a]!;
    const vuA = Math.abs(f.vu[a]!);
    const spA = f.speed[a]!;
    let nn2 = Infinity;
    const near2 = 4 * R * R;
    for (let i = 0; i < n; i++) {
      const b = this.cand[i]!;
      const d2 = this.candD2[i]!;
      if (d2 < nn2) nn2 = d2;
      if (d2 < near2 && f.ghost[b] === 0) this.setProximity(b, true);
      // Cheapest rejections first: the pair's own reach, horizontal then vertical, then membership.
      const dtS = Math.abs(tA - f.timeMs[b]!) / 1000;
      const reachPair = (R + (spA + f.speed[b]!) * (T + dtS)) * PLANE_RADIUS_PAD;
      if (d2 > reachPair * reachPair) continue;
      if (Math.abs(altA - f.altM[b]!) >= H + (vuA + Math.abs(f.vu[b]!)) * (T + dtS)) continue;
      if (aGhost && f.ghost[b] === 1) continue; // two ghosts: their home regions handle them
      if (!this.usable(b, nowMs) || dtS * 1000 > this.staleLimitMs) continue; // the contract: never propagate a state older than the limit
      if (pairs !== undefined && this.book.get(a, b) !== undefined) continue; // below
      if (!this.mayMeet(a, b, x, y, d2)) continue;
      const pr = this.predictPair(a, b);
      if (pr.conflict) this.onPrediction(a, b, pr, nowMs);
    }
    const nn = Math.sqrt(nn2);
    f.nearestM[a] = nn < r ? nn / PLANE_RADIUS_PAD : r / PLANE_RADIUS_PAD;
    if (pairs !== undefined) {
      for (const e of [...pairs]) {
        const b = e.slotLo === a ? e.slotHi : e.slotLo;
        if (!this.usable(a, nowMs) || !this.usable(b, nowMs) || Math.abs(f.timeMs[a]! - f.timeMs[b]!) > this.staleLimitMs) this.endEncounter(e);
        else this.onPrediction(a, b, this.predictPair(a, b), nowMs);
      }
    }
    if (!aGhost) this.setProximity(a, nn2 < near2 || this.book.of(a) !== undefined);
  }

  /**
   * conflicts.ts `predict(a, b)`, step for step, reading the table's arrays and cached sin/cos instead
   * of two objects (a test holds it equal to `predict`); the contract itself is `predictRelative`.
   */
  /**
   * The horizontal closest approach over [0, T] in the region's plane, before any trigonometry: most
   * candidates of a dense cluster pass well clear. The plane's metres are the tangent plane's to within
   * PLANE_RADIUS_PAD (its north is true north, its east scale off by under 1 % across a region), so
   * the miss is padded by 1 % of the distance plus 1 m: a pair this rejects cannot come within R.
   */
  private mayMeet(a: number, b: number, xa: number, ya: number, d2: number): boolean {
    const f = this.fleet;
    const ta = f.timeMs[a]!;
    const tb = f.timeMs[b]!;
    const tRef = ta > tb ? ta : tb;
    const dtA = (tRef - ta) / 1000;
    const dtB = (tRef - tb) / 1000;
    const vx = f.ve[b]! - f.ve[a]!;
    const vy = f.vn[b]! - f.vn[a]!;
    const px = this.grid.x[b]! - xa + f.ve[b]! * dtB - f.ve[a]! * dtA;
    const py = this.grid.y[b]! - ya + f.vn[b]! * dtB - f.vn[a]! * dtA;
    const vv = vx * vx + vy * vy;
    let t = vv > 0 ? -(px * vx + py * vy) / vv : 0;
    const T = this.params.lookaheadS;
    if (t < 0) t = 0;
    else if (t > T) t = T;
    const cx = px + vx * t;
    const cy = py + vy * t;
    const miss = this.params.radiusM + (PLANE_RADIUS_PAD - 1) * (Math.sqrt(d2) + Math.sqrt(vv) * (T + dtA + dtB)) + 1;
    return cx * cx + cy * cy < miss * miss;
  }

  private predictPair(a: number, b: number): Prediction {
    const f = this.fleet;
    const ta = f.timeMs[a]!;
    const tb = f.timeMs[b]!;
    const tRef = ta > tb ? ta : tb;
    const dtA = (tRef - ta) / 1000;
    const dtB = (tRef - tb) / 1000;
    enuOffsetTrig(f.sinLat[a]!, f.cosLat[a]!, f.lon[a]!, f.sinLat[b]!, f.cosLat[b]!, f.lon[b]!, this.enu);
    const pe = this.enu[0]! + f.ve[b]! * dtB - f.ve[a]! * dtA;
    const pn = this.enu[1]! + f.vn[b]! * dtB - f.vn[a]! * dtA;
    const pu = f.altM[b]! + f.vu[b]! * dtB - (f.altM[a]! + f.vu[a]! * dtA);
    return predictRelative(pe, pn, pu, f.ve[b]! - f.ve[a]!, f.vn[b]! - f.vn[a]!, f.vu[b]! - f.vu[a]!, tRef, this.params, this.pred);
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
      const g = {
        relE: pr.relE,
        relN: pr.relN,
        relU: pr.relU,
        aVe: f.ve[a]!,
        aVn: f.vn[a]!,
        aVu: f.vu[a]!,
        bVe: f.ve[a]! + pr.relVe,
        bVn: f.vn[a]! + pr.relVn,
        bVu: f.vu[a]! + pr.relVu,
      };
      const [ma, mb] = chooseAdvisories(f.ids[a]!, f.ids[b]!, g, this.params, this.rates);
      r.e.manLo = r.e.slotLo === a ? ma : mb;
      r.e.manHi = r.e.slotLo === a ? mb : ma;
      this.setProximity(a, true);
      this.setProximity(b, true);
    }
    this.emit(r.e, r.t);
  }

  private endEncounter(e: Encounter): void {
    this.book.end(e);
    this.emit(e, "clear");
  }

  /**
   * One AlertOut per home side of the pair (a clear only to sides that were alerted); with
   * `unsentOnly`, only to home sides that have not been alerted yet.
   */
  private emit(e: Encounter, t: Transition, unsentOnly = false): void {
    const f = this.fleet;
    for (let side = 0; side < 2; side++) {
      const s = side === 0 ? e.slotLo : e.slotHi;
      const o = side === 0 ? e.slotHi : e.slotLo;
      if (unsentOnly && (side === 0 ? e.sentLo : e.sentHi)) continue;
      if (t === "clear") {
        if (!(side === 0 ? e.sentLo : e.sentHi)) continue;
      } else {
        if (f.ghost[s] === 1 || f.link[s] === NO_LINK) continue; // ghosts are alerted by their home region
        if (side === 0) e.sentLo = true;
        else e.sentHi = true;
      }
      this.out.push({
        kind: "alert",
        linkId: this.links.name(f.link[s]!),
        droneId: side === 0 ? e.idLo : e.idHi,
        otherId: side === 0 ? e.idHi : e.idLo,
        alertId: e.alertId,
        level: t === "clear" ? "clear" : e.level,
        tEntryS: t === "clear" ? NaN : e.tEntryS,
        tCpaS: e.tCpaS,
        hsepCpaM: e.hsepCpaM,
        vsepCpaM: e.vsepCpaM,
        other: f.toPoint(o),
        computedForMs: e.computedForMs,
        manoeuvre: t === "clear" ? "none" : side === 0 ? e.manLo : e.manHi,
      });
    }
  }

  // ---- membership, links, proximity ------------------------------------------------------------------

  private usable(s: number, nowMs: number): boolean {
    return this.fleet.usable(s, nowMs, this.staleLimitMs);
  }

  /** The drone is (now) carried by `link` as a home drone. */
  private takeHome(s: number, link: number, nowMs: number): void {
    const f = this.fleet;
    const wasGhost = f.ghost[s] === 1;
    if (!wasGhost && f.link[s] === link) return;
    const near = (f.flags[s]! & F_PROXIMITY) !== 0;
    if (near) this.setProximity(s, false);
    if (f.link[s] !== NO_LINK) this.links.ref(f.link[s]!, -1);
    if (wasGhost && f.link[s] === NO_LINK) this.metrics.newDrones++;
    f.link[s] = link;
    this.links.ref(link, 1);
    f.ghost[s] = 0;
    f.flags[s]! |= F_DIRTY;
    if (near) this.setProximity(s, true);
    // Its alerts went to its old link (or nowhere, as a ghost): the next evaluation re-sends them here.
    for (const e of this.book.of(s) ?? []) {
      if (e.slotLo === s) e.sentLo = false;
      else e.sentHi = false;
    }
    void nowMs;
  }

  private setProximity(s: number, on: boolean): void {
    const f = this.fleet;
    const was = (f.flags[s]! & F_PROXIMITY) !== 0;
    if (was === on) return;
    if (on && (f.ghost[s] === 1 || f.link[s] === NO_LINK)) return;
    f.flags[s] = on ? f.flags[s]! | F_PROXIMITY : f.flags[s]! & ~F_PROXIMITY;
    this.links.setMember(f.link[s]!, f.ids[s]!, on);
  }

  private flushProximity(): void {
    this.links.flushChanged((linkId, droneIds) => this.out.push({ kind: "proximity", linkId, droneIds }));
  }

  private lateOnArrival(link: number, droneId: string, ageMs: number): void {
    const stale = ageMs > this.staleLimitMs ? 1 : 0;
    this.metrics.lateOnArrival++;
    this.metrics.staleOnArrival += stale;
    const n = this.lateByLink.get(link);
    if (n) {
      n.points++;
      n.stale += stale;
      n.droneId = droneId;
      if (ageMs > n.maxAgeMs) n.maxAgeMs = ageMs;
    } else this.lateByLink.set(link, { kind: "stale", linkId: this.links.name(link), droneId, points: 1, stale, maxAgeMs: ageMs });
  }

  private lowBattery(s: number, p: TelemetryPoint, nowMs: number): void {
    const linkId = this.links.name(this.fleet.link[s]!);
    const pct = Math.round(p.battery);
    this.out.push({
      kind: "advisory",
      linkId,
      droneId: p.droneId,
      advisory: "low_battery_rth",
      message: `Battery at ${pct}%, under ${this.opts.lowBatteryPct}%: return to home.`,
      timeMs: p.timeMs,
    });
    this.events.push({ type: "low_battery", droneId: p.droneId, atMs: nowMs });
  }

  private evict(s: number, nowMs: number): void {
    const f = this.fleet;
    const pairs = this.book.of(s);
    if (pairs) for (const e of [...pairs]) this.endEncounter(e);
    this.setProximity(s, false);
    const id = f.ids[s]!;
    if (f.ghost[s] === 0) this.events.push({ type: "evicted", droneId: id, atMs: nowMs });
    this.evicted.push(id);
    if (f.link[s] !== NO_LINK) this.links.ref(f.link[s]!, -1);
    this.grid.remove(s);
    f.remove(s);
  }

  private snapshot(s: number): DroneSnapshot {
    const f = this.fleet;
    return {
      droneId: f.ids[s]!,
      linkId: f.link[s] === NO_LINK ? "" : this.links.name(f.link[s]!),
      ghost: f.ghost[s] === 1,
      timeMs: f.timeMs[s]!,
      lastSeenMs: f.lastSeenMs[s]!,
      lat: f.lat[s]!,
      lon: f.lon[s]!,
      altM: f.altM[s]!,
      vn: f.vn[s]!,
      ve: f.ve[s]!,
      vu: f.vu[s]!,
      battery: f.battery[s]!,
      status: f.status[s] === STATUS_LOST ? "lost" : "active",
      lowBatterySent: (f.flags[s]! & F_LOW_BATTERY_SENT) !== 0,
    };
  }
}

/** Centre and area of a geohash region cell, or null when the key is not one (then the first point is the origin). */
export function geohashGeometry(key: string): RegionGeometry | null {
  try {
    const c = regionCenter(key);
    return { originLat: c.lat, originLon: c.lon, areaKm2: regionAreaKm2(key) };
  } catch {
    return null;
  }
}
