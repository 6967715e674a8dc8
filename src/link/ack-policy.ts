/**
 * When a region acknowledges a gateway link between its one-second checkpoints: cumulatively, and
 * never more often than every `minIntervalMs` and `minBatches` batches of that link. A quiet link
 * (a drone socket at 10 Hz) is acked by the checkpoint instead: acks are messages too.
 *
 * Acking between checkpoints needs the link's batches in the journal, so the region keeps a batch's
 * bytes until the tick only for links that may be acked early: those that were busy (at least
 * `minBatches` batches) in the previous tick. Keeping every quiet link's batches for a second would
 * have them outlive the young generation and fill the old one (a major GC every few seconds at 500
 * sockets, scripts/profile/heap-profile.ts); a link that turns busy is acked early from its next tick.
 */
export class AckPolicy {
  private readonly links = new Map<string, { batches: number; lastAckMs: number; thisTick: number; early: boolean }>();

  constructor(
    private readonly minBatches: number,
    private readonly minIntervalMs: number,
  ) {}

  /** One more batch of `linkId` applied; true when it should be acked now (its batches were kept). */
  applied(linkId: string, nowMs: number): boolean {
    let l = this.links.get(linkId);
    if (!l) {
      l = { batches: 0, lastAckMs: nowMs, thisTick: 0, early: false };
      this.links.set(linkId, l);
    }
    l.batches++;
    l.thisTick++;
    return l.early && l.batches >= this.minBatches && nowMs - l.lastAckMs >= this.minIntervalMs;
  }

  /** Whether `linkId`'s batches must be kept for the journal until the next checkpoint. */
  keeps(linkId: string): boolean {
    return this.links.get(linkId)?.early ?? false;
  }

  acked(linkId: string, nowMs: number): void {
    const l = this.links.get(linkId);
    if (l) {
      l.batches = 0;
      l.lastAckMs = nowMs;
    }
  }

  /** A checkpoint: every link is acked, and who is busy enough to be acked early is decided anew. */
  tick(): void {
    for (const l of this.links.values()) {
      l.early = l.thisTick >= this.minBatches;
      l.thisTick = 0;
    }
  }

  forget(linkId: string): void {
    this.links.delete(linkId);
  }
}
