/**
 * When a region acknowledges a gateway link between its one-second checkpoints: cumulatively, and
 * never more often than every `minIntervalMs` and `minBatches` batches of that link. A quiet link
 * (a drone socket at 10 Hz) is acked by the checkpoint instead: acks are messages too.
 */
export class AckPolicy {
  private readonly links = new Map<string, { batches: number; lastAckMs: number }>();

  constructor(
    private readonly minBatches: number,
    private readonly minIntervalMs: number,
  ) {}

  /** One more batch of `linkId` applied; true when it should be acked now. */
  applied(linkId: string, nowMs: number): boolean {
    let l = this.links.get(linkId);
    if (!l) this.links.set(linkId, (l = { batches: 0, lastAckMs: nowMs }));
    l.batches++;
    return l.batches >= this.minBatches && nowMs - l.lastAckMs >= this.minIntervalMs;
  }

  acked(linkId: string, nowMs: number): void {
    const l = this.links.get(linkId);
    if (l) {
      l.batches = 0;
      l.lastAckMs = nowMs;
    }
  }

  forget(linkId: string): void {
    this.links.delete(linkId);
  }
}
