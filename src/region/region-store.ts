/**
 * Everything the region object keeps in its SQLite storage, behind named operations. All writes of
 * one checkpoint happen without an await between them, so they commit as one transaction and the
 * output gate holds the acks sent after them until they are durable (docs/platform.md).
 */
import type { DroneSnapshot, RestoredAlert } from "../detect/region-core.js";
import type { LinkSequenceState } from "../link/link-sequence.js";
import { BulkUpsert } from "./bulk-upsert.js";
import { EventRows } from "./event-rows.js";
import { migrate } from "./schema.js";
import type { LedgerBatch } from "../link/link-ledger.js";

/** One applied batch as it arrived, for the journal. */
export type JournalEntry = LedgerBatch;

export interface AuditRow {
  tsMs: number;
  alertId: string;
  droneId: string;
  otherId: string;
  level: string;
  tEntryS: number;
  tCpaS: number;
  hsepCpaM: number;
  vsepCpaM: number;
  advisory: string;
}

const DRONE_COLUMNS = [
  "drone_id",
  "link_id",
  "ghost",
  "time_ms",
  "last_seen_ms",
  "lat",
  "lon",
  "alt_m",
  "vn",
  "ve",
  "vu",
  "battery",
  "status",
  "low_battery_sent",
] as const;

export class RegionStore {
  /** The drone events, capped per fleet (event-rows.ts). */
  readonly events: EventRows;

  private readonly droneRows: BulkUpsert;
  private readonly linkRows: BulkUpsert;

  constructor(private readonly sql: SqlStorage) {
    migrate(sql);
    this.events = new EventRows(sql);
    this.droneRows = new BulkUpsert(sql, "drones", DRONE_COLUMNS, "drone_id");
    this.linkRows = new BulkUpsert(sql, "links", ["link_id", "applied_seq", "above", "updated_ms"], "link_id");
  }

  /** Deletes drones not heard from since `cutoffMs`: after a long pause they are not restored, nor kept. */
  forgetDronesBefore(cutoffMs: number): void {
    this.sql.exec("DELETE FROM drones WHERE last_seen_ms < ?", cutoffMs);
  }

  loadDrones(): DroneSnapshot[] {
    return this.sql
      .exec<Record<string, number | string>>("SELECT * FROM drones")
      .toArray()
      .map((r) => ({
        droneId: String(r.drone_id),
        linkId: String(r.link_id),
        ghost: Number(r.ghost) === 1,
        timeMs: Number(r.time_ms),
        lastSeenMs: Number(r.last_seen_ms),
        lat: Number(r.lat),
        lon: Number(r.lon),
        altM: Number(r.alt_m),
        vn: Number(r.vn),
        ve: Number(r.ve),
        vu: Number(r.vu),
        battery: Number(r.battery),
        status: r.status === "lost" ? "lost" : "active",
        lowBatterySent: Number(r.low_battery_sent) === 1,
      }));
  }

  loadLinkSeqs(): Map<string, LinkSequenceState> {
    const m = new Map<string, LinkSequenceState>();
    for (const r of this.sql.exec<{ link_id: string; applied_seq: number; above: string }>("SELECT link_id, applied_seq, above FROM links"))
      m.set(r.link_id, { floor: r.applied_seq, above: JSON.parse(r.above) as number[] });
    return m;
  }

  /** One transaction: changed drones, removed drones, the link sequences they reflect, and an empty journal. */
  checkpoint(dirty: DroneSnapshot[], removed: string[], linkSeqs: Iterable<[string, LinkSequenceState]>, nowMs: number): void {
    this.droneRows.write(dirty, (d, v, i) => {
      v[i] = d.droneId;
      v[i + 1] = d.linkId;
      v[i + 2] = d.ghost ? 1 : 0;
      v[i + 3] = d.timeMs;
      v[i + 4] = d.lastSeenMs;
      v[i + 5] = d.lat;
      v[i + 6] = d.lon;
      v[i + 7] = d.altM;
      v[i + 8] = d.vn;
      v[i + 9] = d.ve;
      v[i + 10] = d.vu;
      v[i + 11] = d.battery;
      v[i + 12] = d.status;
      v[i + 13] = d.lowBatterySent ? 1 : 0;
    });
    for (const id of removed) this.sql.exec("DELETE FROM drones WHERE drone_id = ?", id);
    this.linkRows.write(linkSeqs, ([linkId, seq], v, i) => {
      v[i] = linkId;
      v[i + 1] = seq.floor;
      v[i + 2] = seq.above.length === 0 ? "[]" : JSON.stringify(seq.above);
      v[i + 3] = nowMs;
    });
    // The checkpoint now holds everything the journal did.
    this.sql.exec("DELETE FROM journal");
  }

  /** Appends applied batches to the journal (one row per batch, in apply order). */
  journal(entries: readonly JournalEntry[]): void {
    for (const j of entries) this.sql.exec("INSERT INTO journal (link_id, seq, bytes) VALUES (?, ?, ?)", j.linkId, j.seq, j.bytes);
  }

  /** The journal in apply order, to re-apply after a restart. */
  loadJournal(): JournalEntry[] {
    return this.sql
      .exec<{ link_id: string; seq: number; bytes: ArrayBuffer }>("SELECT link_id, seq, bytes FROM journal ORDER BY id")
      .toArray()
      .map((r) => ({ linkId: r.link_id, seq: r.seq, bytes: new Uint8Array(r.bytes) }));
  }

  /** Links silent this long are gone for good (a gateway session ends its links when its client leaves). */
  forgetLinksBefore(cutoffMs: number): void {
    this.sql.exec("DELETE FROM links WHERE updated_ms < ?", cutoffMs);
  }

  writeMetrics(tsMs: number, body: unknown): void {
    this.sql.exec("INSERT OR REPLACE INTO metrics (ts_ms, body) VALUES (?, ?)", Math.floor(tsMs), JSON.stringify(body));
  }

  metricsSince(sinceMs: number, limit: number): { ts_ms: number; metrics: unknown }[] {
    return this.sql
      .exec<{ ts_ms: number; body: string }>("SELECT ts_ms, body FROM metrics WHERE ts_ms >= ? ORDER BY ts_ms LIMIT ?", sinceMs, limit)
      .toArray()
      .map((r) => ({ ts_ms: r.ts_ms, metrics: JSON.parse(r.body) }));
  }

  audit(row: AuditRow): void {
    this.sql.exec(
      `INSERT INTO alert_audit (ts_ms, alert_id, drone_id, other_id, level, t_entry_s, t_cpa_s, hsep_cpa_m, vsep_cpa_m, advisory)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.tsMs,
      row.alertId,
      row.droneId,
      row.otherId,
      row.level,
      finiteOrNull(row.tEntryS),
      finiteOrNull(row.tCpaS),
      finiteOrNull(row.hsepCpaM),
      finiteOrNull(row.vsepCpaM),
      row.advisory,
    );
  }

  alertsSince(sinceMs: number, limit: number): Record<string, unknown>[] {
    return this.alertsPage({ sinceMs, untilMs: Number.MAX_VALUE, afterId: 0, droneId: null, limit });
  }

  /**
   * One page of the audit, oldest first: rows in [sinceMs, untilMs) after row id `afterId` (the previous
   * page's `next`), of one drone (either side of the encounter) when `droneId` is set.
   */
  alertsPage(q: { sinceMs: number; untilMs: number; afterId: number; droneId: string | null; limit: number; fleetPrefix?: string }): Record<string, unknown>[] {
    let where = "ts_ms >= ? AND ts_ms < ? AND id > ?";
    const args: (string | number)[] = [q.sinceMs, q.untilMs, q.afterId];
    if (q.droneId !== null) {
      where += " AND (drone_id = ? OR other_id = ?)";
      args.push(q.droneId, q.droneId);
    }
    // An operator of one fleet sees the encounters its drones are in (ids are `fleet/drone`: wire/fleet-key.ts).
    if (q.fleetPrefix) {
      where += " AND (substr(drone_id, 1, ?) = ? OR substr(other_id, 1, ?) = ?)";
      args.push(q.fleetPrefix.length, q.fleetPrefix, q.fleetPrefix.length, q.fleetPrefix);
    }
    return this.sql.exec(`SELECT * FROM alert_audit WHERE ${where} ORDER BY id LIMIT ?`, ...args, q.limit).toArray();
  }

  /**
   * Alerts whose last audit row within `sinceMs` is not a clear: the encounters in force when the
   * object stopped, with the manoeuvre each side was sent.
   */
  openAlerts(sinceMs: number): RestoredAlert[] {
    const rows = this.sql
      .exec<{ alert_id: string; drone_id: string; other_id: string; level: string; advisory: string }>(
        "SELECT alert_id, drone_id, other_id, level, advisory FROM alert_audit WHERE ts_ms >= ? ORDER BY id",
        sinceMs,
      )
      .toArray();
    const byId = new Map<string, RestoredAlert & { last: string }>();
    for (const r of rows) {
      let a = byId.get(r.alert_id);
      if (!a) {
        const [x, y] = r.drone_id < r.other_id ? [r.drone_id, r.other_id] : [r.other_id, r.drone_id];
        a = { alertId: r.alert_id, droneA: x, droneB: y, level: "caution", sentA: null, sentB: null, last: r.level };
        byId.set(r.alert_id, a);
      }
      a.last = r.level;
      if (r.level === "caution" || r.level === "warning") a.level = r.level;
      const man = r.advisory as RestoredAlert["sentA"];
      if (r.drone_id === a.droneA) a.sentA = man;
      else a.sentB = man;
    }
    return [...byId.values()].filter((a) => a.last !== "clear").map(({ last: _last, ...a }) => a);
  }

  /** Drops history past its retention (called by the alarm, a bounded amount per call). */
  prune(nowMs: number, metricsRetentionMs: number, auditRetentionMs: number): void {
    this.sql.exec("DELETE FROM metrics WHERE ts_ms < ?", nowMs - metricsRetentionMs);
    this.sql.exec("DELETE FROM alert_audit WHERE ts_ms < ?", nowMs - auditRetentionMs);
    this.events.pruneBefore(nowMs - auditRetentionMs);
  }

  /** The cell this object serves, once it has been told (null before its first request). */
  regionKey(): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'region'").toArray()[0]?.value ?? null;
  }

  setRegionKey(regionKey: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('region', ?)", regionKey);
  }

  /** A counter that survives restarts, for alert ids that stay unique across them. */
  nextEpoch(): number {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'epoch'").toArray()[0];
    const epoch = (row ? Number(row.value) : 0) + 1;
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('epoch', ?)", String(epoch));
    return epoch;
  }
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
