/**
 * Reconnect delays: exponential with "equal jitter" (half fixed, half random), so a fleet that lost its
 * gateway at once does not come back in lockstep, yet no client retries at ~0 ms in a tight loop.
 */

export interface BackoffOptions {
  /** First delay, ms. Default: 250 */
  initialMs?: number;
  /** Largest delay, ms. Default: 30000 */
  maxMs?: number;
  /** Growth per failed attempt. Default: 2 */
  factor?: number;
  /** Random source in [0, 1); injectable for tests. Default: Math.random */
  random?: () => number;
}

/** Delay before reconnect attempt `attempt` (0 = the first retry after a drop), ms. */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const initial = opts.initialMs ?? 250;
  const max = opts.maxMs ?? 30_000;
  const factor = opts.factor ?? 2;
  const random = opts.random ?? Math.random;
  // Cap the exponent: factor^attempt overflows to Infinity long before anyone waits that long.
  const ceiling = Math.min(max, initial * Math.pow(factor, Math.min(attempt, 60)));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Counts attempts; `reset()` once a session is established (a welcome arrived), not merely on open. */
export class Backoff {
  private attempt = 0;
  constructor(private readonly opts: BackoffOptions = {}) {}

  /** The next delay, advancing the attempt counter. */
  next(): number {
    return backoffDelay(this.attempt++, this.opts);
  }

  get attempts(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}
