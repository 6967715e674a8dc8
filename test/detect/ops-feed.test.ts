import { describe, expect, it } from "vitest";
import { OpsFeed } from "../../src/detect/ops-feed.js";
import type { RegionOutput } from "../../src/detect/region-outputs.js";
import { alertOut as alert } from "../helpers/alert-out.js";

describe("ops feed", () => {
  it("keeps one line per start, escalation and clear of an encounter, not its copies and refreshes", () => {
    const f = new OpsFeed();
    f.noteOutputs([alert("a", "b", "x", "caution", "climb"), alert("b", "a", "x", "caution")], 1);
    f.noteOutputs([alert("a", "b", "x", "caution"), alert("b", "a", "x", "caution")], 2);
    f.noteOutputs([alert("a", "b", "x", "warning")], 3);
    f.noteOutputs([alert("a", "b", "x", "clear"), alert("b", "a", "x", "clear")], 4);
    const { events, dropped } = f.take();
    expect(dropped).toBe(0);
    expect(events.map((e) => [e.atMs, e.level])).toEqual([
      [1, "caution"],
      [3, "warning"],
      [4, "clear"],
    ]);
    expect(events[0]).toMatchObject({ kind: "alert", droneId: "a", otherId: "b", alertId: "x", text: "advised climb" });
    expect(f.take().events).toEqual([]);
  });

  it("adds advisories and drone events (low battery once, as its advisory), and counts what does not fit", () => {
    const f = new OpsFeed(3);
    const adv: RegionOutput = { kind: "advisory", linkId: "l", droneId: "c", advisory: "low_battery_rth", message: "Battery at 12%", timeMs: 0 };
    f.noteOutputs([adv, { kind: "proximity", linkId: "l", droneIds: ["c"] }], 5);
    f.noteEvents([
      { type: "low_battery", droneId: "c", atMs: 5 },
      { type: "lost", droneId: "d", atMs: 6 },
      { type: "recovered", droneId: "d", atMs: 7 },
      { type: "evicted", droneId: "e", atMs: 8 },
    ]);
    const { events, dropped } = f.take();
    expect(events.map((e) => `${e.kind}:${e.droneId}`)).toEqual(["advisory:c", "lost:d", "recovered:d"]);
    expect(events[0]!.text).toBe("Battery at 12%");
    expect(dropped).toBe(1);
  });
});
