import { describe, expect, it } from "vitest";
import { parseOpsFrame } from "../../src/wire/ops-frames.js";

describe("ops frames", () => {
  it("refuses what is not a snapshot and drops malformed entries, never throwing", () => {
    for (const bad of [undefined, 3, "", "{", "null", "[]", '{"t":"x"}', '{"t":"snapshot","region":"u","atMs":1}', "x".repeat(5 * 1024 * 1024)])
      expect(parseOpsFrame(bad)).toBeNull();
    const s = parseOpsFrame(
      JSON.stringify({
        t: "snapshot",
        region: "u",
        atMs: 1,
        drones: [["a", 1, 2, 3, 4, 5, 6, 7, "normal", 8], ["b", 1, 2, 3, 4, 5, 6, 7, "purple", 8], [1, 2], null],
        conflicts: [{ a: "a", b: "b" }, { a: 1 }],
        metrics: 3,
        heatmap: [{ lat: 1, lon: 2, count: 3 }, { lat: "x" }],
        events: [{ kind: "lost", droneId: "a", atMs: 1 }, {}],
      }),
    );
    expect(s).not.toBeNull();
    expect(s!.drones.map((d) => d[0])).toEqual(["a"]);
    expect(s!.conflicts).toHaveLength(1);
    expect(s!.metrics).toBeNull();
    expect(s!.heatmap).toHaveLength(1);
    expect(s!.events).toHaveLength(1);
    expect(s!.heatCellM).toBe(100);
  });
});
