/**
 * A gateway connection's counter deltas per region, waiting to ride on the next batch to that region
 * (counters.ts), plus the region each drone was last routed to, so that a point without a usable
 * position (rejected, rate-limited whole frames) is still counted where its drone flies. Bounded: a
 * relay inventing drone ids cannot grow the drone map past `maxDrones`.
 */
import { COUNTER_INDEX, COUNTER_NAMES, newCounters, type CounterName, type Counters } from "../wire/counters.js";
import type { FlushedBatch } from "./batcher.js";
import type { SessionBatch } from "./session-output.js";

const COUNTER_INDEX_SIZE = COUNTER_NAMES.length;

/** A region's entry stays once made (setting and deleting it per batch cost a table each time): null counters when none wait. */
interface Pending {
  region: string;
  counters: Counters | null;
  sinceMs: number;
}

const NONE: readonly string[] = Object.freeze([]);
/** Vectors kept for reuse: a batch's counters come back once its link has encoded them (recycle). */
const MAX_SPARE = 4;

export class PendingCounters {
  private readonly byRegion = new Map<string, Pending>();
  /** The same entries as a list, walked on every timer: a Map's entry iterator allocates per walk and per entry. */
  private readonly entries: Pending[] = [];
  private readonly droneRegion = new Map<string, string>();
  private readonly spare: Counters[] = [];
  /** The first region a batch went to: where the session counts drones never routed anywhere. */
  firstRegion: string | undefined;

  constructor(private readonly maxDrones: number) {}

  count(regionKey: string, name: CounterName, n: number, nowMs: number): void {
    let p = this.byRegion.get(regionKey);
    if (!p) {
      p = { region: regionKey, counters: null, sinceMs: nowMs };
      this.byRegion.set(regionKey, p);
      this.entries.push(p);
    }
    if (p.counters === null) {
      p.counters = this.spare.pop() ?? newCounters();
      p.sinceMs = nowMs;
    }
    p.counters[COUNTER_INDEX[name]]! += n;
  }

  /** countForDrone with the first region a batch went to as the fallback: where the session counts a drone never routed. */
  countForDroneHere(droneId: string, names: CounterName | readonly CounterName[], n: number, nowMs: number): void {
    this.countForDrone(droneId, names, n, nowMs, this.firstRegion);
  }

  /** Remembers where a drone's last good point went. */
  routed(droneId: string, regionKey: string): void {
    if (this.droneRegion.size >= this.maxDrones && !this.droneRegion.has(droneId)) this.droneRegion.clear();
    this.droneRegion.set(droneId, regionKey);
  }

  /**
   * Counts against the drone's last region, else `fallback` (a region this connection already sends
   * to), else nowhere: a point that was not admitted never makes a region of its own (issue 11).
   */
  countForDrone(droneId: string, names: CounterName | readonly CounterName[], n: number, nowMs: number, fallback: string | undefined): void {
    const region = this.droneRegion.get(droneId) ?? fallback;
    if (region === undefined) return;
    if (typeof names === "string") this.count(region, names, n, nowMs);
    else for (let i = 0; i < names.length; i++) this.count(region, names[i]!, n, nowMs);
  }

  /** The region's deltas for a batch about to leave (zeros when none), no longer pending. */
  take(regionKey: string): Counters {
    const p = this.byRegion.get(regionKey);
    const counters = p?.counters ?? this.spare.pop() ?? newCounters();
    if (p) p.counters = null;
    return counters;
  }

  /** `b` leaves now: it carries its region's deltas (taken), its points counted as batched. */
  attach(b: FlushedBatch): SessionBatch {
    this.firstRegion ??= b.regionKey;
    const counters = this.take(b.regionKey);
    counters[COUNTER_INDEX.batched]! += b.points.length;
    b.counters = counters;
    return b as SessionBatch;
  }

  /** A vector `take` gave out is no longer read (its batch is encoded): zeroed and used again, not a new one per batch. */
  recycle(counters: Counters): void {
    if (this.spare.length >= MAX_SPARE || counters.length !== COUNTER_INDEX_SIZE) return;
    counters.fill(0);
    this.spare.push(counters);
  }

  /** Regions whose deltas have waited at least `waitMs` for a batch to carry them. */
  overdue(nowMs: number, waitMs: number): readonly string[] {
    let out: string[] | null = null;
    // Indexed loops: a for-of allocated an iterator and a result per step on every timer.
    for (let i = 0; i < this.entries.length; i++) {
      const p = this.entries[i]!;
      if (p.counters === null || nowMs - p.sinceMs < waitMs) continue;
      out ??= [];
      out.push(p.region);
    }
    return out ?? NONE;
  }

  /** When the next region becomes overdue (Infinity when none is pending). */
  nextDueMs(waitMs: number): number {
    let at = Infinity;
    for (let i = 0; i < this.entries.length; i++) {
      const p = this.entries[i]!;
      if (p.counters !== null && p.sinceMs + waitMs < at) at = p.sinceMs + waitMs;
    }
    return at;
  }

  regions(): string[] {
    const out: string[] = [];
    for (const p of this.entries) if (p.counters !== null) out.push(p.region);
    return out;
  }
}
