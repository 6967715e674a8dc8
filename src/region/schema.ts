/**
 * The region object's SQLite schema, applied through a migrations table so a deploy with a new
 * schema upgrades objects in place the first time each one wakes up.
 */

export const MIGRATIONS: readonly string[] = [
  // 1: drone state checkpoint, per-link applied batch sequence, metrics history, alert audit, ops events.
  `CREATE TABLE drones (
     drone_id TEXT PRIMARY KEY, link_id TEXT NOT NULL, ghost INTEGER NOT NULL, time_ms REAL NOT NULL,
     last_seen_ms REAL NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL, alt_m REAL NOT NULL,
     vn REAL NOT NULL, ve REAL NOT NULL, vu REAL NOT NULL, battery REAL NOT NULL, status TEXT NOT NULL,
     low_battery_sent INTEGER NOT NULL);
   CREATE TABLE links (link_id TEXT PRIMARY KEY, applied_seq INTEGER NOT NULL, updated_ms REAL NOT NULL);
   CREATE TABLE metrics (ts_ms INTEGER PRIMARY KEY, body TEXT NOT NULL);
   CREATE TABLE alert_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, ts_ms REAL NOT NULL, alert_id TEXT NOT NULL,
     drone_id TEXT NOT NULL, other_id TEXT NOT NULL, level TEXT NOT NULL, t_entry_s REAL, t_cpa_s REAL,
     hsep_cpa_m REAL, vsep_cpa_m REAL, advisory TEXT NOT NULL);
   CREATE INDEX alert_audit_ts ON alert_audit (ts_ms);
   CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, ts_ms REAL NOT NULL, type TEXT NOT NULL, drone_id TEXT NOT NULL);
   CREATE INDEX events_ts ON events (ts_ms);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // 2: batches applied above a gap in a link's sequence (out-of-order arrival), as a JSON array.
  `ALTER TABLE links ADD COLUMN above TEXT NOT NULL DEFAULT '[]';`,
  // 3: batches applied since the last checkpoint, kept so that an ack can mean "durable" without a
  //    checkpoint per ack; emptied by every checkpoint, re-applied in order after a restart.
  `CREATE TABLE journal (id INTEGER PRIMARY KEY AUTOINCREMENT, link_id TEXT NOT NULL, seq INTEGER NOT NULL, bytes BLOB NOT NULL);`,
  // 4: each event's fleet, indexed with the row id, so the per-fleet cap drops a fleet's oldest rows
  //    without reading anyone else's; and the drone, so a brief drone's rows go with its eviction
  //    (src/region/event-rows.ts).
  `ALTER TABLE events ADD COLUMN fleet TEXT NOT NULL DEFAULT '';
   UPDATE events SET fleet = substr(drone_id, 1, instr(drone_id, '/') - 1) WHERE instr(drone_id, '/') > 0;
   CREATE INDEX events_fleet ON events (fleet, id);
   CREATE INDEX events_drone ON events (drone_id);`,
];

/** Applies every migration of `migrations` (the region's by default) not yet recorded; returns the schema version now in force. */
export function migrate(sql: SqlStorage, migrations: readonly string[] = MIGRATIONS): number {
  sql.exec("CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, applied_ms REAL NOT NULL)");
  const row = sql.exec<{ v: number | null }>("SELECT MAX(version) AS v FROM _migrations").one();
  let version = row.v ?? 0;
  while (version < migrations.length) {
    sql.exec(migrations[version]!);
    version++;
    sql.exec("INSERT INTO _migrations (version, applied_ms) VALUES (?, ?)", version, Date.now());
  }
  return version;
}
