/**
 * The exported event, schema version 1 (docs/operations.md, "Event export"): what a region tells an
 * operator's webhook about alerts, advisories and drone liveness, one JSON object per event. Flat, so
 * a receiver can route on `fleet` and `type` without knowing the rest. Fields are only ever added
 * within a version; a receiver must ignore fields it does not know.
 */
import { splitFleetKey } from "../wire/fleet-key.js";

export const EXPORT_SCHEMA_VERSION = 1;

export type ExportEventType = "alert" | "advisory" | "lost" | "recovered" | "low_battery";

/** A drone's last known position (WGS84 degrees, metres MSL) and when it was measured. */
export interface ExportPosition {
  lat: number;
  lon: number;
  altM: number;
  timeMs: number;
}

export interface ExportEvent {
  v: typeof EXPORT_SCHEMA_VERSION;
  /** The same on every redelivery of the event: a receiver deduplicates on it (delivery is at least once). */
  id: string;
  type: ExportEventType;
  region: string;
  /** When the region noticed it: Unix ms, and the same as ISO 8601. */
  timeMs: number;
  time: string;
  fleet: string;
  drone: string;
  /** The drone's last known position; null when the region no longer holds it. */
  position: ExportPosition | null;
  /** Alerts: the encounter, its level now, and the other drone as this drone was told of it. */
  alertId?: string;
  level?: "caution" | "warning" | "clear" | "traffic_lost";
  otherFleet?: string;
  otherDrone?: string;
  otherPosition?: ExportPosition;
  /** The manoeuvre advised to this drone ("none" when none). */
  manoeuvre?: string;
  /** Seconds to conflict entry and to closest approach, null when none is predicted (a clear). */
  tEntryS?: number | null;
  tCpaS?: number | null;
  /** Horizontal and vertical separation predicted at closest approach, m (null on a clear). */
  hsepCpaM?: number | null;
  vsepCpaM?: number | null;
  /** Advisories: which one (e.g. "low_battery_rth") and the text the drone was sent. */
  advisory?: string;
  message?: string;
}

/** The fields every event has, for drone key `key` (`fleet/drone`) at `timeMs`. */
export function eventBase(id: string, type: ExportEventType, region: string, key: string, timeMs: number, position: ExportPosition | null): ExportEvent {
  const { fleet, droneId } = splitFleetKey(key);
  return { v: EXPORT_SCHEMA_VERSION, id, type, region, timeMs, time: new Date(timeMs).toISOString(), fleet, drone: droneId, position };
}

/** A finite number, or null: JSON has no NaN (a clear predicts no entry). */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** The body one webhook delivery carries: a batch of events, oldest first. */
export interface ExportDelivery {
  v: typeof EXPORT_SCHEMA_VERSION;
  events: ExportEvent[];
}
