/**
 * A gateway connection's counter deltas per region, waiting to ride on the next batch to that region
 * (counters.ts), plus the region each drone was last routed to, so that a point without a usable
 * position (rejected, rate-limited whole frames) is still counted where its drone flies. Bounded: a
 * relay inventing drone ids cannot grow the drone map past `maxDrones`.
 */
import { COUNTER_INDEX, newCounters, type CounterName, type Counters } from "../wire/counters.js";

export class PendingCounters {
  private readonly byRegion = new Map<string, { counters: Counters; sinceMs: number }>();
  private readonly droneRegion = new Map<string, string>();

  constructor(private readonly maxDrones: number) {}

  count(regionKey: string, name: CounterName, n: number, nowMs: number): void {
    let p = this.byRegion.get(regionKey);
    if (!p) {
      p = { counters: newCounters(), sinceMs: nowMs };
      this.byRegion.set(regionKey, p);
    }
    p.counters[COUNTER_INDEX[name]]! += n;
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
    else for (const name of names) this.count(region, name, n, nowMs);
  }

  /** The region's deltas for a batch about to leave (zeros when none), no longer pending. */
  take(regionKey: string): Counters {
    const p = this.byRegion.get(regionKey);
    this.byRegion.delete(regionKey);
    return p?.counters ?? newCounters();
  }

  /** Regions whose deltas have waited at least `waitMs` for a batch to carry them. */
  overdue(nowMs: number, waitMs: number): string[] {
    const out: string[] = [];
    for (const [region, p] of this.byRegion) if (nowMs - p.sinceMs >= waitMs) out.push(region);
    return out;
  }

  /** When the next region becomes overdue (Infinity when none is pending). */
  nextDueMs(waitMs: number): number {
    let at = Infinity;
    for (const p of this.byRegion.values()) at = Math.min(at, p.sinceMs + waitMs);
    return at;
  }

  regions(): string[] {
    return [...this.byRegion.keys()];
  }
}
