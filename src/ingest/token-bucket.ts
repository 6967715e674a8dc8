/**
 * A token bucket with an explicit clock: `rate` tokens per second up to `burst`. No Date.now() inside
 * (in Workers it only advances after I/O, docs/platform.md), so the caller passes nowMs and tests need no
 * sleeps. Used per drone and per connection by rate-limiter.ts.
 */

export class TokenBucket {
  private tokens: number;
  private lastMs: number;
  private perMs: number;
  private cap: number;

  /** Starts full at `nowMs`. */
  constructor(ratePerS: number, burst: number, nowMs: number) {
    checkRate(ratePerS, burst);
    this.perMs = ratePerS / 1000;
    this.cap = burst;
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  get ratePerS(): number {
    return this.perMs * 1000;
  }
  get burst(): number {
    return this.cap;
  }

  /** Tokens available at nowMs (after refill). */
  available(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens;
  }

  /** Takes n tokens if all are available; otherwise takes none. */
  take(n: number, nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Takes as many whole tokens as available, up to n, and returns how many were granted. */
  takeUpTo(n: number, nowMs: number): number {
    this.refill(nowMs);
    const granted = Math.min(n, Math.floor(this.tokens));
    if (granted <= 0) return 0;
    this.tokens -= granted;
    return granted;
  }

  /** Milliseconds until n tokens are available (0 if now); Infinity if n exceeds the burst. */
  retryAfterMs(nowMs: number, n = 1): number {
    this.refill(nowMs);
    if (this.tokens >= n) return 0;
    if (n > this.cap || this.perMs === 0) return Infinity;
    return Math.ceil((n - this.tokens) / this.perMs);
  }

  /** True once the bucket is full again: such a bucket can be forgotten and recreated unchanged. */
  isFull(nowMs: number): boolean {
    this.refill(nowMs);
    return this.tokens >= this.cap;
  }

  /**
   * Changes rate and burst (a relay's limits follow the drones it carries). Tokens keep their value,
   * clipped to the new burst, so a bigger limit does not hand out a fresh burst.
   */
  reconfigure(ratePerS: number, burst: number, nowMs: number): void {
    checkRate(ratePerS, burst);
    this.refill(nowMs);
    this.perMs = ratePerS / 1000;
    this.cap = burst;
    if (this.tokens > burst) this.tokens = burst;
  }

  private refill(nowMs: number): void {
    // A clock that steps back refills nothing and does not move lastMs backwards (no double refill).
    const dt = nowMs - this.lastMs;
    if (!(dt > 0)) return;
    this.lastMs = nowMs;
    const t = this.tokens + dt * this.perMs;
    this.tokens = t > this.cap ? this.cap : t;
  }
}

function checkRate(ratePerS: number, burst: number): void {
  if (!(ratePerS >= 0) || !Number.isFinite(ratePerS)) throw new RangeError(`token rate must be ≥ 0, got ${ratePerS}`);
  if (!(burst > 0) || !Number.isFinite(burst)) throw new RangeError(`token burst must be > 0, got ${burst}`);
}
