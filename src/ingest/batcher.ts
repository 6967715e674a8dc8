/**
 * The micro-batcher: points are grouped per region key and flushed as one upstream message when the
 * window closes or the batch is full, because a region object pays per message, not per point
 * (docs/platform.md). Clock-free: the session calls add/due with nowMs and arms its timer at nextDeadline().
 *
 * Proximity flush: the region names its drones in proximity of another (setProximity); their points
 * flush at once.
 *
 * Nothing more to wait for: the session reports each frame's arrival (arrival()). When its frames come
 * further apart than the window (a drone socket at 10 Hz behind a 50 ms window), no later point can
 * join a batch before its deadline, so waiting would only add latency and a timer: such points leave
 * at once (as one message per region for the frame, see the session). A mistaken estimate costs at most
 * a message that could have been shared; it never delays a point past its deadline.
 *
 * Safety-aware stretch (stretchMaxMs > 0): the region names drones provably too far from every other
 * for a conflict to begin soon (setFar, valid until untilMs on the gateway clock: the region requires
 * distance > R + 2·vmax·(T + validity) for all pairs). A far point may wait up to stretchMaxMs, but only
 * if it will be flushed by untilMs (nowMs + stretchMaxMs ≤ untilMs). Each region has ONE pending list
 * and its deadline is the earliest deadline of its points, so far points ride along with the next
 * normal flush for free and per-drone order is the arrival order.
 *
 * Why no alert is ever later with the stretch (sketch):
 * 1. A non-far point's deadline is its own arrival + window (or now, if the drone is in proximity or the batch is full);
 *    the batch flushes at the minimum deadline of its points, so adding far points never delays it.
 * 2. Let drone a be far over [t0, u]. Speeds are ≤ vmax (faster points are rejected), so while the
 *    verdict holds every other drone is > R + 2·vmax·T away from a: constant-velocity prediction over
 *    [0, T] cannot bring any pair (a, b) within R, with or without a's latest point. So no alert that
 *    involves a can be due in [t0, u]; pairs without a are untouched by step 1.
 * 3. Every far point of a is flushed by u (nowMs + stretchMaxMs ≤ u), so after u the region holds the
 *    same states of a as without the stretch: every later prediction is identical.
 * 4. A revoked verdict (setFar without a, e.g. a newcomer took off next to it) flushes a's pending
 *    points at once; setProximity does the same. Both end the stretch before its proof's premise fails.
 */
import type { Options } from "../config.js";
import type { Counters } from "../wire/counters.js";
import type { TelemetryPoint } from "../wire/point.js";

export type BatcherOptions = Pick<Options, "batchWindowMs" | "batchMaxPoints" | "stretchMaxMs">;

/** One upstream message's payload; the link layer adds seq, traceparent and counters. */
export interface FlushedBatch {
  regionKey: string;
  points: TelemetryPoint[];
  /** 1 where the point is a halo ghost for this region. Read only: shared when all points are home points or all ghosts (sharedFlags). */
  ghost: Uint8Array;
  /** Flushed for a drone in proximity: an ingest hub on the way must not hold it either. */
  urgent?: boolean;
  /** When each point reached the gateway (the `nowMs` of its add): where edge-side alert latency starts. */
  receivedMs: number[];
  /** The counter deltas the session gives the batch when it leaves (the same object goes on: no copy per batch). */
  counters: Counters | null;
}

/** A batch of no points: it carries only its region's counter deltas. */
export function countersOnly(regionKey: string): FlushedBatch {
  return { regionKey, points: [], ghost: sharedFlags(0), urgent: false, receivedMs: [], counters: null };
}

/**
 * Shared ghost flags of `n` points that are all home points (ghost 0) or all ghosts (1): a batch is nearly
 * always one or the other, so not an array each. Never written.
 */
const SHARED_FLAGS: [Uint8Array[], Uint8Array[]] = [[], []];

export function sharedFlags(n: number, ghost: 0 | 1 = 0): Uint8Array {
  let flags = SHARED_FLAGS[ghost][n];
  if (flags === undefined) {
    flags = new Uint8Array(n).fill(ghost);
    SHARED_FLAGS[ghost][n] = flags;
  }
  return flags;
}

/**
 * A region's waiting points. Kept across flushes (a Map entry set and deleted per batch cost a table
 * each time); empty, it holds NO_POINTS and an Infinity deadline, so due() and nextDeadline() pass it by.
 */
interface Pending {
  regionKey: string;
  points: TelemetryPoint[];
  /** Made for the first ghost only (most regions never get one), then kept: zero but for the pending ghosts. */
  ghost: Uint8Array | null;
  ghosts: number;
  receivedMs: number[];
  deadlineMs: number;
  /** True when some point's deadline was stretched past the window. */
  stretched: boolean;
  /** A recycled batch whose object and lists this one reuses (its lists are `points` and `receivedMs`). */
  reuse: FlushedBatch | null;
}

/** Batches kept for reuse (recycle): a few cover a session's regions. */
const MAX_SPARE = 4;

/** An empty entry's arrays, shared: frozen, so a push into one throws rather than mixing batches. */
const NO_POINTS = Object.freeze([]) as unknown as TelemetryPoint[];
const NO_TIMES = Object.freeze([]) as unknown as number[];

interface Verdicts {
  proximity: ReadonlySet<string> | null;
  far: ReadonlySet<string> | null;
  farUntilMs: number;
}

const NONE: readonly FlushedBatch[] = Object.freeze([]);

/** Weight of the newest gap in the mean time between frames. */
const GAP_WEIGHT = 0.25;

export class Batcher {
  private readonly pending = new Map<string, Pending>();
  /** The same entries as a list, walked on every timer: a Map's entry iterator allocates per walk and per entry. */
  private readonly regions: Pending[] = [];
  private readonly verdicts = new Map<string, Verdicts>();
  private readonly spare: FlushedBatch[] = [];
  /** Mean ms between the session's frames (-1 until two have come), and the last one's arrival. */
  private gapMs = -1;
  private lastFrameMs = -Infinity;

  constructor(private readonly opts: BatcherOptions) {}

  /** Points waiting in all regions. */
  get pendingPoints(): number {
    let n = 0;
    for (const b of this.regions) n += b.points.length;
    return n;
  }

  /** A frame of points arrived at `nowMs` (call before adding its points). */
  arrival(nowMs: number): void {
    if (this.lastFrameMs > -Infinity) {
      const gap = Math.max(0, nowMs - this.lastFrameMs);
      this.gapMs = this.gapMs < 0 ? gap : this.gapMs + GAP_WEIGHT * (gap - this.gapMs);
    }
    this.lastFrameMs = nowMs;
  }

  /** Whether the next frame is expected only after `deadlineMs`, so nothing could join a batch by then. */
  private nothingComesBy(deadlineMs: number): boolean {
    return this.gapMs >= 0 && this.lastFrameMs + this.gapMs > deadlineMs;
  }

  /**
   * Queues one point for `regionKey`; returns the batches that must leave now (that region's, when
   * the drone is in proximity, the point fills the batch, or the window is 0), usually none.
   */
  add(regionKey: string, point: TelemetryPoint, ghost: boolean, nowMs: number): readonly FlushedBatch[] {
    const out = this.addOne(regionKey, point, ghost, nowMs);
    return out === null ? NONE : [out];
  }

  /** `add` without a list per call: the batch that must leave now, or null. */
  addOne(regionKey: string, point: TelemetryPoint, ghost: boolean, nowMs: number): FlushedBatch | null {
    let b = this.pending.get(regionKey);
    if (b === undefined) {
      b = { regionKey, points: NO_POINTS, ghost: null, ghosts: 0, receivedMs: NO_TIMES, deadlineMs: Infinity, stretched: false, reuse: null };
      this.pending.set(regionKey, b);
      this.regions.push(b);
    }
    if (ghost) {
      b.ghost ??= new Uint8Array(this.opts.batchMaxPoints);
      b.ghost[b.points.length] = 1;
      b.ghosts++;
    }
    // A batch's arrays start at their first point's size: most leave with that one point.
    if (b.points.length === 0) {
      const r = this.spare.pop();
      if (r === undefined) {
        b.points = [point];
        b.receivedMs = [nowMs];
      } else {
        r.points[0] = point;
        r.receivedMs[0] = nowMs;
        b.points = r.points;
        b.receivedMs = r.receivedMs;
        b.reuse = r;
      }
    } else {
      b.points.push(point);
      b.receivedMs.push(nowMs);
    }
    const v = this.verdicts.get(regionKey);
    if (v?.proximity?.has(point.droneId)) return this.flush(b, true);
    if (b.points.length >= this.opts.batchMaxPoints) return this.flush(b);
    let wait = this.opts.batchWindowMs;
    const stretch = this.opts.stretchMaxMs;
    if (stretch > wait && v?.far?.has(point.droneId) && nowMs + stretch <= v.farUntilMs) {
      wait = stretch;
      b.stretched = true;
    }
    // A stretched point waits on purpose (fewer messages); a windowed one only for company.
    const deadline = wait === this.opts.batchWindowMs && this.nothingComesBy(nowMs + wait) ? nowMs : nowMs + wait;
    if (deadline < b.deadlineMs) b.deadlineMs = deadline;
    return b.deadlineMs <= nowMs ? this.flush(b) : null;
  }

  /** The batches whose deadline has come. */
  due(nowMs: number): readonly FlushedBatch[] {
    let out: FlushedBatch[] | null = null;
    // Indexed: a for-of here allocated an iterator and a result per step (scripts/profile/heap-profile.ts).
    for (let i = 0; i < this.regions.length; i++) {
      const b = this.regions[i]!;
      if (b.deadlineMs > nowMs || b.points.length === 0) continue;
      out ??= [];
      out.push(this.flush(b));
    }
    return out ?? NONE;
  }

  /** Whether the region named the drone in proximity of another or in a conflict (its points never wait, nor are shed). */
  inProximity(regionKey: string, droneId: string): boolean {
    return this.verdicts.get(regionKey)?.proximity?.has(droneId) === true;
  }

  /** Earliest deadline of any pending batch (gateway ms), Infinity when nothing waits. */
  nextDeadline(): number {
    let d = Infinity;
    for (let i = 0; i < this.regions.length; i++) if (this.regions[i]!.deadlineMs < d) d = this.regions[i]!.deadlineMs;
    return d;
  }

  /**
   * Replaces the set of drones of `regionKey` that are near another (proximity flush). Their points
   * never wait: any already pending leave now, in the returned batch.
   */
  setProximity(regionKey: string, droneIds: Iterable<string>): FlushedBatch | null {
    const proximity = new Set(droneIds);
    this.verdicts.set(regionKey, { ...this.verdictsOf(regionKey), proximity: proximity.size > 0 ? proximity : null });
    const b = this.pending.get(regionKey);
    if (b === undefined || b.points.length === 0 || proximity.size === 0) return null;
    for (const p of b.points) if (proximity.has(p.droneId)) return this.flush(b, true);
    return null;
  }

  /**
   * Replaces the set of drones of `regionKey` that are provably far from all others until untilMs
   * (gateway clock; Infinity = until replaced, in which case the region's margin must also cover the
   * age of its states and the time a revocation takes to arrive). Ignored when stretchMaxMs is 0. A
   * stretched batch holding a drone that is no longer far, or waiting past untilMs, leaves now.
   */
  setFar(regionKey: string, droneIds: Iterable<string>, untilMs = Infinity): FlushedBatch | null {
    if (this.opts.stretchMaxMs <= 0) return null;
    const far = new Set(droneIds);
    this.verdicts.set(regionKey, { ...this.verdictsOf(regionKey), far: far.size > 0 ? far : null, farUntilMs: untilMs });
    const b = this.pending.get(regionKey);
    if (b === undefined || b.points.length === 0 || !b.stretched) return null;
    if (b.deadlineMs > untilMs) return this.flush(b);
    for (const p of b.points) if (!far.has(p.droneId)) return this.flush(b);
    return null;
  }

  /** Everything pending, e.g. before the connection closes. */
  drain(): FlushedBatch[] {
    const out: FlushedBatch[] = [];
    for (const b of this.regions) if (b.points.length > 0) out.push(this.flush(b));
    return out;
  }

  private verdictsOf(regionKey: string): Verdicts {
    return this.verdicts.get(regionKey) ?? { proximity: null, far: null, farUntilMs: -Infinity };
  }

  /**
   * A batch the session is done with (encoded, nothing holds it or its lists): a one-point batch's object
   * and lists carry a later batch's first point, not three new ones per batch.
   */
  recycle(b: FlushedBatch): void {
    if (this.spare.length >= MAX_SPARE || b.points.length !== 1 || b.receivedMs.length !== 1 || Object.isFrozen(b.points)) return;
    b.counters = null;
    this.spare.push(b);
  }

  private flush(b: Pending, urgent = false): FlushedBatch {
    const n = b.points.length;
    const ghost = b.ghosts === 0 ? sharedFlags(n) : b.ghosts === n ? sharedFlags(n, 1) : b.ghost!.slice(0, n);
    let out = b.reuse;
    if (out === null) out = { regionKey: b.regionKey, points: b.points, ghost, urgent, receivedMs: b.receivedMs, counters: null };
    else {
      out.regionKey = b.regionKey;
      out.ghost = ghost;
      out.urgent = urgent;
      out.counters = null;
      b.reuse = null;
    }
    b.points = NO_POINTS;
    b.receivedMs = NO_TIMES;
    if (b.ghosts > 0) b.ghost!.fill(0, 0, n);
    b.ghosts = 0;
    b.deadlineMs = Infinity;
    b.stretched = false;
    return out;
  }
}
