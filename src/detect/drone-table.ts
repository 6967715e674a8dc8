/**
 * The region's drone table: one slot per drone in flat typed arrays (struct of arrays), slots reused
 * after eviction, an id → slot Map. Owns per-drone liveness (lost, evicted, stale) and the low-battery
 * latch; knows nothing about alerts or the grid (region-core.ts composes them).
 */
import type { Options } from "../config.js";
import { DEG } from "../geo/enu.js";
import type { TelemetryPoint } from "../wire/point.js";
import { BRIEF_DRONE_POINTS, LOW_BATTERY_HYSTERESIS_PCT } from "../tunables.js";

export const STATUS_ACTIVE = 0;
export const STATUS_LOST = 1;

/** Bits of `DroneTable.flags`. */
export const F_IN_USE = 1;
export const F_LOW_BATTERY_SENT = 2;
export const F_DIRTY = 4;
/** Within 2R of another drone or in an active conflict (the proximity set). */
export const F_PROXIMITY = 8;
/** Established whatever its point count: restored from a checkpoint (isBrief). */
export const F_ESTABLISHED = 16;

/** Ages (since last heard, region clock) at which the sweep marks drones lost or evicts them, ms. */
export interface SweepLimits {
  lostAfterMs: number;
  evictAfterMs: number;
  /** A brief home drone in no open encounter (isBrief): BRIEF_EVICT_AFTER_MS. */
  briefEvictAfterMs: number;
  ghostEvictAfterMs: number;
}

/** The options' limits; a ghost goes once its state is unusable here (`staleLimitMs`) and it would be lost. */
export function sweepLimits(o: Options, staleLimitMs: number): SweepLimits {
  return {
    lostAfterMs: o.lostAfterMs,
    evictAfterMs: o.evictAfterMs,
    briefEvictAfterMs: o.briefEvictAfterMs,
    ghostEvictAfterMs: Math.max(o.lostAfterMs, staleLimitMs),
  };
}

const INITIAL_CAPACITY = 1024;

export class DroneTable {
  capacity = 0;
  /** Slots in use. */
  size = 0;
  /** Slots [0, highWater) have been used at least once: iteration bound. */
  highWater = 0;
  readonly index = new Map<string, number>();
  ids: (string | undefined)[] = [];

  lat!: Float64Array;
  lon!: Float64Array;
  /** sin/cos of latitude, cached once per report: every pair prediction needs them. */
  sinLat!: Float64Array;
  cosLat!: Float64Array;
  /** Measurement time (drone clock) and last arrival (region wall clock), Unix ms. */
  timeMs!: Float64Array;
  lastSeenMs!: Float64Array;
  /** Float32 is enough: the wire carries these as f32 (batch-codec.ts) or coarser. */
  altM!: Float32Array;
  vn!: Float32Array;
  ve!: Float32Array;
  vu!: Float32Array;
  /** Ground speed, m/s, cached for the candidate search radius. */
  speed!: Float32Array;
  /** Lower bound on the horizontal distance to the nearest other drone, m (see RegionSpace.nearestNeighbourM). */
  nearestM!: Float32Array;
  /** Battery percent, −1 unknown. */
  battery!: Int8Array;
  status!: Uint8Array;
  /** 1 = ghost: home is a neighbouring region, prediction only. */
  ghost!: Uint8Array;
  flags!: Uint8Array;
  /** Home link index into the caller's link-name table, 0xffff = none yet (only ever seen as a ghost). */
  link!: Uint16Array;
  /** Points applied for this drone (a per-drone counter for the ops endpoint). */
  points!: Uint32Array;

  private free!: Int32Array;
  private freeTop = 0;
  /** Called after the capacity grows, so the grid and alert book can grow their per-slot arrays. */
  onGrow: ((capacity: number) => void) | null = null;

  constructor(capacity = INITIAL_CAPACITY) {
    this.grow(Math.max(16, capacity));
  }

  slotOf(droneId: string): number {
    const s = this.index.get(droneId);
    return s === undefined ? -1 : s;
  }

  /** A fresh slot for a drone not in the table (state zeroed, status active, no link). */
  add(droneId: string): number {
    if (this.size === this.capacity) this.grow(this.capacity * 2);
    const slot = this.freeTop > 0 ? this.free[--this.freeTop]! : this.highWater++;
    this.index.set(droneId, slot);
    this.ids[slot] = droneId;
    this.size++;
    this.timeMs[slot] = -Infinity;
    this.lastSeenMs[slot] = -Infinity;
    this.status[slot] = STATUS_ACTIVE;
    this.ghost[slot] = 0;
    this.flags[slot] = F_IN_USE;
    this.link[slot] = 0xffff;
    this.points[slot] = 0;
    this.battery[slot] = -1;
    this.nearestM[slot] = Infinity;
    return slot;
  }

  remove(slot: number): void {
    const id = this.ids[slot];
    if (id === undefined) return;
    this.index.delete(id);
    this.ids[slot] = undefined;
    this.flags[slot] = 0;
    this.free[this.freeTop++] = slot;
    this.size--;
  }

  inUse(slot: number): boolean {
    return (this.flags[slot]! & F_IN_USE) !== 0;
  }

  /** Writes a report's kinematic state (the caller has checked it is newer than the stored one). */
  write(slot: number, p: TelemetryPoint, nowMs: number): void {
    this.lat[slot] = p.lat;
    this.lon[slot] = p.lon;
    const f = p.lat * DEG;
    this.sinLat[slot] = Math.sin(f);
    this.cosLat[slot] = Math.cos(f);
    this.altM[slot] = p.altM;
    this.vn[slot] = p.vn;
    this.ve[slot] = p.ve;
    this.vu[slot] = p.vu;
    this.speed[slot] = Math.sqrt(p.vn * p.vn + p.ve * p.ve);
    this.timeMs[slot] = p.timeMs;
    this.lastSeenMs[slot] = nowMs;
    this.points[slot]!++;
    this.flags[slot]! |= F_DIRTY;
  }

  /** Marks a drone seen; true when it was lost and has just recovered. */
  markActive(slot: number): boolean {
    if (this.status[slot] === STATUS_LOST) {
      this.status[slot] = STATUS_ACTIVE;
      return true;
    }
    return false;
  }

  /**
   * Stores a battery reading; true exactly when it crosses under `thresholdPct` while armed (one
   * advisory per crossing). Re-armed only above threshold + LOW_BATTERY_HYSTERESIS_PCT.
   */
  updateBattery(slot: number, pct: number, thresholdPct: number): boolean {
    if (!(pct >= 0)) return false; // unknown: keep the last known value and the latch
    this.battery[slot] = pct > 100 ? 100 : Math.round(pct);
    const sent = (this.flags[slot]! & F_LOW_BATTERY_SENT) !== 0;
    if (!sent && pct < thresholdPct) {
      this.flags[slot]! |= F_LOW_BATTERY_SENT | F_DIRTY;
      return true;
    }
    if (sent && pct > thresholdPct + LOW_BATTERY_HYSTERESIS_PCT) this.flags[slot]! = (this.flags[slot]! & ~F_LOW_BATTERY_SENT) | F_DIRTY;
    return false;
  }

  /**
   * Whether a state may be used for prediction: heard from within `staleLimitMs` of the region's wall
   * clock (a lost drone's last state thus expires too). Judged on our clock, not against the newest
   * measurement time seen: one drone whose clock runs ahead must not make every other drone stale.
   * The pairwise rule (two states more than the limit apart) is region-core's. Region-core passes
   * min(staleAfterMs, T): the stricter of the contract and the lost rule.
   */
  usable(slot: number, nowMs: number, staleLimitMs: number): boolean {
    return nowMs - this.lastSeenMs[slot]! <= staleLimitMs;
  }

  /**
   * A drone that has not established itself in this region: fewer than BRIEF_DRONE_POINTS points and
   * not restored. What an invented id reporting once looks like; a real drone stops being brief within
   * seconds of its first report (docs/security.md).
   */
  isBrief(slot: number): boolean {
    return this.points[slot]! < BRIEF_DRONE_POINTS && (this.flags[slot]! & F_ESTABLISHED) === 0;
  }

  /**
   * Liveness sweep: home drones unseen for `lostAfterMs` become lost (slots written to `lost`), drones
   * unseen for their eviction age are listed in `evict` (not removed: the caller ends their alerts
   * first): `evictAfterMs`, or `briefEvictAfterMs` for a brief one that `held` (in an open encounter,
   * which must stay open while its partner is told traffic lost) does not keep. Ghosts are never
   * `lost`; they are evicted after `ghostEvictAfterMs`. Returns the counts.
   */
  sweep(nowMs: number, limits: SweepLimits, held: (slot: number) => boolean, lost: Int32Array, evict: Int32Array): { lost: number; evict: number } {
    let nl = 0;
    let ne = 0;
    for (let s = 0; s < this.highWater; s++) {
      if ((this.flags[s]! & F_IN_USE) === 0) continue;
      const age = nowMs - this.lastSeenMs[s]!;
      if (this.ghost[s] === 1) {
        if (age > limits.ghostEvictAfterMs) evict[ne++] = s;
        continue;
      }
      if (age > limits.evictAfterMs || (age > limits.briefEvictAfterMs && this.isBrief(s) && !held(s))) evict[ne++] = s;
      else if (age > limits.lostAfterMs && this.status[s] === STATUS_ACTIVE) {
        this.status[s] = STATUS_LOST;
        this.flags[s]! |= F_DIRTY;
        lost[nl++] = s;
      }
    }
    return { lost: nl, evict: ne };
  }

  /** The stored state as a TelemetryPoint (for `other` in alerts; allocates, so not per point). */
  toPoint(slot: number): TelemetryPoint {
    return {
      droneId: this.ids[slot]!,
      timeMs: this.timeMs[slot]!,
      lat: this.lat[slot]!,
      lon: this.lon[slot]!,
      altM: this.altM[slot]!,
      vn: this.vn[slot]!,
      ve: this.ve[slot]!,
      vu: this.vu[slot]!,
      battery: this.battery[slot]!,
      seq: -1,
    };
  }

  /** Typed-array bytes per slot of capacity (the id Map and id strings come on top: see docs in region-core). */
  bytesPerSlot(): number {
    let bytes = 0;
    for (const a of this.arrays()) bytes += a.byteLength;
    return bytes / this.capacity + 4; // + the free-list entry
  }

  private arrays(): ArrayBufferView[] {
    return [
      this.lat,
      this.lon,
      this.sinLat,
      this.cosLat,
      this.timeMs,
      this.lastSeenMs,
      this.altM,
      this.vn,
      this.ve,
      this.vu,
      this.speed,
      this.nearestM,
      this.battery,
      this.status,
      this.ghost,
      this.flags,
      this.link,
      this.points,
    ];
  }

  private grow(capacity: number): void {
    const f64 = (old: Float64Array | undefined) => copy(new Float64Array(capacity), old);
    const f32 = (old: Float32Array | undefined) => copy(new Float32Array(capacity), old);
    const u8 = (old: Uint8Array | undefined) => copy(new Uint8Array(capacity), old);
    this.lat = f64(this.lat);
    this.lon = f64(this.lon);
    this.sinLat = f64(this.sinLat);
    this.cosLat = f64(this.cosLat);
    this.timeMs = f64(this.timeMs);
    this.lastSeenMs = f64(this.lastSeenMs);
    this.altM = f32(this.altM);
    this.vn = f32(this.vn);
    this.ve = f32(this.ve);
    this.vu = f32(this.vu);
    this.speed = f32(this.speed);
    this.nearestM = f32(this.nearestM);
    this.battery = copy(new Int8Array(capacity), this.battery);
    this.status = u8(this.status);
    this.ghost = u8(this.ghost);
    this.flags = u8(this.flags);
    this.link = copy(new Uint16Array(capacity), this.link);
    this.points = copy(new Uint32Array(capacity), this.points);
    this.free = copy(new Int32Array(capacity), this.free);
    this.capacity = capacity;
    this.onGrow?.(capacity);
  }
}

function copy<T extends { set(a: ArrayLike<number>): void }>(fresh: T, old: ArrayLike<number> | undefined): T {
  if (old) fresh.set(old);
  return fresh;
}
