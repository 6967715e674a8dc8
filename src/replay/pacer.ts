/**
 * When each replayed report may go, and the time it is stamped with. At `speed` N a report is due N
 * times faster than recorded (Infinity: "max", at once); on top of that every drone is paced by a
 * token bucket below the edge's own (the welcome's points_per_second and burst_points), so no replay,
 * however fast, loses a point to rate limiting. Stamps are the send time as the edge sees it: never
 * in the future, strictly increasing per drone. Pure: the clock is passed in.
 */

export interface PacerOptions {
  /** Replay speed, × real time; Infinity for "max". */
  speed: number;
  /** Wall clock at offset 0, Unix ms. */
  startMs: number;
  /** The edge's sustained points per second per drone (welcome.pointsPerSecond). */
  pointsPerSecond: number;
  /** The edge's bucket per drone, points (welcome.burstPoints). */
  burstPoints: number;
}

/**
 * Share of the edge's rate and burst the replay uses. The edge charges points when their frame
 * arrives, up to one batch window and some network jitter after they were sent; half the burst and
 * 80 % of the rate leave room for ~1 s of such jitter (burst/2 + 0.8·rate·1 s ≤ burst at 20/s and 40).
 */
export const RATE_SHARE = 0.8;
export const BURST_SHARE = 0.5;

interface DroneState {
  tokens: number;
  atMs: number;
  lastStampMs: number;
}

export class Pacer {
  private readonly rate: number;
  private readonly burst: number;
  private readonly drones = new Map<string, DroneState>();
  private lastSweepMs: number;

  constructor(private readonly o: PacerOptions) {
    if (!(o.speed > 0)) throw new RangeError(`speed must be positive, got ${o.speed}`);
    this.rate = Math.max(0.1, o.pointsPerSecond * RATE_SHARE) / 1000;
    this.burst = Math.max(1, Math.floor(o.burstPoints * BURST_SHARE));
    this.lastSweepMs = o.startMs;
  }

  /** Wall-clock ms at which a report of `droneId` at timeline offset `offsetS` may be sent. */
  dueMs(droneId: string, offsetS: number): number {
    const scheduled = Number.isFinite(this.o.speed) ? this.o.startMs + (offsetS * 1000) / this.o.speed : this.o.startMs;
    const d = this.drones.get(droneId);
    if (!d) return scheduled;
    const tokens = Math.min(this.burst, d.tokens + (scheduled - d.atMs) * this.rate);
    if (tokens >= 1) return scheduled;
    // Not enough by then: when will one token have refilled?
    const ready = d.atMs + (1 - d.tokens) / this.rate;
    return ready > scheduled ? ready : scheduled;
  }

  /** Charges one point of `droneId` sent at `nowMs`; returns its stamp (ms). Call at or after dueMs. */
  take(droneId: string, nowMs: number): number {
    let d = this.drones.get(droneId);
    if (!d) {
      d = { tokens: this.burst, atMs: nowMs, lastStampMs: Number.NEGATIVE_INFINITY };
      this.drones.set(droneId, d);
    }
    d.tokens = Math.min(this.burst, d.tokens + (nowMs - d.atMs) * this.rate) - 1;
    d.atMs = nowMs;
    const stamp = Math.max(Math.round(nowMs), d.lastStampMs + 1);
    d.lastStampMs = stamp;
    if (nowMs - this.lastSweepMs > 10_000) this.sweep(nowMs);
    return stamp;
  }

  /** Drones being paced (bounded: idle, refilled ones are forgotten). */
  get size(): number {
    return this.drones.size;
  }

  /** Forgets drones whose bucket has refilled and whose last stamp is past: they start afresh identically. */
  private sweep(nowMs: number): void {
    this.lastSweepMs = nowMs;
    for (const [id, d] of this.drones) if (d.tokens + (nowMs - d.atMs) * this.rate >= this.burst && d.lastStampMs < nowMs - 1000) this.drones.delete(id);
  }
}
