/**
 * Points of one client frame arrive together: the batches they flush (drones in proximity, full
 * batches) leave as one message per region once the whole frame is handled, not one each (a region
 * pays per message). Merges a frame's flushed batches per region, up to the batch size cap.
 */
import type { FlushedBatch } from "./batcher.js";

export class FrameBatches {
  /** The frame's batches, one per region (a frame reaches few regions: a list, reused, not a Map per frame). */
  private readonly frame: FlushedBatch[] = [];
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

  /** A flushed batch: sent at once outside a frame, merged into the frame's batch for its region inside one. */
  add(b: FlushedBatch): void {
    if (!this.open) {
      this.send(b);
      return;
    }
    const frame = this.frame;
    let i = 0;
    while (i < frame.length && frame[i]!.regionKey !== b.regionKey) i++;
    const prev = frame[i];
    if (!prev) {
      frame.push(b);
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
      };
    } else {
      this.send(prev);
      frame[i] = b;
    }
  }

  /** The frame is handled (or the session ends in the middle of one): its batches leave. */
  end(): void {
    if (!this.open) return;
    this.open = false;
    const frame = this.frame;
    for (let i = 0; i < frame.length; i++) this.send(frame[i]!);
    frame.length = 0;
  }
}
