/**
 * An ingest hub's micro-batching, pure: the gateway links' batches that arrive within one window go to
 * the region as one bundle, so the region sees one message a window per hub instead of one per drone
 * report. A window closes at its deadline (the first batch's arrival + windowMs), when it holds
 * maxBatches, or when an urgent batch (a drone in proximity of another) joins it: that makes the window
 * due now, and the hub sends it as soon as it has handled what is already queued to it (a zero-delay
 * timer). So an idle hub holds an urgent batch for no time at all, as the gateway would not have, while a
 * busy one sends the urgent batches of one burst as one bundle: the region pays per message.
 */
export class HubWindow<T> {
  private batches: T[] = [];
  private deadlineMs = Infinity;

  constructor(
    private readonly windowMs: number,
    private readonly maxBatches: number,
  ) {}

  /** Adds one gateway batch; returns the batches to bundle and send now (a full window), or null: see `due`. */
  add(batch: T, urgent: boolean, nowMs: number): T[] | null {
    this.batches.push(batch);
    if (this.batches.length === 1) this.deadlineMs = nowMs + this.windowMs;
    if ((urgent || this.windowMs <= 0) && nowMs < this.deadlineMs) this.deadlineMs = nowMs;
    return this.batches.length >= this.maxBatches ? this.take() : null;
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
