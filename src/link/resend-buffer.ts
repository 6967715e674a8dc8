/**
 * One upstream link's unacknowledged batches, kept so they can be sent again after a reconnect (a
 * region object loses its sockets on every deploy or eviction, docs/platform.md). Bounded by age and bytes;
 * what does not fit is evicted, oldest first, and every lost point is reported. No batch is cheaper
 * to lose than another: a hovering drone's refresh carries its freshness, which the region needs
 * (a state older than the stale limit is not used), as much as a moving drone's report does.
 */
import type { Options } from "../config.js";

export type ResendOptions = Pick<Options, "resendMaxMs" | "resendMaxBytes">;

export interface ResendEntry {
  /** Link sequence number, increasing by one per batch (u32: wraps after ~7 years at 20 batches/s). */
  seq: number;
  /** The encoded batch, sent as is on a resend. */
  bytes: Uint8Array;
  /** Gateway clock at the first send. */
  sentAtMs: number;
  /** Home and ghost points in the batch. */
  points: number;
}

/** One batch a push or trim threw away. The session reports `points` to the client and counts them. */
export interface Eviction {
  seq: number;
  points: number;
  why: "age" | "bytes";
}

const NONE: readonly Eviction[] = Object.freeze([]);
const MIN_ARENA = 4096;
const MIN_ENTRIES = 16;
/** Entry room kept when the buffer empties. */
const MAX_IDLE_ENTRIES = 1024;

/**
 * Batches live about a second (until the region's checkpoint acks them), longer than V8's young
 * generation keeps anything: one object and one ArrayBuffer per batch would be promoted and fill the
 * old generation, a major GC every few seconds at 500 sockets (scripts/profile/heap-profile.ts). So
 * the bytes are copied into one growing arena and the entries are parallel columns of numbers, kept
 * (not emptied) when everything is acked: a link acked batch by batch would allocate all five anew per
 * batch. A view is made only to resend.
 */
export class ResendBuffer {
  /** Entries oldest first, ordered by seq, in [head, count); those before `head` are gone (acked or evicted: both take the oldest). */
  private seq = new Float64Array(MIN_ENTRIES);
  private sentAt = new Float64Array(MIN_ENTRIES);
  private pointsOf = new Float64Array(MIN_ENTRIES);
  private offset = new Float64Array(MIN_ENTRIES);
  private length = new Float64Array(MIN_ENTRIES);
  private head = 0;
  private count = 0;
  private arena = new Uint8Array(MIN_ARENA);
  /** End of the used part of the arena. */
  private arenaEnd = 0;
  private totalBytes = 0;
  /** Points evicted over the link's life. */
  lostPoints = 0;

  constructor(private readonly opts: ResendOptions) {}

  get bytes(): number {
    return this.totalBytes;
  }
  get size(): number {
    return this.count - this.head;
  }

  /**
   * How far the buffer has gone into its bounds at nowMs: the oldest batch's age over resendMaxMs, or
   * the bytes held over resendMaxBytes, the larger (1 and past: evictions are due); 0 when empty, or
   * when even the oldest batch is younger than `graceMs`.
   */
  fill(nowMs: number, graceMs = 0): number {
    const i = this.oldest();
    if (i < 0) return 0;
    const age = nowMs - this.sentAt[i]!;
    if (age < graceMs) return 0;
    return Math.max(age / this.opts.resendMaxMs, this.totalBytes / this.opts.resendMaxBytes);
  }

  /** Memory the buffer holds for bytes (its arena), for tests and stats. */
  get arenaBytes(): number {
    return this.arena.length;
  }

  /**
   * Keeps a sent batch (its bytes are copied) until acked. Then enforces the bounds: batches older
   * than resendMaxMs go (nobody could use them: the region ignores states that old), and while over
   * resendMaxBytes the oldest batch goes. Returns the
   * evicted batches (usually none), oldest first.
   */
  push(entry: ResendEntry, nowMs: number): readonly Eviction[] {
    return this.pushBytes(entry.bytes, entry.bytes.length, entry.seq, entry.sentAtMs, entry.points, nowMs);
  }

  /** `push` of the first `n` bytes of `src` (a view or an entry per batch would be one more object each). */
  pushBytes(src: Uint8Array, n: number, seq: number, sentAtMs: number, points: number, nowMs: number): readonly Eviction[] {
    this.reserve(n);
    const arena = this.arena;
    const end = this.arenaEnd;
    if (n === src.length) arena.set(src, end);
    else for (let k = 0; k < n; k++) arena[end + k] = src[k]!;
    if (this.count === this.seq.length) this.resizeEntries(2 * this.count);
    const i = this.count++;
    this.seq[i] = seq;
    this.sentAt[i] = sentAtMs;
    this.pointsOf[i] = points;
    this.offset[i] = this.arenaEnd;
    this.length[i] = n;
    this.arenaEnd += n;
    this.totalBytes += n;
    return this.trim(nowMs);
  }

  /** Applies the bounds at nowMs without pushing (e.g. from the session's timer). */
  trim(nowMs: number): readonly Eviction[] {
    let ev: Eviction[] | null = null;
    for (let i = this.oldest(); i >= 0 && nowMs - this.sentAt[i]! > this.opts.resendMaxMs; i = this.oldest()) ev = this.evict(ev, i, "age");
    for (let i = this.oldest(); i >= 0 && this.totalBytes > this.opts.resendMaxBytes; i = this.oldest()) ev = this.evict(ev, i, "bytes");
    this.compact();
    return ev ?? NONE;
  }

  /** The region has applied every batch up to and including cumulativeSeq. Returns how many were freed. */
  ack(cumulativeSeq: number): number {
    let n = 0;
    for (let i = this.oldest(); i >= 0 && this.seq[i]! <= cumulativeSeq; i = this.oldest()) {
      this.remove(i);
      n++;
    }
    this.compact();
    return n;
  }

  /** Unacknowledged batches, oldest first, to send again after a reconnect (views into the buffer). */
  pending(): readonly ResendEntry[] {
    const out: ResendEntry[] = [];
    for (let i = this.head; i < this.count; i++) {
      const o = this.offset[i]!;
      out.push({ seq: this.seq[i]!, bytes: this.arena.subarray(o, o + this.length[i]!), sentAtMs: this.sentAt[i]!, points: this.pointsOf[i]! });
    }
    return out;
  }

  /** Index of the oldest entry still held, -1 when none. */
  private oldest(): number {
    return this.head < this.count ? this.head : -1;
  }

  /** Lets the oldest entry (`i` is always `head`) go. */
  private remove(i: number): void {
    this.totalBytes -= this.length[i]!;
    this.head = i + 1;
  }

  private evict(ev: Eviction[] | null, i: number, why: Eviction["why"]): Eviction[] {
    this.remove(i);
    ev ??= [];
    ev.push({ seq: this.seq[i]!, points: this.pointsOf[i]!, why });
    this.lostPoints += this.pointsOf[i]!;
    return ev;
  }

  /** Room for `n` more bytes at the arena's end: move the live part to the front, or grow. */
  private reserve(n: number): void {
    if (this.arenaEnd + n <= this.arena.length) return;
    const i = this.oldest();
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
    for (let k = this.head; k < this.count; k++) this.offset[k]! -= from;
    this.arenaEnd = used;
  }

  /** Drops the consumed prefix of the entry columns once it dominates. */
  private compact(): void {
    if (this.head === this.count) {
      this.head = this.count = 0;
      this.arenaEnd = 0;
      // Columns grown by a long outage go back once it has drained.
      if (this.seq.length > MAX_IDLE_ENTRIES) this.resizeEntries(MIN_ENTRIES);
    } else if (this.head >= MIN_ENTRIES / 2 && this.head * 2 > this.count) {
      // Early, while few are held: a link acked once a second keeps its first columns, instead of growing
      // them (five new arrays each time) until 64 were gone.
      const h = this.head;
      const n = this.count;
      this.seq.copyWithin(0, h, n);
      this.sentAt.copyWithin(0, h, n);
      this.pointsOf.copyWithin(0, h, n);
      this.offset.copyWithin(0, h, n);
      this.length.copyWithin(0, h, n);
      this.count -= h;
      this.head = 0;
    }
  }

  /** Room for `n` entries (at least those held, which start at 0 here). */
  private resizeEntries(n: number): void {
    const resize = (col: Float64Array) => {
      const next = new Float64Array(n);
      next.set(col.subarray(0, this.count));
      return next;
    };
    this.seq = resize(this.seq);
    this.sentAt = resize(this.sentAt);
    this.pointsOf = resize(this.pointsOf);
    this.offset = resize(this.offset);
    this.length = resize(this.length);
  }
}
