/**
 * One connection's rate limits: frames/s and bytes/s per connection (scaled for relays by the drones
 * they carry), points/s per drone, a throttled rate-limit notice, and abuse detection (sustained 10×
 * over the limit → close 1008). Pure; the gateway session feeds it each frame and point with nowMs.
 */
import type { Options } from "../config.js";
import { TokenBucket } from "./token-bucket.js";
import { ACCEPTED, type Accepted, CLOSED_ABUSE, type Closed, LIMITED, type Limited } from "./outcome.js";
import { ABUSE_FACTOR, ABUSE_WINDOW_MS, NOTICE_INTERVAL_MS, CONN_BURST_S } from "../tunables.js";

export type RateLimitOptions = Pick<
  Options,
  "droneRate" | "droneBurst" | "connFramesPerS" | "connBytesPerS" | "relayMaxDrones" | "abuseCloseMs" | "maxFrameBytes"
>;

/** A limiter's verdict on a frame or a point. */
export type LimitVerdict = Accepted | Limited | Closed;

/** What the session tells the client after dropping points: how many, and when to try again. */
export interface RateLimitNotice {
  dropped: number;
  retryAfterMs: number;
}

export class ConnectionLimiter {
  private readonly frames: TokenBucket;
  private readonly bytes: TokenBucket;
  private readonly drones = new Map<string, TokenBucket>();
  private lastDroneId = "";
  private lastDrone: TokenBucket | null = null;
  private scale: number;
  /** A drone bucket untouched this long is full again, so forgetting it changes nothing. */
  private readonly idleMs: number;
  private lastSweepMs: number;

  private dropped = 0;
  private retryAtMs = 0;
  private lastNoticeMs = -Infinity;

  private windowStartMs: number;
  private offeredFrames = 0;
  private offeredBytes = 0;
  private offeredPoints = 0;
  private windowAbusive = false;
  /** Start of the current run of abusive windows, NaN when the client is within 10×. */
  private abusiveSinceMs = NaN;

  constructor(
    private readonly opts: RateLimitOptions,
    nowMs: number,
    dronesCarried = 1,
  ) {
    this.scale = this.scaleFor(dronesCarried);
    const f = opts.connFramesPerS * this.scale;
    this.frames = new TokenBucket(f, f * CONN_BURST_S, nowMs);
    this.bytes = new TokenBucket(opts.connBytesPerS * this.scale, this.bytesBurst(this.scale), nowMs);
    this.idleMs = Math.max(ABUSE_WINDOW_MS, Math.ceil((opts.droneBurst / opts.droneRate) * 1000));
    this.lastSweepMs = nowMs;
    this.windowStartMs = nowMs;
  }

  /** A relay's connection limits scale with the drones it carries, capped by relayMaxDrones. */
  setDronesCarried(n: number, nowMs: number): void {
    const scale = this.scaleFor(n);
    if (scale === this.scale) return;
    this.scale = scale;
    const f = this.opts.connFramesPerS * this.scale;
    this.frames.reconfigure(f, f * CONN_BURST_S, nowMs);
    this.bytes.reconfigure(this.opts.connBytesPerS * this.scale, this.bytesBurst(this.scale), nowMs);
  }

  /** Drones with a live bucket (bounded by relayMaxDrones). */
  get trackedDrones(): number {
    return this.drones.size;
  }

  /** One incoming frame of `bytes` carrying `points` points. Limited frames count their points as dropped. */
  admitFrame(bytes: number, points: number, nowMs: number): LimitVerdict {
    this.rollWindow(nowMs);
    this.offeredFrames++;
    this.offeredBytes += bytes;
    if (this.isAbusive(nowMs)) return CLOSED_ABUSE;
    if (!this.frames.take(1, nowMs)) return this.drop(points, this.frames.retryAfterMs(nowMs), LIMITED.frames, nowMs);
    if (!this.bytes.take(bytes, nowMs)) return this.drop(points, this.bytes.retryAfterMs(nowMs, bytes), LIMITED.bytes, nowMs);
    return ACCEPTED;
  }

  /** One point of `droneId`, after its frame was admitted. */
  admitPoint(droneId: string, nowMs: number): LimitVerdict {
    this.rollWindow(nowMs);
    this.offeredPoints++;
    if (this.isAbusive(nowMs)) return CLOSED_ABUSE;
    if (nowMs - this.lastSweepMs >= this.idleMs) this.sweep(nowMs);
    let bucket = droneId === this.lastDroneId ? this.lastDrone : null;
    if (bucket === null) {
      bucket = this.drones.get(droneId) ?? null;
      if (bucket === null) {
        if (this.drones.size >= this.opts.relayMaxDrones) this.sweep(nowMs);
        if (this.drones.size >= this.opts.relayMaxDrones) return this.drop(1, this.idleMs, LIMITED.drones, nowMs);
        bucket = new TokenBucket(this.opts.droneRate, this.opts.droneBurst, nowMs);
        this.drones.set(droneId, bucket);
      }
      this.lastDroneId = droneId;
      this.lastDrone = bucket;
    }
    if (!bucket.take(1, nowMs)) return this.drop(1, bucket.retryAfterMs(nowMs), LIMITED.drone, nowMs);
    return ACCEPTED;
  }

  /**
   * The notice to send now, if points were dropped and none was sent in the last second; null
   * otherwise. Taking it resets the dropped count.
   */
  takeNotice(nowMs: number): RateLimitNotice | null {
    if (this.dropped === 0 || nowMs - this.lastNoticeMs < NOTICE_INTERVAL_MS) return null;
    const notice = { dropped: this.dropped, retryAfterMs: Math.max(0, this.retryAtMs - nowMs) };
    this.dropped = 0;
    this.retryAtMs = 0;
    this.lastNoticeMs = nowMs;
    return notice;
  }

  /** Forgets drone buckets that have refilled; returns how many. Called on its own every idleMs. */
  sweep(nowMs: number): number {
    this.lastSweepMs = nowMs;
    let n = 0;
    for (const [id, bucket] of this.drones) {
      if (bucket.isFull(nowMs)) {
        this.drones.delete(id);
        n++;
      }
    }
    if (this.lastDrone !== null && !this.drones.has(this.lastDroneId)) {
      this.lastDrone = null;
      this.lastDroneId = "";
    }
    return n;
  }

  private drop(points: number, retryMs: number, verdict: LimitVerdict, nowMs: number): LimitVerdict {
    this.dropped += points;
    const at = nowMs + (Number.isFinite(retryMs) ? retryMs : NOTICE_INTERVAL_MS);
    if (at > this.retryAtMs) this.retryAtMs = at;
    return verdict;
  }

  private scaleFor(drones: number): number {
    return Math.max(1, Math.min(Math.floor(drones) || 1, this.opts.relayMaxDrones));
  }

  /** A frame must fit in the bytes bucket at all, so its burst is at least one largest frame. */
  private bytesBurst(scale: number): number {
    return Math.max(this.opts.connBytesPerS * scale * CONN_BURST_S, this.opts.maxFrameBytes);
  }

  /** Starts a new abuse window when the current one is over; a calm or skipped window ends a run. */
  private rollWindow(nowMs: number): void {
    const elapsed = nowMs - this.windowStartMs;
    if (elapsed < ABUSE_WINDOW_MS) return;
    if (!this.windowAbusive || elapsed >= 2 * ABUSE_WINDOW_MS) this.abusiveSinceMs = NaN;
    this.windowStartMs += Math.floor(elapsed / ABUSE_WINDOW_MS) * ABUSE_WINDOW_MS;
    this.offeredFrames = this.offeredBytes = this.offeredPoints = 0;
    this.windowAbusive = false;
  }

  /**
   * True when the client has offered more than ABUSE_FACTOR × its limits in every window for at least
   * abuseCloseMs. A window turns abusive the moment its count passes the threshold, so a flood is
   * judged before its window ends.
   */
  private isAbusive(nowMs: number): boolean {
    if (!this.windowAbusive) {
      const s = this.scale * ABUSE_FACTOR;
      this.windowAbusive =
        this.offeredFrames > this.opts.connFramesPerS * s || this.offeredBytes > this.opts.connBytesPerS * s || this.offeredPoints > this.opts.droneRate * s;
      if (!this.windowAbusive) return false;
      if (Number.isNaN(this.abusiveSinceMs)) this.abusiveSinceMs = this.windowStartMs;
    }
    return nowMs - this.abusiveSinceMs >= this.opts.abuseCloseMs;
  }
}
