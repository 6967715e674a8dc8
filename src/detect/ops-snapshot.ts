/**
 * Builds the ops stream's one-second snapshot (src/wire/ops-frames.ts) from what the region core
 * holds: its home drones with a state each, its open encounters with the time to entry as of now,
 * the latest metrics and heatmap, and the feed's events. Pure; the region object sends the result
 * once to every watcher, so its cost does not grow with watchers.
 */
import type { FleetMetrics } from "./metrics.js";
import { HEATMAP_CELL_M } from "../tunables.js";
import type { DroneSnapshot, OpenEncounter } from "./region-outputs.js";
import type { DroneState, OpsConflict, OpsDrone, OpsEvent, OpsSnapshot } from "../wire/ops-frames.js";

/** Drones in one snapshot at most (~80 B each as JSON): a watcher's frame stays under ~1 MB. Default: 10000 */
export const OPS_MAX_DRONES = 10_000;

export interface SnapshotInput {
  region: string;
  nowMs: number;
  drones: readonly DroneSnapshot[];
  encounters: readonly OpenEncounter[];
  metrics: FleetMetrics | null;
  events: OpsEvent[];
  eventsDropped: number;
  lowBatteryPct: number;
}

export function buildSnapshot(i: SnapshotInput): OpsSnapshot {
  const levelOf = new Map<string, "caution" | "warning">();
  for (const e of i.encounters) {
    for (const id of [e.a, e.b]) if (levelOf.get(id) !== "warning") levelOf.set(id, e.level);
  }
  const n = Math.min(i.drones.length, OPS_MAX_DRONES);
  const drones: OpsDrone[] = new Array(n);
  for (let k = 0; k < n; k++) drones[k] = opsDrone(i.drones[k]!, levelOf.get(i.drones[k]!.droneId), i.lowBatteryPct);
  return {
    t: "snapshot",
    region: i.region,
    atMs: i.nowMs,
    drones,
    dronesOmitted: i.drones.length - n,
    conflicts: i.encounters.map((e) => opsConflict(e, i.nowMs)),
    metrics: i.metrics ? numericFields(i.metrics) : null,
    heatmap: (i.metrics?.heatmap ?? []).map((h) => ({ lat: round(h.lat, 7), lon: round(h.lon, 7), count: h.count })),
    heatCellM: HEATMAP_CELL_M,
    events: i.events,
    eventsDropped: i.eventsDropped,
  };
}

/** What colour a drone is drawn in: an open warning, a caution, lost, battery under the threshold, or normal. */
export function droneState(d: DroneSnapshot, level: "caution" | "warning" | undefined, lowBatteryPct: number): DroneState {
  if (level) return level;
  if (d.status === "lost") return "lost";
  if (d.battery >= 0 && d.battery < lowBatteryPct) return "low_battery";
  return "normal";
}

function opsDrone(d: DroneSnapshot, level: "caution" | "warning" | undefined, lowBatteryPct: number): OpsDrone {
  const heading = (Math.atan2(d.ve, d.vn) * 180) / Math.PI;
  return [
    d.droneId,
    round(d.lat, 7),
    round(d.lon, 7),
    round(d.altM, 1),
    round(heading < 0 ? heading + 360 : heading, 0),
    round(Math.hypot(d.vn, d.ve), 1),
    round(d.vu, 1),
    d.battery >= 0 ? d.battery : -1,
    droneState(d, level, lowBatteryPct),
    Math.round(d.lastSeenMs),
  ];
}

/** The prediction was made for `computedForMs`: times run on since (never below 0). */
function opsConflict(e: OpenEncounter, nowMs: number): OpsConflict {
  const aged = e.computedForMs > 0 ? Math.max(0, (nowMs - e.computedForMs) / 1000) : 0;
  return {
    alertId: e.alertId,
    a: e.a,
    b: e.b,
    level: e.level,
    tEntryS: finite(round(Math.max(0, e.tEntryS - aged), 1)),
    tCpaS: finite(round(Math.max(0, e.tCpaS - aged), 1)),
    hsepCpaM: finite(round(e.hsepCpaM, 1)),
    vsepCpaM: finite(round(e.vsepCpaM, 1)),
  };
}

/** The metrics' numbers (NaN as null: JSON has no NaN; a chart shows a gap), without the heatmap (sent apart). */
function numericFields(m: FleetMetrics): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(m)) if (typeof v === "number") out[k] = Number.isFinite(v) ? v : null;
  return out;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function finite(x: number): number {
  return Number.isFinite(x) ? x : -1;
}
