import { describe, expect, it } from "vitest";
import { buildSnapshot, droneState } from "../../src/detect/ops-snapshot.js";
import type { FleetMetrics } from "../../src/detect/metrics.js";
import type { DroneSnapshot } from "../../src/detect/region-outputs.js";
import { HEATMAP_CELL_M } from "../../src/tunables.js";
import { parseOpsFrame } from "../../src/wire/ops-frames.js";

function drone(droneId: string, over: Partial<DroneSnapshot> = {}): DroneSnapshot {
  return {
    droneId,
    linkId: "l",
    ghost: false,
    timeMs: 1000,
    lastSeenMs: 1010,
    lat: 48.1,
    lon: 11.5,
    altM: 100,
    vn: 0,
    ve: 0,
    vu: 0,
    battery: 80,
    status: "active",
    lowBatterySent: false,
    ...over,
  };
}

describe("ops snapshot", () => {
  it("gives each drone a state, most urgent first", () => {
    expect(droneState(drone("a", { status: "lost", battery: 5 }), "warning", 20)).toBe("warning");
    expect(droneState(drone("a", { status: "lost", battery: 5 }), undefined, 20)).toBe("lost");
    expect(droneState(drone("a", { battery: 5 }), undefined, 20)).toBe("low_battery");
    expect(droneState(drone("a", { battery: -1 }), undefined, 20)).toBe("normal");
  });

  it("writes drones as tuples, conflicts with the time to entry as of now, and survives its own parser", () => {
    const s = buildSnapshot({
      region: "u281",
      nowMs: 3000,
      drones: [drone("a", { vn: -10, ve: -10, vu: 1.25 }), drone("b", { battery: 10 }), drone("c", { status: "lost" })],
      encounters: [
        { alertId: "x", a: "a", b: "b", level: "caution", tEntryS: 3, tCpaS: 4, hsepCpaM: 2, vsepCpaM: Number.NaN, computedForMs: 1000 },
        { alertId: "y", a: "a", b: "c", level: "warning", tEntryS: 1, tCpaS: 1.5, hsepCpaM: 0, vsepCpaM: 0, computedForMs: 1000 },
      ],
      metrics: null,
      events: [{ atMs: 2000, kind: "lost", droneId: "c" }],
      eventsDropped: 0,
      lowBatteryPct: 20,
    });
    expect(s.drones[0]).toEqual(["a", 48.1, 11.5, 100, 225, 14.1, 1.3, 80, "warning", 1010]);
    expect(s.drones.map((d) => d[8])).toEqual(["warning", "caution", "warning"]);
    expect(s.conflicts[0]).toEqual({ alertId: "x", a: "a", b: "b", level: "caution", tEntryS: 1, tCpaS: 2, hsepCpaM: 2, vsepCpaM: -1 });
    expect(s.conflicts[1]!.tEntryS).toBe(0);
    expect(parseOpsFrame(JSON.stringify(s))).toEqual(s);
  });

  it("carries the metrics' congestion heatmap as its own layer, and the metrics' numbers without it", () => {
    const metrics = {
      active: 9,
      batteryMeanPct: 71.5,
      alertLatencyP99Ms: Number.NaN,
      heatmap: [
        { cellKey: "c1", lat: 48.123456789, lon: 11.5, count: 7 },
        { cellKey: "c2", lat: 48.1, lon: 11.501, count: 2 },
      ],
    } as unknown as FleetMetrics;
    const s = buildSnapshot({ region: "u281", nowMs: 1, drones: [], encounters: [], metrics, events: [], eventsDropped: 0, lowBatteryPct: 20 });
    expect(s.heatCellM).toBe(HEATMAP_CELL_M);
    expect(s.heatmap).toEqual([
      { lat: 48.1234568, lon: 11.5, count: 7 },
      { lat: 48.1, lon: 11.501, count: 2 },
    ]);
    expect(s.metrics).toEqual({ active: 9, batteryMeanPct: 71.5, alertLatencyP99Ms: null });
    expect(parseOpsFrame(JSON.stringify(s))?.heatmap).toEqual(s.heatmap);
  });
});
