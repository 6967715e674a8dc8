/**
 * The near-duplicate filter, per drone: a hovering drone at 20-50 Hz repeats itself, and every point
 * the gateway forwards costs a region object work (docs/platform.md). Points that add nothing the region
 * can use are dropped with a reason the session counts (dedupedNear / dedupedRepeat / dedupedStale).
 */
import type { Options } from "../config.js";
import { DEG, metresPerDegree } from "../geo/enu.js";
import type { TelemetryPoint } from "../wire/point.js";
import { ACCEPTED, type Accepted, DEDUPED, type Deduped } from "./outcome.js";

export type DedupeOptions = Pick<Options, "dedupeHorizontalM" | "dedupeVerticalM" | "dedupeSpeedMps" | "dedupeRefreshMs" | "staleAfterMs" | "relayMaxDrones">;

const M_PER_DEG = metresPerDegree(0).lat;

/** What the filter remembers of one drone: its last forwarded point, and the last point seen. */
interface DroneState {
  timeMs: number;
  lat: number;
  lon: number;
  altM: number;
  vn: number;
  ve: number;
  vu: number;
  seq: number;
  seenTimeMs: number;
  seenSeq: number;
  /** Gateway clock of the last point, for idle eviction. */
  touchedMs: number;
}

export class DedupeFilter {
  private readonly states = new Map<string, DroneState>();
  private readonly h2: number;
  private readonly v: number;
  private readonly s2: number;
  private readonly refreshMs: number;
  /**
   * A drone idle this long is forgotten. Its next point is then forwarded (the refresh rule would
   * forward it anyway), and an older one would reach the region, which ignores stale states.
   */
  readonly idleMs: number;
  readonly capacity: number;
  private lastSweepMs = -Infinity;
  /** Points forwarded without judgement because every slot held an active drone (fail open). */
  untracked = 0;

  constructor(opts: DedupeOptions, capacity = opts.relayMaxDrones) {
    this.h2 = opts.dedupeHorizontalM * opts.dedupeHorizontalM;
    this.v = opts.dedupeVerticalM;
    this.s2 = opts.dedupeSpeedMps * opts.dedupeSpeedMps;
    this.refreshMs = opts.dedupeRefreshMs;
    this.idleMs = Math.max(opts.dedupeRefreshMs, opts.staleAfterMs);
    this.capacity = Math.max(1, capacity);
  }

  get size(): number {
    return this.states.size;
  }

  /**
   * The verdict for point p arriving at gateway time nowMs (only used to evict idle drones; the
   * measurement time serves when the caller has no clock): null to forward (and remember it as the
   * last forwarded point), or deduped with the reason to drop it. Rules, in order:
   * - repeat: the measurement time equals the last forwarded or last seen one;
   * - stale: measured before the last forwarded point;
   * - near: less than dedupeRefreshMs after the last forwarded point, and within dedupeHorizontalM,
   *   dedupeVerticalM and dedupeSpeedMps (3-D velocity difference) of it, all strictly. A near point
   *   repeating a seen seq is labelled "repeat". A repeated seq alone does not drop a point: a drone
   *   that rebooted restarts its counter, and dropping its real movement would be unsafe.
   */
  check(p: TelemetryPoint, nowMs: number = p.timeMs): Accepted | Deduped {
    if (nowMs - this.lastSweepMs >= this.idleMs) this.sweep(nowMs);
    const st = this.states.get(p.droneId);
    if (st === undefined) {
      if (this.states.size >= this.capacity) this.sweep(nowMs);
      if (this.states.size >= this.capacity) {
        this.untracked++;
        return ACCEPTED;
      }
      this.states.set(p.droneId, newState(p, nowMs));
      return ACCEPTED;
    }
    st.touchedMs = nowMs;
    const t = p.timeMs;
    if (t === st.timeMs || t === st.seenTimeMs) return DEDUPED.repeat;
    if (t < st.timeMs) return DEDUPED.stale;
    const seqRepeat = p.seq >= 0 && (p.seq === st.seq || p.seq === st.seenSeq);
    st.seenTimeMs = t;
    st.seenSeq = p.seq;
    const near = this.isNear(st, p);
    if (near && t - st.timeMs < this.refreshMs) return seqRepeat ? DEDUPED.repeat : DEDUPED.near;
    remember(st, p);
    return ACCEPTED;
  }

  /** Forgets drones idle for idleMs; returns how many. Runs on its own every idleMs. */
  sweep(nowMs: number): number {
    this.lastSweepMs = nowMs;
    let n = 0;
    for (const [id, st] of this.states) {
      if (nowMs - st.touchedMs >= this.idleMs) {
        this.states.delete(id);
        n++;
      }
    }
    return n;
  }

  /** Cheapest tests first; the horizontal one needs a cosine. */
  private isNear(st: DroneState, p: TelemetryPoint): boolean {
    const dz = p.altM - st.altM;
    if (!(dz < this.v && dz > -this.v)) return false;
    const dvn = p.vn - st.vn;
    const dve = p.ve - st.ve;
    const dvu = p.vu - st.vu;
    if (!(dvn * dvn + dve * dve + dvu * dvu < this.s2)) return false;
    let dLon = p.lon - st.lon;
    if (dLon > 180) dLon -= 360;
    else if (dLon < -180) dLon += 360;
    // Equirectangular at the mean latitude: at sub-metre scale its error is ~(d/R)², far below a µm.
    const dy = (p.lat - st.lat) * M_PER_DEG;
    const dx = dLon * M_PER_DEG * Math.cos(((p.lat + st.lat) / 2) * DEG);
    return dx * dx + dy * dy < this.h2;
  }
}

function newState(p: TelemetryPoint, nowMs: number): DroneState {
  return {
    timeMs: p.timeMs,
    lat: p.lat,
    lon: p.lon,
    altM: p.altM,
    vn: p.vn,
    ve: p.ve,
    vu: p.vu,
    seq: p.seq,
    seenTimeMs: p.timeMs,
    seenSeq: p.seq,
    touchedMs: nowMs,
  };
}

function remember(st: DroneState, p: TelemetryPoint): void {
  st.timeMs = p.timeMs;
  st.lat = p.lat;
  st.lon = p.lon;
  st.altM = p.altM;
  st.vn = p.vn;
  st.ve = p.ve;
  st.vu = p.vu;
  st.seq = p.seq;
}
