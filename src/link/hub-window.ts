/**
 * An ingest hub's micro-batching, pure: the gateway links' batches that arrive within one window go to
 * the region as one bundle, so the region sees one message a window per hub instead of one per drone
 * report. A window closes at its deadline (the first batch's arrival + windowMs), when it holds
 * maxBatches, or at once when an urgent batch (a drone in proximity of another) joins it: the hub must
 * not hold back what the gateway itself would not have.
 */
export class HubWindow<T> {
  private batches: T[] = [];
  private deadlineMs = Infinity;

  constructor(
    private readonly windowMs: number,
    private readonly maxBatches: number,
  ) {}

  /** Adds one gateway batch; returns the batches to bundle and send now, or null to wait. */
  add(batch: T, urgent: boolean, nowMs: number): T[] | null {
    this.batches.push(batch);
    if (this.batches.length === 1) this.deadlineMs = nowMs + this.windowMs;
    return urgent || this.batches.length >= this.maxBatches || this.windowMs <= 0 ? this.take() : null;
  }

  /** The window's batches if its deadline has come, else null. */
  due(nowMs: number): T[] | null {
    return this.batches.length > 0 && nowMs >= this.deadlineMs ? this.take() : null;
  }

  /** When `due` next has something (Infinity: nothing waits). */
  nextDeadline(): number {
    return this.deadlineMs;
  }

  get size(): number {
    return this.batches.length;
  }

  private take(): T[] {
    const out = this.batches;
    this.batches = [];
    this.deadlineMs = Infinity;
    return out;
  }
}
