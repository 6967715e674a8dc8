/**
 * The region's stored drone events (lost, recovered, low battery, evicted): `/events` and the ops
 * history. Kept AUDIT_RETENTION_DAYS, a brief drone's (an invented id's, typically) only until its
 * early eviction, and at most EVENTS_MAX_PER_FLEET rows per fleet, so a fleet inventing drone ids
 * fills only its own share: its oldest rows go first, each counted (issue 11, docs/security.md). The per-fleet counts live in memory, read with one scan at the first cap after
 * a start and then kept by every insert and delete, so a cap reads only the rows it drops.
 */
import { splitFleetKey } from "../wire/fleet-key.js";

export class EventRows {
  /** Rows per fleet ("" for keys without one); null until the first cap loads them. */
  private counts: Map<string, number> | null = null;
  /** Rows the cap dropped since the object started (the region's stats: `eventsCapped`). */
  capped = 0;

  constructor(private readonly sql: SqlStorage) {}

  add(tsMs: number, type: string, droneId: string): void {
    const { fleet } = splitFleetKey(droneId);
    this.sql.exec("INSERT INTO events (ts_ms, type, drone_id, fleet) VALUES (?, ?, ?, ?)", tsMs, type, droneId, fleet);
    if (this.counts) this.counts.set(fleet, (this.counts.get(fleet) ?? 0) + 1);
  }

  /** Events from `sinceMs`, of one fleet's drones when `fleetPrefix` ("fleet/") is set. */
  since(sinceMs: number, limit: number, fleetPrefix = ""): Record<string, unknown>[] {
    if (fleetPrefix === "") return this.sql.exec("SELECT ts_ms, type, drone_id FROM events WHERE ts_ms >= ? ORDER BY id LIMIT ?", sinceMs, limit).toArray();
    return this.sql
      .exec(
        "SELECT ts_ms, type, drone_id FROM events WHERE ts_ms >= ? AND substr(drone_id, 1, ?) = ? ORDER BY id LIMIT ?",
        sinceMs,
        fleetPrefix.length,
        fleetPrefix,
        limit,
      )
      .toArray();
  }

  /** Drops the rows older than `cutoffMs` (retention). */
  pruneBefore(cutoffMs: number): void {
    this.uncount(this.sql.exec<{ fleet: string }>("DELETE FROM events WHERE ts_ms < ? RETURNING fleet", cutoffMs));
  }

  /** Drops every row of one drone: a brief one, evicted early (docs/security.md). */
  forget(droneId: string): void {
    this.uncount(this.sql.exec<{ fleet: string }>("DELETE FROM events WHERE drone_id = ? RETURNING fleet", droneId));
  }

  /** Drops each fleet's oldest rows past `maxPerFleet` (0: no cap); the fleets that lost some, and how many. */
  cap(maxPerFleet: number): { fleet: string; dropped: number }[] {
    if (maxPerFleet <= 0) return [];
    this.counts ??= this.load();
    const out: { fleet: string; dropped: number }[] = [];
    for (const [fleet, n] of this.counts) {
      if (n <= maxPerFleet) continue;
      const dropped = n - maxPerFleet;
      this.sql.exec("DELETE FROM events WHERE id IN (SELECT id FROM events WHERE fleet = ? ORDER BY id LIMIT ?)", fleet, dropped);
      this.counts.set(fleet, maxPerFleet);
      this.capped += dropped;
      out.push({ fleet, dropped });
    }
    return out;
  }

  private uncount(deleted: Iterable<{ fleet: string }>): void {
    for (const { fleet } of deleted) {
      if (!this.counts) continue; // the cursor is drained either way
      const n = (this.counts.get(fleet) ?? 0) - 1;
      if (n > 0) this.counts.set(fleet, n);
      else this.counts.delete(fleet);
    }
  }

  private load(): Map<string, number> {
    const m = new Map<string, number>();
    for (const r of this.sql.exec<{ fleet: string; n: number }>("SELECT fleet, COUNT(*) AS n FROM events GROUP BY fleet")) m.set(r.fleet, r.n);
    return m;
  }
}
