/**
 * Each home drone's recent track for the ops view (`/v1/regions/:r/drones/:id/track`): at most one
 * sample a second (the region's tick), the last `seconds` of them, in a ring per drone. Memory: 16
 * bytes a sample (time, lat, lon, altitude as Int32), so the default 300 s is 4.8 KB for a drone that
 * has flown five minutes: 4.7 MiB per 1,000 drones, far above the table's ~256 B per drone, hence an
 * option (TRACK_SECONDS; 0 turns tracks off; 600 doubles it). Rings grow as they fill, so a drone
 * seen for a minute costs a minute. Memory only: a restarted region starts its tracks afresh.
 */

/** One sample of a track: measurement time (unix ms), position (degrees) and altitude (m). */
export interface TrackSample {
  timeMs: number;
  lat: number;
  lon: number;
  altM: number;
}

const FIRST_CAPACITY = 16;
const INTS_PER_SAMPLE = 4;
/** Time is kept in ms after the ring's base; a ring older than this (~24 days) starts afresh. */
const MAX_SPAN_MS = 2 ** 31 - 1;
/** Samples closer than this are not both kept: "one a second", with room for a tick's jitter. */
const MIN_GAP_MS = 900;

class Ring {
  /** [time ms after baseMs, lat 1e-7°, lon 1e-7°, alt cm] per sample. */
  data: Int32Array;
  head = 0;
  size = 0;
  lastTimeMs = -Infinity;
  constructor(
    readonly baseMs: number,
    capacity: number,
  ) {
    this.data = new Int32Array(capacity * INTS_PER_SAMPLE);
  }

  get capacity(): number {
    return this.data.length / INTS_PER_SAMPLE;
  }
}

export class TrackRings {
  private readonly rings = new Map<string, Ring>();

  /** `seconds`: samples kept per drone (one a second at most). */
  constructor(private readonly seconds: number) {}

  get drones(): number {
    return this.rings.size;
  }

  /** Bytes held by the samples' arrays (rings grow by doubling up to `seconds`). */
  bytes(): number {
    let b = 0;
    for (const r of this.rings.values()) b += r.data.byteLength;
    return b;
  }

  /**
   * Adds a drone's latest state when it is at least a second newer than the last sample (a drone that
   * stopped reporting adds nothing). Non-finite or out-of-range values are not recorded.
   */
  record(droneId: string, timeMs: number, lat: number, lon: number, altM: number): void {
    if (this.seconds <= 0 || !Number.isFinite(timeMs) || !(Math.abs(lat) <= 90) || !(Math.abs(lon) <= 180) || !Number.isFinite(altM)) return;
    let r = this.rings.get(droneId);
    if (!r || timeMs - r.baseMs > MAX_SPAN_MS) {
      r = new Ring(timeMs, Math.min(FIRST_CAPACITY, this.seconds));
      this.rings.set(droneId, r);
    }
    if (timeMs < r.lastTimeMs + MIN_GAP_MS || timeMs < r.baseMs) return;
    if (r.size === r.capacity && r.capacity < this.seconds) grow(r, Math.min(this.seconds, r.capacity * 2));
    const cap = r.capacity;
    const i = ((r.head + r.size) % cap) * INTS_PER_SAMPLE;
    r.data[i] = Math.round(timeMs - r.baseMs);
    r.data[i + 1] = Math.round(lat * 1e7);
    r.data[i + 2] = Math.round(lon * 1e7);
    r.data[i + 3] = Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(altM * 100)));
    if (r.size < cap) r.size++;
    else r.head = (r.head + 1) % cap;
    r.lastTimeMs = timeMs;
  }

  /** A drone's samples measured at or after `sinceMs`, oldest first, at most `limit` (the oldest ones: a page). */
  track(droneId: string, sinceMs: number, limit = Infinity): TrackSample[] {
    const r = this.rings.get(droneId);
    if (!r) return [];
    const out: TrackSample[] = [];
    const cap = r.capacity;
    for (let k = 0; k < r.size && out.length < limit; k++) {
      const i = ((r.head + k) % cap) * INTS_PER_SAMPLE;
      const timeMs = r.baseMs + r.data[i]!;
      if (timeMs < sinceMs) continue;
      out.push({ timeMs, lat: r.data[i + 1]! / 1e7, lon: r.data[i + 2]! / 1e7, altM: r.data[i + 3]! / 100 });
    }
    return out;
  }

  /** Forgets one drone's track (a brief drone, evicted early: docs/security.md). */
  forget(droneId: string): void {
    this.rings.delete(droneId);
  }

  /** Forgets drones whose last sample is older than `cutoffMs` (evicted, or gone for the whole window). */
  forgetBefore(cutoffMs: number): void {
    for (const [id, r] of this.rings) if (r.lastTimeMs < cutoffMs) this.rings.delete(id);
  }
}

function grow(r: Ring, capacity: number): void {
  const next = new Int32Array(capacity * INTS_PER_SAMPLE);
  const cap = r.capacity;
  for (let k = 0; k < r.size; k++)
    next.set(r.data.subarray(((r.head + k) % cap) * INTS_PER_SAMPLE, ((r.head + k) % cap) * INTS_PER_SAMPLE + INTS_PER_SAMPLE), k * INTS_PER_SAMPLE);
  r.data = next;
  r.head = 0;
}
