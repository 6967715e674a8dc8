/**
 * The ops stream's messages (`/v1/ops/stream`, region → operator page): one JSON text frame a second
 * per watcher, a snapshot of the region with the events since the previous one. Shared by the region
 * that writes it and the page that reads it; `parseOpsFrame` never throws on what the socket brings.
 */

/** How a drone is drawn, most urgent first: an open warning, a caution, lost, low battery, normal. */
export const DRONE_STATES = ["warning", "caution", "lost", "low_battery", "normal"] as const;
export type DroneState = (typeof DRONE_STATES)[number];

/**
 * One drone, as a tuple to keep a second of a thousand drones near 80 KB:
 * [id, lat, lon, altM, headingDeg (0 = north, clockwise), ground speed m/s, vertical speed m/s,
 *  battery % (-1 unknown), state, last report (region clock, unix ms)].
 */
export type OpsDrone = [string, number, number, number, number, number, number, number, DroneState, number];

/** An open encounter between two drones (one line on the page). */
export interface OpsConflict {
  alertId: string;
  a: string;
  b: string;
  level: "caution" | "warning";
  /** Time to entry of the protected volume as of the snapshot, s (0 inside it). */
  tEntryS: number;
  /** Time to closest approach as of the snapshot (s), and the separations there (m). */
  tCpaS: number;
  hsepCpaM: number;
  vsepCpaM: number;
}

/** Something that happened since the last snapshot: an alert's start, escalation or clear, an advisory, a drone lost or back. */
export interface OpsEvent {
  atMs: number;
  kind: "alert" | "advisory" | "lost" | "recovered" | "evicted";
  droneId: string;
  /** Alerts: the other drone, the encounter's id and its level; advisories: the message. */
  otherId?: string;
  alertId?: string;
  level?: string;
  text?: string;
}

/** A congestion cell (HEATMAP_CELL_M square around its centre) and its active drones. */
export interface OpsHeatCell {
  lat: number;
  lon: number;
  count: number;
}

export interface OpsSnapshot {
  t: "snapshot";
  region: string;
  atMs: number;
  drones: OpsDrone[];
  /** Drones left out past the snapshot's cap (0 almost always). */
  dronesOmitted: number;
  conflicts: OpsConflict[];
  /** The latest one-second metrics (src/detect/metrics.ts: numeric fields, null where undefined), or null before the first tick. */
  metrics: Record<string, number | null> | null;
  heatmap: OpsHeatCell[];
  heatCellM: number;
  events: OpsEvent[];
  /** Events left out since the last snapshot past the per-snapshot cap. */
  eventsDropped: number;
}

/** Text frames larger than this are not parsed (a region of 5,000 drones writes ~400 KB). */
export const MAX_OPS_FRAME_CHARS = 4 * 1024 * 1024;

/** The snapshot in a text frame, or null when it is not one (wrong type, malformed, too large). */
export function parseOpsFrame(text: unknown): OpsSnapshot | null {
  if (typeof text !== "string" || text.length > MAX_OPS_FRAME_CHARS) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null) return null;
  const s = v as Partial<OpsSnapshot>;
  if (s.t !== "snapshot" || typeof s.region !== "string" || typeof s.atMs !== "number") return null;
  if (!Array.isArray(s.drones) || !Array.isArray(s.conflicts) || !Array.isArray(s.events) || !Array.isArray(s.heatmap)) return null;
  const drones = s.drones.filter(isOpsDrone);
  return {
    t: "snapshot",
    region: s.region,
    atMs: s.atMs,
    drones,
    dronesOmitted: Number(s.dronesOmitted) || 0,
    conflicts: s.conflicts.filter((c): c is OpsConflict => typeof c === "object" && c !== null && typeof c.a === "string" && typeof c.b === "string"),
    metrics: typeof s.metrics === "object" && s.metrics !== null ? s.metrics : null,
    heatmap: s.heatmap.filter((h): h is OpsHeatCell => typeof h === "object" && h !== null && Number.isFinite(h.lat) && Number.isFinite(h.lon)),
    heatCellM: Number(s.heatCellM) || 100,
    events: s.events.filter((e): e is OpsEvent => typeof e === "object" && e !== null && typeof e.droneId === "string" && typeof e.kind === "string"),
    eventsDropped: Number(s.eventsDropped) || 0,
  };
}

function isOpsDrone(d: unknown): d is OpsDrone {
  if (!Array.isArray(d) || d.length !== 10 || typeof d[0] !== "string") return false;
  for (let i = 1; i < 8; i++) if (typeof d[i] !== "number") return false;
  return (DRONE_STATES as readonly unknown[]).includes(d[8]) && typeof d[9] === "number";
}
