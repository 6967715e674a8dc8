/**
 * A connection's keep-alive: a Ping every period, and a connection silent for longer than the idle
 * timeout declared dead (a half-open TCP connection never delivers a close). Also matches pongs to
 * their pings for the round trip and the server's clock offset.
 */

export class Keepalive {
  private timer: ReturnType<typeof setInterval> | null = null;
  private seq = 0;
  /** Ping nonce → client time it was sent, ms (this session's only). */
  private readonly inFlight = new Map<number, number>();
  private lastHeardMs = 0;

  constructor(private readonly now: () => number) {}

  /** Anything arrived from the server. */
  heard(): void {
    this.lastHeardMs = this.now();
  }

  nextNonce(): number {
    return ++this.seq;
  }

  sent(nonce: number): void {
    this.inFlight.set(nonce, this.now());
  }

  /** Round trip and server − client clock of a pong; NaN for a pong that answers no ping of this session. */
  answered(nonce: number, serverTimeMs: number): { rttMs: number; clockOffsetMs: number } {
    const sent = this.inFlight.get(nonce);
    this.inFlight.delete(nonce);
    if (sent === undefined) return { rttMs: Number.NaN, clockOffsetMs: Number.NaN };
    const rttMs = this.now() - sent;
    return { rttMs, clockOffsetMs: serverTimeMs - (sent + rttMs / 2) };
  }

  /** Every `everyMs`: `ping()`, or `idle()` once nothing was heard for `idleMs`. */
  start(everyMs: number, idleMs: number, ping: () => void, idle: () => void): void {
    this.stop();
    this.heard();
    if (everyMs <= 0) return;
    this.timer = setInterval(() => {
      if (this.now() - this.lastHeardMs > idleMs) idle();
      else ping();
    }, everyMs);
  }

  /** Stops the timer and forgets this session's pings. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  reset(): void {
    this.stop();
    this.inFlight.clear();
  }
}
