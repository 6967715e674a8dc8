/**
 * Jittered exponential backoff for upstream reconnects. After a deploy every gateway connection of a
 * region reconnects at once; jitter spreads them so the new object is not hit by one synchronized wave.
 * The random source is injectable (seeded in tests and benchmarks).
 */

/** First delay's cap, ms (proposed option RECONNECT_BASE_MS). */
export const BACKOFF_BASE_MS = 100;
/** Largest delay, ms (proposed option RECONNECT_MAX_MS). */
export const BACKOFF_MAX_MS = 10_000;

export interface BackoffOptions {
  /** Cap of the first delay, ms. Default: BACKOFF_BASE_MS */
  baseMs?: number;
  /** Cap of any delay, ms. Default: BACKOFF_MAX_MS */
  maxMs?: number;
  /** Growth of the cap per attempt. Default: 2 */
  factor?: number;
  /**
   * Share of the cap that is random: delay = cap·(1 − jitter) + cap·jitter·random(). 1 is "full
   * jitter", which spreads best but may retry at once; 0.5 keeps a floor. Default: 0.5
   */
  jitter?: number;
  /** Uniform [0, 1) source. Default: Math.random */
  random?: () => number;
}

export interface Backoff {
  /** The delay before the next attempt, ms; each call is one more attempt. */
  next(): number;
  /** A connection succeeded: start again from the base. */
  reset(): void;
  /** Attempts since the last reset. */
  readonly attempts: number;
}

export function createBackoff(options: BackoffOptions = {}): Backoff {
  const o = resolve(options);
  let attempts = 0;
  return {
    next: function nextBackoffDelay(): number {
      return delayFor(attempts++, o);
    },
    reset: function resetBackoff(): void {
      attempts = 0;
    },
    get attempts() {
      return attempts;
    },
  };
}

/**
 * The delay before reconnect attempt `attempt` (0 for the first), for callers that keep the attempt
 * count themselves: the same formula as createBackoff's next().
 */
export function nextBackoffMs(attempt: number, options: BackoffOptions = {}): number {
  const o = resolve(options);
  return delayFor(Math.max(0, attempt), o);
}

function resolve(options: BackoffOptions): Required<BackoffOptions> {
  const o = {
    baseMs: options.baseMs ?? BACKOFF_BASE_MS,
    maxMs: options.maxMs ?? BACKOFF_MAX_MS,
    factor: options.factor ?? 2,
    jitter: options.jitter ?? 0.5,
    random: options.random ?? Math.random,
  };
  if (!(o.baseMs > 0) || !(o.maxMs >= o.baseMs)) throw new RangeError(`backoff needs 0 < baseMs ≤ maxMs, got ${o.baseMs}, ${o.maxMs}`);
  if (!(o.factor >= 1)) throw new RangeError(`backoff factor must be ≥ 1, got ${o.factor}`);
  if (!(o.jitter >= 0 && o.jitter <= 1)) throw new RangeError(`backoff jitter must be in [0, 1], got ${o.jitter}`);
  return o;
}

function delayFor(attempt: number, o: Required<BackoffOptions>): number {
  // Clamp the exponent: factor ** attempt overflows to Infinity after ~1000 attempts at factor 2.
  const cap = Math.min(o.maxMs, o.baseMs * o.factor ** Math.min(attempt, 1000));
  return Math.round(cap * (1 - o.jitter) + cap * o.jitter * o.random());
}
