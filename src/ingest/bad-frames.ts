/**
 * Bad frames of one connection in a sliding window: a client that keeps sending frames the gateway
 * cannot read is broken or hostile, and is closed once it passes the limit (BAD_FRAME_LIMIT per
 * BAD_FRAME_WINDOW_MS); an occasional bad frame only earns an error frame.
 */
export class BadFrameWindow {
  private readonly times: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Records one bad frame at `nowMs`; true when the window now holds more than the limit. */
  record(nowMs: number): boolean {
    const t = this.times;
    t.push(nowMs);
    while (t.length > 0 && t[0]! <= nowMs - this.windowMs) t.shift();
    return t.length > this.limit;
  }
}
