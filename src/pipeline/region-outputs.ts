/**
 * What the region core tells its shell (the Durable Object): alerts, advisories and proximity sets to
 * send to gateway links, ops events, and drone snapshots for the checkpoint and the ops read path.
 */
import type { ManoeuvreName } from "./advisories.js";
import type { TelemetryPoint } from "./point.js";

export interface AlertOut {
  kind: "alert";
  linkId: string;
  droneId: string;
  otherId: string;
  alertId: string;
  level: "caution" | "warning" | "clear";
  /** NaN on a clear (no entry predicted any more). */
  tEntryS: number;
  tCpaS: number;
  hsepCpaM: number;
  vsepCpaM: number;
  other: TelemetryPoint;
  computedForMs: number;
  manoeuvre: "climb" | "descend" | "turn_right" | "turn_left" | "hold" | "none";
}
export interface AdvisoryOut {
  kind: "advisory";
  linkId: string;
  droneId: string;
  advisory: "low_battery_rth";
  message: string;
  timeMs: number;
}
/** The full set of a link's home drones within 2R of another drone or in an active conflict; sent when it changes. */
export interface ProximityOut {
  kind: "proximity";
  linkId: string;
  droneIds: string[];
}
/** An alert that was in force before a restart, from the audit table; `sentX` is the manoeuvre sent to that side, or null if none was. */
export interface RestoredAlert {
  alertId: string;
  droneA: string;
  droneB: string;
  level: "caution" | "warning";
  sentA: ManoeuvreName | "none" | null;
  sentB: ManoeuvreName | "none" | null;
}

/**
 * Home points of a link that arrived older than the stale limit since the last tick: the edge is
 * behind and says so (a silent miss is worse than a late one). `droneId` names the one seen last.
 */
export interface StaleOut {
  kind: "stale";
  linkId: string;
  droneId: string;
  points: number;
  maxAgeMs: number;
}

export type RegionOutput = AlertOut | AdvisoryOut | ProximityOut | StaleOut;
export interface OpsEvent {
  type: "lost" | "recovered" | "low_battery" | "evicted";
  droneId: string;
  atMs: number;
}
export interface DroneSnapshot {
  droneId: string;
  linkId: string;
  ghost: boolean;
  timeMs: number;
  lastSeenMs: number;
  lat: number;
  lon: number;
  altM: number;
  vn: number;
  ve: number;
  vu: number;
  battery: number;
  status: "active" | "lost";
  lowBatterySent: boolean;
}
