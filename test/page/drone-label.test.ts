import { describe, expect, it } from "vitest";
import { describeDrone, STATE_COLOURS } from "../../src/page/drone-label.js";
import type { OpsDrone } from "../../src/wire/ops-frames.js";

describe("how the sky shows a drone", () => {
  it("hovering a drone shows its id, state, altitude, speed, heading, battery and when it was last seen", () => {
    const d: OpsDrone = ["acme/d7", 48.1, 11.5, 120.5, 270, 12.3, -0.5, 18, "low_battery", 10_000];
    expect(describeDrone(d, 12_500)).toBe("acme/d7 · low battery\nalt 120.5 m · 12.3 m/s · heading 270°\nbattery 18 % · last seen 2.5 s ago");
    const unknown: OpsDrone = ["b", 0, 0, 0, 0, 0, 0, -1, "normal", 20_000];
    expect(describeDrone(unknown, 19_000)).toMatch(/battery unknown · last seen 0\.0 s ago$/);
  });

  it("colours each state apart", () => {
    const states = ["normal", "caution", "warning", "lost", "low_battery"] as const;
    expect(Object.keys(STATE_COLOURS).sort()).toEqual([...states].sort());
    expect(new Set(states.map((s) => STATE_COLOURS[s])).size).toBe(states.length);
  });
});
