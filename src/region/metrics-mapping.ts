/**
 * How one second of a region's FleetMetrics becomes Analytics Engine data points: three points per
 * tick (fleet, pipeline, heatmap), never one per telemetry point. The layout is documented, with SQL,
 * in docs/metrics.md; change both together. Append only: queries address columns by position.
 */
import type { FleetMetrics } from "../detect/metrics.js";
import type { DataPoint } from "./metrics-sink.js";

/** blob1 of every point says which layout its doubles follow. */
export const POINT_KINDS = ["fleet", "pipeline", "heatmap"] as const;

/** Analytics Engine doubles must be numbers; "no data" (NaN) is written as -1. */
function num(x: number): number {
  return Number.isFinite(x) ? x : -1;
}

export const FLEET_DOUBLES = [
  "active",
  "new",
  "lost",
  "batteryMeanPct",
  "batteryMinPct",
  "lowBattery",
  "speedMeanMps",
  "speedMaxMps",
  "densityPerKm2",
  "conflictsCaution",
  "conflictsWarning",
  "alertsStarted",
  "alertsCleared",
  "delayP50Ms",
  "delayP99Ms",
  "alertLatencyP50Ms",
  "alertLatencyP99Ms",
  "alertLatencySamples",
  "shedLevel",
  "batchWaitP90Ms",
] as const satisfies readonly (keyof FleetMetrics)[];

export const PIPELINE_DOUBLES = [
  "received",
  "accepted",
  "rejected",
  "rateLimited",
  "dedupedNear",
  "dedupedRepeat",
  "dedupedStale",
  "deduped",
  "applied",
  "ignoredStale",
  "batched",
  "resent",
  "droppedOverflow",
  "wrongDrone",
  "ghostsSent",
  "staleOnArrival",
  "lateOnArrival",
  "overQuota",
  "quotaUnchecked",
  "shed",
] as const satisfies readonly (keyof FleetMetrics)[];

export function metricsToDataPoints(regionKey: string, m: FleetMetrics): DataPoint[] {
  const index: [string] = [regionKey];
  const heat = m.heatmap.slice(0, 10);
  return [
    { indexes: index, blobs: ["fleet", regionKey], doubles: FLEET_DOUBLES.map((k) => num(m[k])) },
    { indexes: index, blobs: ["pipeline", regionKey], doubles: PIPELINE_DOUBLES.map((k) => num(m[k])) },
    {
      indexes: index,
      // blob3.. are cell centres "lat,lon"; double1.. their counts, busiest first.
      blobs: ["heatmap", regionKey, ...heat.map((c) => `${c.lat.toFixed(5)},${c.lon.toFixed(5)}`)],
      doubles: heat.map((c) => c.count),
    },
  ];
}
