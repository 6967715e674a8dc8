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
/** One link's side of the policy; the ledger keeps it in the link's record (one lookup per batch for every concern). */
export interface AckState {
  /** Batches since the last ack. */
  batches: number;
  lastAckMs: number;
  /** Batches in this tick, which decide `early` at the next. */
  thisTick: number;
  /** Busy in the previous tick: acked early, its batches kept for the journal. */
  early: boolean;
}

export class AckPolicy {
  constructor(
    private readonly minBatches: number,
    private readonly minIntervalMs: number,
  ) {}

  /** A link first heard at `nowMs`: quiet until a tick finds it busy. */
  newState(nowMs: number): AckState {
    return { batches: 0, lastAckMs: nowMs, thisTick: 0, early: false };
  }

  /** One more batch of the link applied; true when it should be acked now (its batches were kept). */
  applied(l: AckState, nowMs: number): boolean {
    l.batches++;
    l.thisTick++;
    return l.early && l.batches >= this.minBatches && nowMs - l.lastAckMs >= this.minIntervalMs;
  }

  /** Whether the link's batches must be kept for the journal until the next checkpoint. */
  keeps(l: AckState): boolean {
    return l.early;
  }

  acked(l: AckState, nowMs: number): void {
    l.batches = 0;
    l.lastAckMs = nowMs;
  }

  /** A checkpoint, for each link: it is acked, and whether it is busy enough to be acked early is decided anew. */
  tick(l: AckState): void {
    l.early = l.thisTick >= this.minBatches;
    l.thisTick = 0;
  }
}
