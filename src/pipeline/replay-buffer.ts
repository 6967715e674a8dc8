/**
 * One upstream link's unacknowledged batches, kept so they can be sent again after a reconnect (a
 * region object loses its sockets on every deploy or eviction, PLATFORM.md). Bounded by age and bytes;
 * what does not fit is evicted, health-only batches first, and every lost point is reported.
 */
import type { Options } from "../config.js";

export type ReplayOptions = Pick<Options, "replayMaxMs" | "replayMaxBytes">;

export interface ReplayEntry {
  /** Link sequence number, increasing by one per batch (u32: wraps after ~7 years at 20 batches/s). */
  seq: number;
  /** The encoded batch, sent as is on replay. */
  bytes: Uint8Array;
  /** Gateway clock at the first send. */
  sentAtMs: number;
  /** Home and ghost points in the batch. */
  points: number;
  /** True when no point in it moved (battery or status only): the cheapest loss. */
  healthOnly: boolean;
}

/** One batch a push or trim threw away. The session reports `points` to the client and counts them. */
export interface Eviction {
  seq: number;
  points: number;
  healthOnly: boolean;
  why: "age" | "bytes";
}

const NONE: readonly Eviction[] = Object.freeze([]);

export class ReplayBuffer {
  /** Oldest first, ordered by seq. A head index makes acks O(acked) without shifting. */
  private entries: ReplayEntry[] = [];
  private head = 0;
  private totalBytes = 0;
  private healthOnlyCount = 0;
  /** Points evicted over the link's life. */
  lostPoints = 0;

  constructor(private readonly opts: ReplayOptions) {}

  get bytes(): number {
    return this.totalBytes;
  }
  get size(): number {
    return this.entries.length - this.head;
  }

  /**
   * Keeps a sent batch until acked. Then enforces the bounds: batches older than replayMaxMs go
   * (nobody could use them: the region ignores states that old), and while over replayMaxBytes the
   * oldest health-only batch goes, then the oldest batch of any kind. Returns the evicted batches (usually none), oldest first.
   */
  push(entry: ReplayEntry, nowMs: number): readonly Eviction[] {
    this.entries.push(entry);
    this.totalBytes += entry.bytes.length;
    if (entry.healthOnly) this.healthOnlyCount++;
    return this.trim(nowMs);
  }

  /** Applies the bounds at nowMs without pushing (e.g. from the session's timer). */
  trim(nowMs: number): readonly Eviction[] {
    let ev: Eviction[] | null = null;
    while (this.head < this.entries.length && nowMs - this.entries[this.head]!.sentAtMs > this.opts.replayMaxMs)
      ev = this.count(ev, this.removeHead(), "age");
    if (this.totalBytes > this.opts.replayMaxBytes && this.healthOnlyCount > 0) {
      // Compacting once makes the middle removals a single pass.
      const kept: ReplayEntry[] = [];
      for (let i = this.head; i < this.entries.length; i++) {
        const e = this.entries[i]!;
        if (e.healthOnly && this.totalBytes > this.opts.replayMaxBytes) ev = this.count(ev, this.forget(e), "bytes");
        else kept.push(e);
      }
      this.entries = kept;
      this.head = 0;
    }
    while (this.totalBytes > this.opts.replayMaxBytes && this.head < this.entries.length)
      ev = this.count(ev, this.removeHead(), "bytes");
    this.compact();
    return ev ?? NONE;
  }

  /** The region has applied every batch up to and including cumulativeSeq. Returns how many were freed. */
  ack(cumulativeSeq: number): number {
    let n = 0;
    while (this.head < this.entries.length && this.entries[this.head]!.seq <= cumulativeSeq) {
      this.removeHead();
      n++;
    }
    this.compact();
    return n;
  }

  /** Unacknowledged batches, oldest first, to send again after a reconnect. */
  pending(): readonly ReplayEntry[] {
    return this.head === 0 ? this.entries : this.entries.slice(this.head);
  }

  private removeHead(): ReplayEntry {
    const e = this.entries[this.head]!;
    this.entries[this.head++] = undefined as unknown as ReplayEntry; // let the bytes be collected
    return this.forget(e);
  }

  private forget(e: ReplayEntry): ReplayEntry {
    this.totalBytes -= e.bytes.length;
    if (e.healthOnly) this.healthOnlyCount--;
    return e;
  }

  private count(ev: Eviction[] | null, e: ReplayEntry, why: Eviction["why"]): Eviction[] {
    ev ??= [];
    ev.push({ seq: e.seq, points: e.points, healthOnly: e.healthOnly, why });
    this.lostPoints += e.points;
    return ev;
  }

  private compact(): void {
    if (this.head === this.entries.length) (this.entries.length = 0), (this.head = 0);
    else if (this.head > 64 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
