/**
 * How abusive a connection has been, cumulatively: each one-second window in which the client offered
 * more than ABUSE_FACTOR × its limits adds the window's length to the score, each calm window takes a
 * quarter of that back, and the client is closed once the score passes abuseCloseMs. A steady flood
 * closes after abuseCloseMs as before; one that pauses every other second (which reset the old run of
 * consecutive abusive seconds forever, issue 11) closes after about 2.7 × abuseCloseMs instead of never;
 * an honest client's rare burst is forgotten within seconds. Pure, with the caller's clock.
 */
import { ABUSE_FORGIVE_RATIO, ABUSE_WINDOW_MS } from "../tunables.js";

export class AbuseScore {
  private windowStartMs: number;
  private abusiveNow = false;
  private score = 0;

  constructor(
    private readonly closeAtMs: number,
    nowMs: number,
  ) {
    this.windowStartMs = nowMs;
  }

  /**
   * Moves to the window holding `nowMs`; how many windows ended (0: still the same one; the caller
   * then resets its counts, and past 1 knows the last whole window was silent). Windows that passed
   * without traffic count as calm.
   */
  roll(nowMs: number): number {
    const elapsed = nowMs - this.windowStartMs;
    if (elapsed < ABUSE_WINDOW_MS) return 0;
    const windows = Math.floor(elapsed / ABUSE_WINDOW_MS);
    const calm = this.abusiveNow ? windows - 1 : windows;
    this.score = Math.max(0, this.score - calm * ABUSE_WINDOW_MS * ABUSE_FORGIVE_RATIO);
    this.windowStartMs += windows * ABUSE_WINDOW_MS;
    this.abusiveNow = false;
    return windows;
  }

  /** The current window turned abusive (counted once per window); true when the client must now be closed. */
  abusive(): boolean {
    if (!this.abusiveNow) {
      this.abusiveNow = true;
      this.score += ABUSE_WINDOW_MS;
    }
    return this.score > this.closeAtMs;
  }

  /** Whether the client has already reached the close (every later offer is refused). */
  get over(): boolean {
    return this.score > this.closeAtMs;
  }

  get value(): number {
    return this.score;
  }
}
