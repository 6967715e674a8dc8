/**
 * Points of one client frame arrive together: the batches they flush (drones in proximity, full
 * batches) leave as one message per region once the whole frame is handled, not one each (a region
 * pays per message). Merges a frame's flushed batches per region, up to the batch size cap.
 */
import { countersOnly, type FlushedBatch } from "./batcher.js";

export class FrameBatches {
  /**
   * The frame's batches, one per region (a frame reaches few regions: a list, reused, not a Map per frame),
   * in [0, n): emptied by count, not by `length = 0`, which gave its backing store up for a new one per frame.
   */
  private readonly frame: (FlushedBatch | null)[] = [];
  private n = 0;
  private open = false;

  constructor(
    private readonly maxPoints: number,
    /** Where a batch goes when it leaves. */
    private readonly send: (b: FlushedBatch) => void,
  ) {}

  /** A frame starts: batches are held and merged until `end`. */
  begin(): void {
    this.open = true;
  }

  /** A flushed batch: sent at once outside a frame, merged into the frame's batch for its region inside one; null: none. */
  add(b: FlushedBatch | null): void {
    if (b === null) return;
    if (!this.open) {
      this.send(b);
      return;
    }
    const frame = this.frame;
    let i = 0;
    while (i < this.n && frame[i]!.regionKey !== b.regionKey) i++;
    const prev = i < this.n ? frame[i]! : null;
    if (!prev) {
      frame[this.n++] = b;
    } else if (prev.points.length + b.points.length <= this.maxPoints) {
      const ghost = new Uint8Array(prev.points.length + b.points.length);
      ghost.set(prev.ghost);
      ghost.set(b.ghost, prev.points.length);
      frame[i] = {
        regionKey: b.regionKey,
        points: prev.points.concat(b.points),
        ghost,
        urgent: prev.urgent || b.urgent,
        receivedMs: prev.receivedMs.concat(b.receivedMs),
        counters: null,
      };
    } else {
      this.send(prev);
      frame[i] = b;
    }
  }

  /** Each of `bs`, in order (indexed: a for-of allocated an iterator and a result per step). */
  addAll(bs: readonly FlushedBatch[]): void {
    for (let i = 0; i < bs.length; i++) this.add(bs[i]!);
  }

  /** A batch of no points for each of `regions`: their waiting counter deltas leave. */
  addCountersOnly(regions: readonly string[]): void {
    for (let i = 0; i < regions.length; i++) this.add(countersOnly(regions[i]!));
  }

  /** The frame is handled (or the session ends in the middle of one): its batches leave. */
  end(): void {
    if (!this.open) return;
    this.open = false;
    const frame = this.frame;
    const n = this.n;
    this.n = 0;
    for (let i = 0; i < n; i++) {
      const b = frame[i]!;
      frame[i] = null; // not kept alive (and promoted) until the next frame
      this.send(b);
    }
  }
}
