import { describe, expect, it } from "vitest";
import { chartRow, RollingSeries } from "../../src/page/rolling-series.js";

describe("the charts' rolling series", () => {
  it("keeps the window, ignores rows not newer than the last, and turns bad values into gaps", () => {
    const s = new RollingSeries(["a", "b"], 10);
    expect(s.push(100, { a: 1, b: 2 })).toBe(true);
    expect(s.push(100, { a: 9 })).toBe(false);
    expect(s.push(99, { a: 9 })).toBe(false);
    expect(s.push(Number.NaN, { a: 9 })).toBe(false);
    expect(s.push(105, { a: Number.NaN, b: null })).toBe(true);
    expect(s.push(111, { a: 3 })).toBe(true);
    expect(s.data()).toEqual([
      [105, 111],
      [null, 3],
      [null, null],
    ]);
  });

  it("turns a metrics row into per-second rates and levels", () => {
    const r = chartRow({ windowMs: 500, accepted: 10, rejected: 1, rateLimited: 0, deduped: 2, droppedOverflow: 0, shed: 3, active: 7, batteryMeanPct: null });
    expect(r).toMatchObject({ accepted: 20, rejected: 2, deduped: 4, shed: 6, active: 7, batteryMeanPct: null, delayP50Ms: null });
    expect(chartRow({ accepted: 10 }).accepted).toBeNull();
    expect(chartRow({ alertLatencyP50Ms: 14, alertLatencyP99Ms: null })).toMatchObject({ alertLatencyP50Ms: 14, alertLatencyP99Ms: null });
  });
});
