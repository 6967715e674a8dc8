import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { FleetMetrics, HeatCell } from "../../src/detect/metrics.js";
import { FLEET_DOUBLES, metricsToDataPoints, PIPELINE_DOUBLES, POINT_KINDS } from "../../src/region/metrics-mapping.js";
import { AE_LIMITS } from "../../src/region/metrics-sink.js";

const REGION = "u0qj";

function cell(i: number, count: number): HeatCell {
  return { cellKey: `${i},${-i}`, lat: 47.3 + i * 0.0009, lon: 8.5 - i * 0.0013, count };
}

/** Every metric a distinct value, so a swapped column shows. */
function metrics(over: Partial<FleetMetrics> = {}): FleetMetrics {
  return {
    atMs: 1_767_000_000_000,
    windowMs: 1000,
    active: 101,
    new: 102,
    lost: 103,
    received: 201,
    accepted: 202,
    rejected: 203,
    rateLimited: 204,
    dedupedNear: 205,
    dedupedRepeat: 206,
    dedupedStale: 207,
    deduped: 208,
    applied: 209,
    ignoredStale: 210,
    batched: 211,
    resent: 212,
    droppedOverflow: 213,
    wrongDrone: 214,
    ghostsSent: 215,
    staleOnArrival: 216,
    lateOnArrival: 217,
    overQuota: 218,
    quotaUnchecked: 219,
    batteryMeanPct: 104.5,
    batteryMinPct: 105,
    lowBattery: 106,
    speedMeanMps: 107.25,
    speedMaxMps: 108,
    densityPerKm2: 109.125,
    heatmap: [cell(0, 9), cell(1, 5), cell(2, 1)],
    conflictsCaution: 110,
    conflictsWarning: 111,
    alertsStarted: 112,
    alertsCleared: 113,
    delayP50Ms: 114,
    delayP99Ms: 115,
    alertLatencyP50Ms: 116,
    alertLatencyP99Ms: 117,
    alertLatencySamples: 118,
    shedLevel: 119,
    batchWaitP90Ms: 120,
    shed: 220,
    ...over,
  };
}

describe("metricsToDataPoints", () => {
  it("writes exactly three data points per tick: fleet, pipeline, heatmap", () => {
    const pts = metricsToDataPoints(REGION, metrics());
    expect(pts).toHaveLength(3);
    expect(pts.map((p) => p.blobs[0])).toEqual([...POINT_KINDS]);
    expect([...POINT_KINDS]).toEqual(["fleet", "pipeline", "heatmap"]);
  });

  it("indexes every point by the region key and names it in blob2", () => {
    for (const p of metricsToDataPoints(REGION, metrics())) {
      expect(p.indexes).toEqual([REGION]);
      expect(p.blobs[1]).toBe(REGION);
    }
  });

  it("stays within Analytics Engine's limits even with a full heatmap", () => {
    const m = metrics({ heatmap: Array.from({ length: 25 }, (_, i) => cell(i, 100 - i)) });
    for (const p of metricsToDataPoints(REGION, m)) {
      expect(p.blobs.length).toBeLessThanOrEqual(AE_LIMITS.blobs);
      expect(p.doubles.length).toBeLessThanOrEqual(AE_LIMITS.doubles);
      expect(new TextEncoder().encode(p.indexes[0]).length).toBeLessThanOrEqual(AE_LIMITS.indexBytes);
    }
    expect(AE_LIMITS).toMatchObject({ blobs: 20, doubles: 20 });
  });

  it("writes the fleet doubles in FLEET_DOUBLES order", () => {
    const m = metrics();
    const [fleet] = metricsToDataPoints(REGION, m);
    expect(fleet!.doubles).toEqual(FLEET_DOUBLES.map((k) => m[k]));
    expect(fleet!.doubles).toEqual([101, 102, 103, 104.5, 105, 106, 107.25, 108, 109.125, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120]);
  });

  it("writes the pipeline doubles in PIPELINE_DOUBLES order", () => {
    const m = metrics();
    const [, pipeline] = metricsToDataPoints(REGION, m);
    expect(pipeline!.doubles).toEqual(PIPELINE_DOUBLES.map((k) => m[k]));
    expect(pipeline!.doubles).toEqual([201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220]);
  });

  it("keeps the column order queries rely on (append only)", () => {
    expect([...FLEET_DOUBLES]).toEqual([
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
    ]);
    expect([...PIPELINE_DOUBLES]).toEqual([
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
    ]);
  });

  it("writes NaN and infinities as -1 (Analytics Engine doubles must be numbers)", () => {
    const m = metrics({ batteryMeanPct: NaN, batteryMinPct: NaN, delayP50Ms: NaN, delayP99Ms: Infinity, applied: NaN });
    const [fleet, pipeline] = metricsToDataPoints(REGION, m);
    const at = (k: (typeof FLEET_DOUBLES)[number]) => fleet!.doubles[FLEET_DOUBLES.indexOf(k)];
    expect(at("batteryMeanPct")).toBe(-1);
    expect(at("batteryMinPct")).toBe(-1);
    expect(at("delayP50Ms")).toBe(-1);
    expect(at("delayP99Ms")).toBe(-1);
    expect(pipeline!.doubles[PIPELINE_DOUBLES.indexOf("applied")]).toBe(-1);
    for (const p of metricsToDataPoints(REGION, m)) for (const d of p.doubles) expect(Number.isFinite(d)).toBe(true);
  });

  it("keeps zero as zero (only missing data becomes -1)", () => {
    const [fleet] = metricsToDataPoints(REGION, metrics({ active: 0, speedMaxMps: 0 }));
    expect(fleet!.doubles[0]).toBe(0);
    expect(fleet!.doubles[FLEET_DOUBLES.indexOf("speedMaxMps")]).toBe(0);
  });

  it('writes heatmap cells as "lat,lon" blobs with their counts as doubles, in order', () => {
    const m = metrics({
      heatmap: [
        { cellKey: "3,4", lat: 47.123456789, lon: -8.5, count: 7 },
        { cellKey: "0,0", lat: -33.8688, lon: 151.2093, count: 2 },
      ],
    });
    const [, , heat] = metricsToDataPoints(REGION, m);
    expect(heat!.blobs).toEqual(["heatmap", REGION, "47.12346,-8.50000", "-33.86880,151.20930"]);
    expect(heat!.doubles).toEqual([7, 2]);
  });

  it("writes at most 10 heatmap cells, the first (busiest) ones", () => {
    const cells = Array.from({ length: 14 }, (_, i) => cell(i, 50 - i));
    const [, , heat] = metricsToDataPoints(REGION, metrics({ heatmap: cells }));
    expect(heat!.doubles).toEqual(cells.slice(0, 10).map((c) => c.count));
    expect(heat!.blobs.slice(2)).toEqual(cells.slice(0, 10).map((c) => `${c.lat.toFixed(5)},${c.lon.toFixed(5)}`));
  });

  it("writes an empty heatmap as a point with no cells", () => {
    const [, , heat] = metricsToDataPoints(REGION, metrics({ heatmap: [] }));
    expect(heat).toEqual({ indexes: [REGION], blobs: ["heatmap", REGION], doubles: [] });
  });

  it("is pure: imports nothing from the Workers runtime", () => {
    const src = readFileSync(new URL("../../src/region/metrics-mapping.ts", import.meta.url), "utf8");
    expect(src).not.toMatch(/from\s+["']cloudflare:/);
  });
});
