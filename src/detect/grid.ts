/**
 * Uniform spatial hash grid over a region-local plane: the candidate search in front of conflict
 * prediction, so a point costs its neighbourhood, never all pairs. Slots are the fleet's; insert, move,
 * remove are O(1) and queries write into caller-provided buffers (no allocation on the hot path).
 */
import { DEG, EARTH_RADIUS_M } from "../geo/enu.js";

/**
 * Equirectangular metres around a fixed origin. Only for candidate search and heatmap cells: the east
 * scale is exact at the origin's latitude and off by |cos φ − cos φ0| / cos φ0 elsewhere (≈ 0.3 % across
 * a 20 km region at 52°N), so callers pad search radii with `PLANE_RADIUS_PAD`.
 */
export class LocalPlane {
  readonly mPerDegLat: number;
  readonly mPerDegLon: number;
  constructor(
    readonly lat0: number,
    readonly lon0: number,
  ) {
    this.mPerDegLat = EARTH_RADIUS_M * DEG;
    this.mPerDegLon = this.mPerDegLat * Math.max(1e-6, Math.cos(lat0 * DEG));
  }
  x(lon: number): number {
    let d = lon - this.lon0;
    if (d > 180)
      d -= 360; // regions straddling the antimeridian
    else if (d < -180) d += 360;
    return d * this.mPerDegLon;
  }
  y(lat: number): number {
    return (lat - this.lat0) * this.mPerDegLat;
  }
  lat(y: number): number {
    return this.lat0 + y / this.mPerDegLat;
  }
  lon(x: number): number {
    return this.lon0 + x / this.mPerDegLon;
  }
}

/** Relative padding for radii measured on a LocalPlane (scale error plus the plane vs tangent-plane gap). */
export const PLANE_RADIUS_PAD = 1.01;

const NONE = -1;

export class SpatialGrid {
  readonly cellM: number;
  private readonly inv: number;
  capacity = 0;
  /** Slots currently in the grid. */
  size = 0;
  x!: Float64Array;
  y!: Float64Array;
  private cx!: Int32Array;
  private cy!: Int32Array;
  private next!: Int32Array;
  private prev!: Int32Array;
  private inGrid!: Uint8Array;
  private heads!: Int32Array;
  private mask = 0;

  /** `cellM` should be about the typical query radius / 2; 64-256 m suits R = 15 m, T = 5 s. */
  constructor(cellM: number, capacity = 1024) {
    if (!(cellM > 0)) throw new RangeError(`grid cell size must be positive, got ${cellM}`);
    this.cellM = cellM;
    this.inv = 1 / cellM;
    this.ensureCapacity(capacity);
  }

  has(slot: number): boolean {
    return slot < this.capacity && this.inGrid[slot] === 1;
  }

  /** Inserts, or moves a slot already present (re-linking only when its cell changes). */
  move(slot: number, x: number, y: number): void {
    const cx = Math.floor(x * this.inv);
    const cy = Math.floor(y * this.inv);
    this.x[slot] = x;
    this.y[slot] = y;
    if (this.inGrid[slot] === 1) {
      if (this.cx[slot] === cx && this.cy[slot] === cy) return;
      this.unlink(slot);
    } else {
      this.inGrid[slot] = 1;
      this.size++;
    }
    this.cx[slot] = cx;
    this.cy[slot] = cy;
    const b = this.bucket(cx, cy);
    const head = this.heads[b]!;
    this.prev[slot] = NONE;
    this.next[slot] = head;
    if (head !== NONE) this.prev[head] = slot;
    this.heads[b] = slot;
  }

  remove(slot: number): void {
    if (!this.has(slot)) return;
    this.unlink(slot);
    this.inGrid[slot] = 0;
    this.size--;
  }

  /**
   * Slots within `r` (inclusive) of (x, y), except `exclude`, written to `out` with squared distances
   * in `outD2`. Returns how many there are, which may exceed `out.length` (only that many are written:
   * grow the buffers and query again).
   */
  query(x: number, y: number, r: number, exclude: number, out: Int32Array, outD2: Float64Array): number {
    const r2 = r * r;
    const x0 = Math.floor((x - r) * this.inv);
    const x1 = Math.floor((x + r) * this.inv);
    const y0 = Math.floor((y - r) * this.inv);
    const y1 = Math.floor((y + r) * this.inv);
    const cap = out.length;
    let n = 0;
    // A radius covering more cells than there are drones: a linear scan is cheaper and still exact.
    if ((x1 - x0 + 1) * (y1 - y0 + 1) > this.size) {
      for (let s = 0; s < this.capacity; s++) {
        if (this.inGrid[s] !== 1 || s === exclude) continue;
        const dx = this.x[s]! - x;
        const dy = this.y[s]! - y;
        const d2 = dx * dx + dy * dy;
        if (d2 <= r2) {
          if (n < cap) {
            out[n] = s;
            outD2[n] = d2;
          }
          n++;
        }
      }
      return n;
    }
    for (let cx = x0; cx <= x1; cx++) {
      for (let cy = y0; cy <= y1; cy++) {
        // Several cells share a bucket: the cell check keeps a slot from being reported twice.
        for (let s = this.heads[this.bucket(cx, cy)]!; s !== NONE; s = this.next[s]!) {
          if (this.cx[s] !== cx || this.cy[s] !== cy || s === exclude) continue;
          const dx = this.x[s]! - x;
          const dy = this.y[s]! - y;
          const d2 = dx * dx + dy * dy;
          if (d2 <= r2) {
            if (n < cap) {
              out[n] = s;
              outD2[n] = d2;
            }
            n++;
          }
        }
      }
    }
    return n;
  }

  /** Grows per-slot arrays (and the bucket table, ≈ 2 buckets per slot) to at least `capacity`. */
  ensureCapacity(capacity: number): void {
    if (capacity <= this.capacity) return;
    const grow = <T extends Float64Array | Int32Array | Uint8Array>(fresh: T, old: T | undefined): T => {
      if (old) fresh.set(old as never);
      return fresh;
    };
    this.x = grow(new Float64Array(capacity), this.x);
    this.y = grow(new Float64Array(capacity), this.y);
    this.cx = grow(new Int32Array(capacity), this.cx);
    this.cy = grow(new Int32Array(capacity), this.cy);
    this.next = grow(new Int32Array(capacity), this.next);
    this.prev = grow(new Int32Array(capacity), this.prev);
    this.inGrid = grow(new Uint8Array(capacity), this.inGrid);
    this.capacity = capacity;
    let buckets = 1024;
    while (buckets < capacity * 2) buckets *= 2;
    if (!this.heads || buckets !== this.heads.length) this.rehash(buckets);
  }

  /** Bytes of per-slot arrays and buckets per slot of capacity. */
  bytesPerSlot(): number {
    const per = 8 + 8 + 4 + 4 + 4 + 4 + 1;
    return per + this.heads.byteLength / this.capacity;
  }

  private rehash(buckets: number): void {
    this.heads = new Int32Array(buckets).fill(NONE);
    this.mask = buckets - 1;
    for (let s = 0; s < this.capacity; s++) {
      if (this.inGrid[s] !== 1) continue;
      const b = this.bucket(this.cx[s]!, this.cy[s]!);
      const head = this.heads[b]!;
      this.prev[s] = NONE;
      this.next[s] = head;
      if (head !== NONE) this.prev[head] = s;
      this.heads[b] = s;
    }
  }

  private unlink(slot: number): void {
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p !== NONE) this.next[p] = n;
    else this.heads[this.bucket(this.cx[slot]!, this.cy[slot]!)] = n;
    if (n !== NONE) this.prev[n] = p;
  }

  private bucket(cx: number, cy: number): number {
    return (Math.imul(cx, 0x9e3779b1) ^ Math.imul(cy, 0x85ebca77)) & this.mask;
  }
}
