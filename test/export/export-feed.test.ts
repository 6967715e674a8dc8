import { describe, expect, it } from "vitest";
import type { AdvisoryOut, OpsEvent } from "../../src/detect/region-outputs.js";
import { ExportFeed, type PositionOf } from "../../src/export/export-feed.js";
import { alertOut as alert } from "../helpers/alert-out.js";

const positions: PositionOf = (key) => (key === "gone/x" ? null : { lat: 51.4, lon: -0.2, altM: 100, timeMs: 995 });

describe("export feed", () => {
  it("exports each drone's alert transitions with both fleets and positions, not the refreshes", () => {
    const f = new ExportFeed("gcpv", positions, 100);
    f.noteOutputs([alert("a/d1", "b/d2", "x1", "caution", "climb"), alert("b/d2", "a/d1", "x1", "caution", "descend")], 1000);
    f.noteOutputs([alert("a/d1", "b/d2", "x1", "caution", "climb"), alert("b/d2", "a/d1", "x1", "caution", "descend")], 2000);
    f.noteOutputs([alert("a/d1", "b/d2", "x1", "warning", "climb")], 3000);
    f.noteOutputs([alert("a/d1", "b/d2", "x1", "clear"), alert("b/d2", "a/d1", "x1", "clear")], 4000);
    const events = f.take(100);
    expect(events.map((e) => [e.timeMs, e.fleet, e.drone, e.level])).toEqual([
      [1000, "a", "d1", "caution"],
      [1000, "b", "d2", "caution"],
      [3000, "a", "d1", "warning"],
      [4000, "a", "d1", "clear"],
      [4000, "b", "d2", "clear"],
    ]);
    expect(events[0]).toEqual({
      v: 1,
      id: "alert:x1:a/d1:caution/climb:1000",
      type: "alert",
      region: "gcpv",
      timeMs: 1000,
      time: "1970-01-01T00:00:01.000Z",
      fleet: "a",
      drone: "d1",
      position: { lat: 51.4, lon: -0.2, altM: 100, timeMs: 995 },
      alertId: "x1",
      level: "caution",
      otherFleet: "b",
      otherDrone: "d2",
      otherPosition: { lat: 51.5, lon: -0.1, altM: 120, timeMs: 990 },
      manoeuvre: "climb",
      tEntryS: 1.5,
      tCpaS: 2.5,
      hsepCpaM: 3,
      vsepCpaM: 0,
    });
    // A clear predicts nothing: JSON gets null, never NaN (which would serialise as null silently anyway).
    expect(events[3]).toMatchObject({ tEntryS: null, tCpaS: null, hsepCpaM: null, vsepCpaM: null, manoeuvre: "none" });
    expect(JSON.parse(JSON.stringify(events))).toEqual(events);
    expect(f.take(100)).toEqual([]);
    // A new encounter of the same pair is exported again.
    f.noteOutputs([alert("a/d1", "b/d2", "x2", "caution")], 5000);
    expect(f.take(100).map((e) => e.alertId)).toEqual(["x2"]);
  });

  it("exports advisories and lost, recovered and low-battery events; not evictions, proximity or stale notices", () => {
    const f = new ExportFeed("gcpv", positions, 100);
    const adv: AdvisoryOut = { kind: "advisory", linkId: "l", droneId: "a/d1", advisory: "low_battery_rth", message: "Battery at 15%", timeMs: 1234 };
    f.noteOutputs(
      [adv, { kind: "proximity", linkId: "l", droneIds: ["a/d1"] }, { kind: "stale", linkId: "l", droneId: "a/d1", points: 1, stale: 1, maxAgeMs: 9 }],
      1300,
    );
    const ops: OpsEvent[] = [
      { type: "low_battery", droneId: "a/d1", atMs: 1300 },
      { type: "lost", droneId: "gone/x", atMs: 2000 },
      { type: "recovered", droneId: "a/d1", atMs: 3000 },
      { type: "evicted", droneId: "a/d1", atMs: 4000 },
    ];
    f.noteEvents(ops);
    const events = f.take(100);
    expect(events.map((e) => [e.type, e.fleet, e.drone, e.id])).toEqual([
      ["advisory", "a", "d1", "advisory:low_battery_rth:a/d1:1234"],
      ["low_battery", "a", "d1", "low_battery:a/d1:1300"],
      ["lost", "gone", "x", "lost:gone/x:2000"],
      ["recovered", "a", "d1", "recovered:a/d1:3000"],
    ]);
    expect(events[0]).toMatchObject({ advisory: "low_battery_rth", message: "Battery at 15%", position: { lat: 51.4 } });
    expect(events[2]!.position).toBeNull();
  });

  it("holds at most `cap` events, counts the rest, and hands them out in order", () => {
    const f = new ExportFeed("r", positions, 3);
    f.noteEvents([1, 2, 3, 4, 5].map((t) => ({ type: "lost" as const, droneId: `f/d${t}`, atMs: t })));
    expect(f.size).toBe(3);
    expect(f.dropped).toBe(2);
    expect(f.take(2).map((e) => e.drone)).toEqual(["d1", "d2"]);
    expect(f.take(2).map((e) => e.drone)).toEqual(["d3"]);
  });
});
