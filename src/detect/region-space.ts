/**
 * Where a region's drones are: the drone table, its spatial grid in the region's local plane, the
 * names of the links that carry them, and the bounds the conflict search's candidate radius relies on
 * (the fastest drone, the newest and oldest usable measurement). The hot path reads its arrays directly.
 */
import { DroneTable, F_DIRTY } from "./drone-table.js";
import { restoreSnapshot, snapshots } from "./drone-snapshots.js";
import { LocalPlane, PLANE_RADIUS_PAD, SpatialGrid } from "./grid.js";
import { LinkTable, NO_LINK } from "./link-table.js";
import type { RegionGeometry } from "./region-geometry.js";
import type { DroneSnapshot } from "./region-outputs.js";
import { REGION_GRID_CELL_M } from "../tunables.js";

export class RegionSpace {
  readonly fleet = new DroneTable();
  readonly grid = new SpatialGrid(REGION_GRID_CELL_M);
  readonly links = new LinkTable();
  /** The region's plane: its centre when known, else the first point's position. */
  plane: LocalPlane | null = null;
  readonly areaKm2: number;
  /** Newest measurement seen (the staleness reference), and a lower bound on usable measurement times. */
  newestTimeMs = -Infinity;
  oldestTimeMs = Infinity;
  /** An upper bound on the ground speed of any drone in the grid (tightened each tick, raised on arrival). */
  maxSpeed = 0;
  /** Candidate buffers of `near`, reused (grown when a query overflows them). */
  cand = new Int32Array(1024);
  candD2 = new Float64Array(1024);

  constructor(geometry: RegionGeometry | null) {
    this.areaKm2 = geometry?.areaKm2 ?? 0;
    if (geometry) this.plane = new LocalPlane(geometry.originLat, geometry.originLon);
    this.fleet.onGrow = (cap) => this.grid.ensureCapacity(cap);
    this.grid.ensureCapacity(this.fleet.capacity);
  }

  /** Slot `s` has a new state: the bounds take it in and the grid moves it. */
  place(s: number): void {
    const f = this.fleet;
    const t = f.timeMs[s]!;
    if (t > this.newestTimeMs) this.newestTimeMs = t;
    if (t < this.oldestTimeMs) this.oldestTimeMs = t;
    if (f.speed[s]! > this.maxSpeed) this.maxSpeed = f.speed[s]!;
    this.plane ??= new LocalPlane(f.lat[s]!, f.lon[s]!);
    this.grid.move(s, this.plane.x(f.lon[s]!), this.plane.y(f.lat[s]!));
  }

  /**
   * The plane radius around slot `s` holding every drone that can come within R of it in T: R + (|v_s|
   * + vmax) × (T + lag), both propagated to the newer of their times, lag being the largest gap
   * between two usable measurement times (≤ the stale limit); at least 2R (proximity), padded for the plane.
   */
  candidateRadius(s: number, radiusM: number, lookaheadS: number, staleLimitMs: number): number {
    const lagS = Math.min(staleLimitMs, Math.max(0, this.newestTimeMs - this.oldestTimeMs)) / 1000;
    const r = radiusM + (this.fleet.speed[s]! + this.maxSpeed) * (lookaheadS + lagS);
    return Math.max(r, 2 * radiusM) * PLANE_RADIUS_PAD + 1;
  }

  /** Other drones within plane distance `r` of slot `s`, into `cand`/`candD2`; how many. */
  near(s: number, r: number): number {
    const x = this.grid.x[s]!;
    const y = this.grid.y[s]!;
    const n = this.grid.query(x, y, r, s, this.cand, this.candD2);
    if (n <= this.cand.length) return n;
    this.cand = new Int32Array(n * 2);
    this.candD2 = new Float64Array(n * 2);
    return this.grid.query(x, y, r, s, this.cand, this.candD2);
  }

  /** Recomputes the speed and age bounds from the drones present (they only grow between ticks). */
  tightenBounds(usable: (s: number) => boolean): void {
    const f = this.fleet;
    let vmax = 0;
    let oldest = Infinity;
    for (let s = 0; s < f.highWater; s++) {
      if (!f.inUse(s)) continue;
      if (f.speed[s]! > vmax) vmax = f.speed[s]!;
      if (usable(s) && f.timeMs[s]! < oldest) oldest = f.timeMs[s]!;
    }
    this.maxSpeed = vmax;
    this.oldestTimeMs = oldest;
  }

  /** Puts checkpointed drones back, except those already evicted by age or already present. */
  restore(all: DroneSnapshot[], nowMs: number, evictAfterMs: number): void {
    for (const d of all) {
      if (nowMs - d.lastSeenMs > evictAfterMs || this.fleet.slotOf(d.droneId) >= 0) continue;
      this.place(restoreSnapshot(this.fleet, this.links, d));
    }
  }

  /** The region's home drones (ghosts are listed by their own home region). */
  homeDrones(): DroneSnapshot[] {
    return snapshots(this.fleet, this.links, (s) => this.fleet.ghost[s] === 0);
  }

  /** The drones changed since the last call, for the checkpoint (each then counts as stored). */
  takeDirty(): DroneSnapshot[] {
    const f = this.fleet;
    return snapshots(f, this.links, (s) => {
      if ((f.flags[s]! & F_DIRTY) === 0) return false;
      f.flags[s]! &= ~F_DIRTY;
      return true;
    });
  }

  /** A drone's last reported position (the event export's), or null for a drone the region does not hold. */
  positionOf(droneId: string): { lat: number; lon: number; altM: number; timeMs: number } | null {
    const s = this.fleet.slotOf(droneId);
    if (s < 0) return null;
    const f = this.fleet;
    return { lat: f.lat[s]!, lon: f.lon[s]!, altM: f.altM[s]!, timeMs: f.timeMs[s]! };
  }

  /**
   * A lower bound on the horizontal distance (m) from a drone to its nearest other drone, as of its own
   * last report (lowered meanwhile when another drone reports closer); exact when one lies within its
   * candidate radius. undefined for an unknown drone.
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
      const l = out.get(link);
      if (l) l.push(f.ids[s]!);
      else out.set(link, [f.ids[s]!]);
    }
    return out;
  }

  /** Memory figures for the benchmark and docs: typed-array bytes per slot of capacity, slots, drones. */
  memory(): { typedBytesPerSlot: number; capacity: number; drones: number } {
    return { typedBytesPerSlot: this.fleet.bytesPerSlot() + this.grid.bytesPerSlot(), capacity: this.fleet.capacity, drones: this.fleet.size };
  }
}
