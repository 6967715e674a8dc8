/**
 * Which batches of one gateway link a region has applied, so that every batch is applied exactly
 * once even when batches arrive out of order (observed in workerd when a link's sends come from
 * different event handlers) or again after a reconnect. `floor` is the highest sequence with every
 * lower one applied: the cumulative ack. Sequences applied above a gap are remembered until the gap
 * fills; a gap the gateway can no longer fill (its resend buffer gave the batch up) is closed after
 * `gapTimeoutMs`.
 */

export interface LinkSequenceState {
  floor: number;
  above: number[];
}

export class LinkSequence {
  floor: number;
  private readonly above = new Set<number>();
  private gapSinceMs = NaN;

  constructor(state: LinkSequenceState = { floor: 0, above: [] }) {
    this.floor = state.floor;
    for (const s of state.above) if (s > this.floor) this.above.add(s);
  }

  /** True when batch `seq` was applied before (drop it). */
  seen(seq: number): boolean {
    return seq <= this.floor || this.above.has(seq);
  }

  /** Records batch `seq` as applied. */
  applied(seq: number, nowMs: number): void {
    if (this.seen(seq)) return;
    if (seq === this.floor + 1) {
      this.floor = seq;
      this.advance();
    } else {
      this.above.add(seq);
      if (Number.isNaN(this.gapSinceMs)) this.gapSinceMs = nowMs;
    }
    if (this.above.size === 0) this.gapSinceMs = NaN;
  }

  /**
   * Closes a gap older than `gapTimeoutMs` (its batch was lost for good upstream and counted there);
   * returns how many sequence numbers were skipped.
   */
  expireGap(nowMs: number, gapTimeoutMs: number): number {
    if (this.above.size === 0 || nowMs - this.gapSinceMs < gapTimeoutMs) return 0;
    let lowest = Infinity;
    for (const s of this.above) if (s < lowest) lowest = s;
    const skipped = lowest - 1 - this.floor;
    this.floor = lowest - 1;
    this.advance();
    this.gapSinceMs = this.above.size > 0 ? nowMs : NaN;
    return skipped;
  }

  state(): LinkSequenceState {
    return { floor: this.floor, above: [...this.above].sort((a, b) => a - b) };
  }

  private advance(): void {
    while (this.above.delete(this.floor + 1)) this.floor++;
  }
}
