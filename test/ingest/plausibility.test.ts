import { describe, expect, it } from "vitest";
import { fromEnu } from "../../src/geo/enu.js";
import { JumpCheck } from "../../src/ingest/plausibility.js";
import { JUMP_REANCHOR_AFTER, JUMP_SLACK_M } from "../../src/tunables.js";
import type { TelemetryPoint } from "../../src/wire/point.js";

const T0 = 1_795_000_000_000;
const at = (eastM: number, timeMs: number, altM = 100, id = "f/d"): TelemetryPoint => {
  const q = fromEnu(52.5, 13.4, eastM, 0);
  return { droneId: id, timeMs, lat: q.lat, lon: q.lon, altM, vn: 0, ve: 0, vu: 0, battery: -1, seq: -1 };
};

describe("JumpCheck", () => {
  it("rejects a point farther than MAX_SPEED_MPS × dt + slack from the previous accepted one, horizontally or vertically", () => {
    const j = new JumpCheck(100, 10);
    expect(j.check(at(0, T0))).toBeNull(); // nothing to compare with
    j.accepted(at(0, T0));
    expect(j.check(at(100 + JUMP_SLACK_M - 1, T0 + 1000))).toBeNull();
    expect(j.check(at(100 + JUMP_SLACK_M + 5, T0 + 1000))).toMatchObject({ status: "rejected", reason: "jump", droneId: "f/d" });
    expect(j.check(at(0, T0 + 1000, 100 + 100 + JUMP_SLACK_M + 5))).toMatchObject({ reason: "jump" });
    expect(j.check(at(0, T0 + 1000, 100, "f/other"))).toBeNull(); // per drone
  });

  it("one bad point never moves the reference: the next good point passes", () => {
    const j = new JumpCheck(100, 10);
    j.accepted(at(0, T0));
    expect(j.check(at(50_000, T0 + 100))).not.toBeNull(); // a glitch 50 km away
    expect(j.check(at(20, T0 + 200))).toBeNull();
  });

  it("re-anchors after JUMP_REANCHOR_AFTER rejections in a row: a bad reference cannot lock a drone out", () => {
    const j = new JumpCheck(100, 10);
    j.accepted(at(50_000, T0)); // the session's first point was the glitch
    for (let i = 1; i < JUMP_REANCHOR_AFTER; i++) expect(j.check(at(0, T0 + i * 100))).not.toBeNull();
    const p = at(0, T0 + JUMP_REANCHOR_AFTER * 100);
    expect(j.check(p)).toBeNull();
    j.accepted(p);
    expect(j.check(at(10, T0 + JUMP_REANCHOR_AFTER * 100 + 100))).toBeNull();
  });

  it("forgets the oldest drone past its capacity", () => {
    const j = new JumpCheck(100, 2);
    for (const id of ["a", "b", "c"]) j.accepted(at(0, T0, 100, id));
    expect(j.size).toBe(2);
    expect(j.check(at(50_000, T0 + 1, 100, "a"))).toBeNull(); // forgotten: no reference
    expect(j.check(at(50_000, T0 + 1, 100, "c"))).not.toBeNull();
  });
});
