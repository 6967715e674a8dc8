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
const MIN_ARENA = 4096;

/**
 * Batches live about a second (until the region's checkpoint acks them), longer than V8's young
 * generation keeps anything: one object and one ArrayBuffer per batch would be promoted and fill the
 * old generation, a major GC every few seconds at 500 sockets (scripts/profile/heap-profile.ts). So
 * the bytes are copied into one growing arena and the entries are parallel arrays of numbers; a view
 * is made only to replay.
 */
export class ReplayBuffer {
  /** Entries oldest first, ordered by seq, from `head`; evicted-in-the-middle ones are dead (alive 0). */
  private seq: number[] = [];
  private sentAt: number[] = [];
  private pointsOf: number[] = [];
  private health: number[] = [];
  private alive: number[] = [];
  private offset: number[] = [];
  private length: number[] = [];
  private head = 0;
  private arena = new Uint8Array(MIN_ARENA);
  /** End of the used part of the arena. */
  private arenaEnd = 0;
  private totalBytes = 0;
  private healthOnlyCount = 0;
  private liveCount = 0;
  /** Points evicted over the link's life. */
  lostPoints = 0;

  constructor(private readonly opts: ReplayOptions) {}

  get bytes(): number {
    return this.totalBytes;
  }
  get size(): number {
    return this.liveCount;
  }

  /** Memory the buffer holds for bytes (its arena), for tests and stats. */
  get arenaBytes(): number {
    return this.arena.length;
  }

  /** Gateway clock of the oldest unacknowledged batch's first send, or NaN when none waits. */
  get oldestSentAtMs(): number {
    const i = this.firstAlive();
    return i < 0 ? NaN : this.sentAt[i]!;
  }

  /**
   * Keeps a sent batch (its bytes are copied) until acked. Then enforces the bounds: batches older
   * than replayMaxMs go (nobody could use them: the region ignores states that old), and while over
   * replayMaxBytes the oldest health-only batch goes, then the oldest batch of any kind. Returns the
   * evicted batches (usually none), oldest first.
   */
  push(entry: ReplayEntry, nowMs: number): readonly Eviction[] {
    const n = entry.bytes.length;
    this.reserve(n);
    this.arena.set(entry.bytes, this.arenaEnd);
    this.seq.push(entry.seq);
    this.sentAt.push(entry.sentAtMs);
    this.pointsOf.push(entry.points);
    this.health.push(entry.healthOnly ? 1 : 0);
    this.alive.push(1);
    this.offset.push(this.arenaEnd);
    this.length.push(n);
    this.arenaEnd += n;
    this.totalBytes += n;
    this.liveCount++;
    if (entry.healthOnly) this.healthOnlyCount++;
    return this.trim(nowMs);
  }

  /** Applies the bounds at nowMs without pushing (e.g. from the session's timer). */
  trim(nowMs: number): readonly Eviction[] {
    let ev: Eviction[] | null = null;
    for (let i = this.firstAlive(); i >= 0 && nowMs - this.sentAt[i]! > this.opts.replayMaxMs; i = this.firstAlive()) ev = this.evict(ev, i, "age");
    for (let i = this.head; i < this.seq.length && this.totalBytes > this.opts.replayMaxBytes && this.healthOnlyCount > 0; i++)
      if (this.alive[i] === 1 && this.health[i] === 1) ev = this.evict(ev, i, "bytes");
    for (let i = this.firstAlive(); i >= 0 && this.totalBytes > this.opts.replayMaxBytes; i = this.firstAlive()) ev = this.evict(ev, i, "bytes");
    this.compact();
    return ev ?? NONE;
  }

  /** The region has applied every batch up to and including cumulativeSeq. Returns how many were freed. */
  ack(cumulativeSeq: number): number {
    let n = 0;
    for (let i = this.firstAlive(); i >= 0 && this.seq[i]! <= cumulativeSeq; i = this.firstAlive()) {
      this.remove(i);
      n++;
    }
    this.compact();
    return n;
  }

  /** Unacknowledged batches, oldest first, to send again after a reconnect (views into the buffer). */
  pending(): readonly ReplayEntry[] {
    const out: ReplayEntry[] = [];
    for (let i = this.head; i < this.seq.length; i++) {
      if (this.alive[i] !== 1) continue;
      const o = this.offset[i]!;
      out.push({ seq: this.seq[i]!, bytes: this.arena.subarray(o, o + this.length[i]!), sentAtMs: this.sentAt[i]!, points: this.pointsOf[i]!, healthOnly: this.health[i] === 1 });
    }
    return out;
  }

  /** Index of the oldest live entry, -1 when none; dead entries at the head are skipped for good. */
  private firstAlive(): number {
    while (this.head < this.seq.length && this.alive[this.head] !== 1) this.head++;
    return this.head < this.seq.length ? this.head : -1;
  }

  private remove(i: number): void {
    this.alive[i] = 0;
    this.totalBytes -= this.length[i]!;
    this.liveCount--;
    if (this.health[i] === 1) this.healthOnlyCount--;
  }

  private evict(ev: Eviction[] | null, i: number, why: Eviction["why"]): Eviction[] {
    this.remove(i);
    ev ??= [];
    ev.push({ seq: this.seq[i]!, points: this.pointsOf[i]!, healthOnly: this.health[i] === 1, why });
    this.lostPoints += this.pointsOf[i]!;
    return ev;
  }

  /** Room for `n` more bytes at the arena's end: move the live part to the front, or grow. */
  private reserve(n: number): void {
    if (this.arenaEnd + n <= this.arena.length) return;
    const i = this.firstAlive();
    const from = i < 0 ? this.arenaEnd : this.offset[i]!;
    const used = this.arenaEnd - from;
    // Half empty after the move, so moves stay rare; a mostly idle arena gives memory back.
    let size = this.arena.length;
    while (used + n > size / 2) size *= 2;
    while (size > MIN_ARENA && used + n <= size / 8) size /= 2;
    const target = size === this.arena.length ? this.arena : new Uint8Array(size);
    if (target === this.arena) this.arena.copyWithin(0, from, this.arenaEnd);
    else target.set(this.arena.subarray(from, this.arenaEnd), 0);
    this.arena = target;
    for (let k = this.head; k < this.offset.length; k++) this.offset[k]! -= from;
    this.arenaEnd = used;
  }

  /** Drops the consumed prefix of the entry arrays once it dominates. */
  private compact(): void {
    this.firstAlive();
    if (this.head === this.seq.length) {
      this.seq.length = this.sentAt.length = this.pointsOf.length = this.health.length = this.alive.length = this.offset.length = this.length.length = 0;
      this.head = 0;
      this.arenaEnd = 0;
    } else if (this.head > 64 && this.head * 2 > this.seq.length) {
      const h = this.head;
      this.seq = this.seq.slice(h);
      this.sentAt = this.sentAt.slice(h);
      this.pointsOf = this.pointsOf.slice(h);
      this.health = this.health.slice(h);
      this.alive = this.alive.slice(h);
      this.offset = this.offset.slice(h);
      this.length = this.length.slice(h);
      this.head = 0;
    }
  }
}
