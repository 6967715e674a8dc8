/**
 * What the region core tells its shell (the Durable Object): alerts, advisories and proximity sets to
 * send to gateway links, ops events, and drone snapshots for the checkpoint and the ops read path.
 */
import type { ManoeuvreName } from "./advisories.js";
import type { DroneTable } from "./drone-table.js";
import type { TelemetryPoint } from "../wire/point.js";
import type { OpsConflict } from "../wire/ops-frames.js";
import type { AdvisoryFields, AlertFields } from "../wire/server-frames.js";

/** An alert for one home drone of a pair, to its link: the wire's alert fields. */
export interface AlertOut extends AlertFields {
  kind: "alert";
  linkId: string;
}
export interface AdvisoryOut extends AdvisoryFields {
  kind: "advisory";
  linkId: string;
  advisory: "low_battery_rth";
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
 * Home points of a link that arrived late (past LATE_NOTICE_MS) since the last tick, `stale` of them
 * past the stale limit (not usable for prediction): the edge is behind and says so, a late alert being
 * as good as none. `droneId` names the one seen last.
 */
export interface StaleOut {
  kind: "stale";
  linkId: string;
  droneId: string;
  points: number;
  stale: number;
  maxAgeMs: number;
}

export type RegionOutput = AlertOut | AdvisoryOut | ProximityOut | StaleOut;

/** A call that produced nothing: one frozen array, not a new one per batch. */
export const NO_OUTPUTS: readonly RegionOutput[] = Object.freeze([]);
export interface OpsEvent {
  type: "lost" | "recovered" | "low_battery" | "evicted";
  droneId: string;
  atMs: number;
  /** An eviction of a brief drone (DroneTable.isBrief): its stored events go with it (docs/security.md). */
  brief?: true;
}
/** Slot `s`'s eviction, marked brief when its drone is (DroneTable.isBrief). */
export function evictedEvent(f: DroneTable, s: number, atMs: number): OpsEvent {
  const e: OpsEvent = { type: "evicted", droneId: f.ids[s]!, atMs };
  if (f.isBrief(s)) e.brief = true;
  return e;
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

/** The once-per-discharge advice to a drone whose battery fell under `lowBatteryPct`. */
export function lowBatteryAdvisory(linkId: string, p: TelemetryPoint, lowBatteryPct: number): AdvisoryOut {
  return {
    kind: "advisory",
    linkId,
    droneId: p.droneId,
    advisory: "low_battery_rth",
    message: `Battery at ${Math.round(p.battery)}%, under ${lowBatteryPct}%: return to home.`,
    timeMs: p.timeMs,
  };
}

/** An open encounter as the ops view sees it: the page's conflict line, as of the latest prediction (`computedForMs`). */
export interface OpenEncounter extends OpsConflict {
  computedForMs: number;
}
