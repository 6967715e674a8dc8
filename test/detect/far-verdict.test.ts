import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/config.js";
import { farRadiusM, farVerdictValidityMs } from "../../src/detect/far-verdict.js";

describe("far verdicts", () => {
  it("hold to the next tick plus a whole stretch", () => {
    expect(farVerdictValidityMs({ stretchMaxMs: 1000 })).toBe(2500);
    expect(farVerdictValidityMs({ stretchMaxMs: 0 })).toBe(1500);
  });

  it("need a radius no pair can close while the verdict holds, plus what the region may not know yet", () => {
    const o = { ...DEFAULTS, stretchMaxMs: 1000 };
    const v = farVerdictValidityMs(o) / 1000;
    const r = farRadiusM(o);
    // Worst case: both drones fly straight at each other at vmax through the whole validity, the
    // other drone's last report is S old and this one's points waited a whole stretch.
    const closing = 2 * o.maxSpeedMps * v + (o.maxSpeedMps * (o.staleAfterMs + o.stretchMaxMs)) / 1000;
    // What is left still exceeds what a look-ahead of T can close within R.
    expect(r - closing).toBeCloseTo(o.conflictRadiusM + 2 * o.maxSpeedMps * o.lookaheadS, 9);
    expect(r).toBe(1915);
  });
});
