/**
 * Points of one client frame arrive together: the batches they flush (drones in proximity, full
 * batches) leave as one message per region once the whole frame is handled, not one each (a region
 * pays per message). Merges a frame's flushed batches per region, up to the batch size cap.
 */
import type { FlushedBatch } from "./batcher.js";

export class FrameBatches {
  private pending: Map<string, FlushedBatch> | null = null;

  constructor(
    private readonly maxPoints: number,
    /** Where a batch goes when it leaves. */
    private readonly send: (b: FlushedBatch) => void,
  ) {}

  /** A frame starts: batches are held and merged until `end`. */
  begin(): void {
    this.pending = new Map();
  }

  /** A flushed batch: sent at once outside a frame, merged into the frame's batch for its region inside one. */
  add(b: FlushedBatch): void {
    const frame = this.pending;
    if (!frame) {
      this.send(b);
      return;
    }
    const prev = frame.get(b.regionKey);
    if (!prev) {
      frame.set(b.regionKey, b);
    } else if (prev.points.length + b.points.length <= this.maxPoints) {
      const ghost = new Uint8Array(prev.points.length + b.points.length);
      ghost.set(prev.ghost);
      ghost.set(b.ghost, prev.points.length);
      frame.set(b.regionKey, {
        regionKey: b.regionKey,
        points: prev.points.concat(b.points),
        ghost,
        urgent: prev.urgent || b.urgent,
        receivedMs: prev.receivedMs.concat(b.receivedMs),
      });
    } else {
      this.send(prev);
      frame.set(b.regionKey, b);
    }
  }

  /** The frame is handled (or the session ends in the middle of one): its batches leave. */
  end(): void {
    const frame = this.pending;
    this.pending = null;
    if (frame) for (const b of frame.values()) this.send(b);
  }
}
