/**
 * One connection's rate limits, charged before the work they protect (issue 11): frames/s and bytes/s
 * per connection on the raw frame, the decompressed bytes before decompressing, the frame's points
 * before building them (connection points/s: the drone rate × the drones the token may carry), pings,
 * then points/s per drone. A throttled rate-limit notice, and a cumulative abuse score
 * (abuse-score.ts: offering over 10× the limits → close 1008). Pure; the session passes nowMs.
 */
import type { Options } from "../config.js";
import { TokenBucket } from "./token-bucket.js";
import { ACCEPTED, type Accepted, CLOSED_ABUSE, type Closed, LIMITED, type Limited } from "./outcome.js";
import { AbuseScore } from "./abuse-score.js";
import { ABUSE_FACTOR, NOTICE_INTERVAL_MS, CONN_BURST_S, ABUSE_WINDOW_MS, PING_BURST, PING_RATE_PER_S, QUOTA_REFUSED_WEIGHT } from "../tunables.js";

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
  /** The connection's points, charged per frame before its points are built. */
  private readonly points: TokenBucket;
  private readonly pings: TokenBucket;
  private readonly drones = new Map<string, TokenBucket>();
  private lastDroneId = "";
  private lastDrone: TokenBucket | null = null;
  private scale: number;
  /** The most drones this connection may carry: 1 for a drone token, the relay's allow-list or relayMaxDrones. */
  private readonly entitlement: number;
  /** A drone bucket untouched this long is full again, so forgetting it changes nothing. */
  private readonly idleMs: number;
  private lastSweepMs: number;

  private dropped = 0;
  private retryAtMs = 0;
  private lastNoticeMs = -Infinity;

  private readonly abuse: AbuseScore;
  private offeredFrames = 0;
  private offeredBytes = 0;
  private offeredPoints = 0;
  private admittedPoints = 0;
  /** Points admitted in the last whole window: what a relay really carries (its connection limits follow it). */
  private admittedLastWindow = 0;

  constructor(
    private readonly opts: RateLimitOptions,
    nowMs: number,
    dronesCarried = 1,
    entitlement = 1,
  ) {
    this.entitlement = Math.max(1, Math.min(Math.floor(entitlement) || 1, opts.relayMaxDrones));
    this.scale = this.scaleFor(dronesCarried);
    const f = opts.connFramesPerS * this.scale;
    this.frames = new TokenBucket(f, f * CONN_BURST_S, nowMs);
    this.bytes = new TokenBucket(opts.connBytesPerS * this.scale, this.bytesBurst(this.scale), nowMs);
    this.points = new TokenBucket(opts.droneRate * this.entitlement, opts.droneBurst * this.entitlement, nowMs);
    this.pings = new TokenBucket(PING_RATE_PER_S, PING_BURST, nowMs);
    this.idleMs = Math.max(ABUSE_WINDOW_MS, Math.ceil((opts.droneBurst / opts.droneRate) * 1000));
    this.lastSweepMs = nowMs;
    this.abuse = new AbuseScore(opts.abuseCloseMs, nowMs);
  }

  /** A relay's frame and byte limits scale with the drones it carries, capped by its entitlement. */
  setDronesCarried(n: number, nowMs: number): void {
    const scale = this.scaleFor(n);
    if (scale === this.scale) return;
    this.scale = scale;
    const f = this.opts.connFramesPerS * this.scale;
    this.frames.reconfigure(f, f * CONN_BURST_S, nowMs);
    this.bytes.reconfigure(this.opts.connBytesPerS * this.scale, this.bytesBurst(this.scale), nowMs);
  }

  /**
   * The drones a relay carries, judged by the points it had admitted in the last second (at the drone
   * rate each), not by the ids it has named: naming 2,000 ids once no longer buys 2,000× the frames.
   */
  get dronesCarried(): number {
    return Math.max(1, Math.ceil(this.admittedLastWindow / this.opts.droneRate));
  }

  /** Drones with a live bucket (bounded by relayMaxDrones). */
  get trackedDrones(): number {
    return this.drones.size;
  }

  /** One incoming frame of `bytes` raw bytes, before anything is read from it. */
  admitFrame(bytes: number, nowMs: number): LimitVerdict {
    this.roll(nowMs);
    this.offeredFrames++;
    this.offeredBytes += bytes;
    if (this.isAbusive()) return CLOSED_ABUSE;
    if (!this.frames.take(1, nowMs)) return this.drop(0, this.frames.retryAfterMs(nowMs), LIMITED.frames, nowMs);
    if (!this.bytes.take(bytes, nowMs)) return this.drop(0, this.bytes.retryAfterMs(nowMs, bytes), LIMITED.bytes, nowMs);
    return ACCEPTED;
  }

  /** Bytes the connection may still decompress now: the bound given to the decompressor. */
  bytesAvailable(nowMs: number): number {
    return this.bytes.available(nowMs);
  }

  /** Charges `extra` decompressed bytes beyond the raw frame (already charged): up to what is left. */
  chargeBytes(extra: number, nowMs: number): void {
    if (extra <= 0) return;
    this.offeredBytes += extra;
    this.bytes.takeUpTo(extra, nowMs);
  }

  /**
   * A frame's `n` points, before they are built. The frame is built only when the connection's points
   * bucket covers it, or is full (a frame larger than the burst: its excess is then dropped point by
   * point by the drone buckets); otherwise it is refused whole, unread. So building costs at most one
   * burst's worth of frames per refill, whatever the frames declare.
   */
  admitPoints(n: number, nowMs: number): LimitVerdict {
    this.roll(nowMs);
    this.offeredPoints += n;
    if (this.isAbusive()) return CLOSED_ABUSE;
    const need = Math.min(n, this.points.burst);
    if (need > 0 && !this.points.take(need, nowMs)) return this.drop(n, this.points.retryAfterMs(nowMs, need), LIMITED.points, nowMs);
    if (n > need) this.points.takeUpTo(n - need, nowMs);
    return ACCEPTED;
  }

  /** A ping: answered at most PING_RATE_PER_S a second (after a burst); over that, dropped unanswered. */
  admitPing(nowMs: number): LimitVerdict {
    this.roll(nowMs);
    // An unanswered ping is offered traffic like a frame: a ping flood turns the window abusive.
    if (!this.pings.take(1, nowMs)) {
      this.offeredFrames += ABUSE_FACTOR;
      return this.isAbusive() ? CLOSED_ABUSE : LIMITED.pings;
    }
    return ACCEPTED;
  }

  /** One point of `droneId`, after its frame was admitted. */
  admitPoint(droneId: string, nowMs: number): LimitVerdict {
    this.roll(nowMs);
    if (this.abuse.over) return CLOSED_ABUSE;
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
    this.admittedPoints++;
    return ACCEPTED;
  }

  /** `n` points refused by a fleet quota the client was told of: offered traffic, QUOTA_REFUSED_WEIGHT times over. */
  chargeRefused(n: number, nowMs: number): LimitVerdict {
    this.roll(nowMs);
    this.offeredPoints += n * QUOTA_REFUSED_WEIGHT;
    return this.isAbusive() ? CLOSED_ABUSE : ACCEPTED;
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

  /** The abuse score so far (ms of abusive windows, less what calm ones forgave). */
  get abuseScore(): number {
    return this.abuse.value;
  }

  private drop(points: number, retryMs: number, verdict: LimitVerdict, nowMs: number): LimitVerdict {
    this.dropped += points;
    const at = nowMs + (Number.isFinite(retryMs) ? retryMs : NOTICE_INTERVAL_MS);
    if (at > this.retryAtMs) this.retryAtMs = at;
    return verdict;
  }

  private scaleFor(drones: number): number {
    return Math.max(1, Math.min(Math.floor(drones) || 1, this.entitlement));
  }

  /** A frame must fit in the bytes bucket at all, so its burst is at least one largest frame. */
  private bytesBurst(scale: number): number {
    return Math.max(this.opts.connBytesPerS * scale * CONN_BURST_S, this.opts.maxFrameBytes);
  }

  /** A new window: counts start over, and a relay's frame and byte limits follow what it carried in the last one. */
  private roll(nowMs: number): void {
    const ended = this.abuse.roll(nowMs);
    if (ended === 0) return;
    // After a silent window the relay carried nothing: a burst of names before a pause buys no frames after it.
    this.admittedLastWindow = ended === 1 ? this.admittedPoints : 0;
    this.offeredFrames = this.offeredBytes = this.offeredPoints = this.admittedPoints = 0;
    if (this.entitlement > 1) this.setDronesCarried(this.dronesCarried, nowMs);
  }

  /**
   * True once the abuse score passes its limit. A window turns abusive the moment the client has
   * offered more than ABUSE_FACTOR × its limits in it, so a flood is judged before its window ends.
   */
  private isAbusive(): boolean {
    if (this.abuse.over) return true;
    const s = this.scale * ABUSE_FACTOR;
    const over =
      this.offeredFrames > this.opts.connFramesPerS * s ||
      this.offeredBytes > this.opts.connBytesPerS * s ||
      this.offeredPoints > this.opts.droneRate * this.entitlement * ABUSE_FACTOR;
    return over && this.abuse.abusive();
  }
}
