import { fromBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ErrorCode, ServerFrameSchema } from "../../src/gen/airspace/v1/airspace_pb.js";
import { backlogLevel, LoadShed } from "../../src/ingest/load-shed.js";
import { BACKLOG_SHED_AT, NOTICE_INTERVAL_MS, SHED_LEASE_MS, SHED_LEVELS } from "../../src/tunables.js";
import type { TelemetryPoint } from "../../src/wire/point.js";

const T0 = 1_790_000_000_000;
const R = "u0qj";
const moving = (id: string, t: number): TelemetryPoint => ({ droneId: id, timeMs: t, lat: 47, lon: 8, altM: 100, vn: 8, ve: 0, vu: 0, battery: 80, seq: -1 });
const hovering = (id: string, t: number): TelemetryPoint => ({ ...moving(id, t), vn: 0.1 });

/** Offers a drone's reports every `stepMs` for `ms` and returns the measurement times kept. */
function kept(s: LoadShed, make: (t: number) => TelemetryPoint, stepMs: number, ms: number, urgent = false): number[] {
  const out: number[] = [];
  for (let t = T0; t < T0 + ms; t += stepMs) {
    const p = make(t);
    if (!s.sheds(R, p, urgent, t)) {
      s.accepted(p);
      out.push(t - T0);
    }
  }
  return out;
}

describe("LoadShed", () => {
  it("holds nothing back at level 0, nor for another region", () => {
    const s = new LoadShed();
    expect(kept(s, (t) => moving("a", t), 100, 1000)).toHaveLength(10);
    s.setLevel("other", 3, T0);
    expect(kept(s, (t) => moving("a", t), 100, 1000)).toHaveLength(10);
  });

  it("level 1 sheds health only: a hovering drone's refreshes, never a moving drone's positions", () => {
    const s = new LoadShed();
    s.setLevel(R, 1, T0);
    expect(kept(s, (t) => moving("m", t), 100, 1000)).toHaveLength(10);
    const hover = kept(s, (t) => hovering("h", t), 1000, 4500);
    expect(hover).toEqual([0, SHED_LEVELS[1]!.hoverMs, 2 * SHED_LEVELS[1]!.hoverMs]);
  });

  it("levels 2 and 3 thin moving drones to their interval, and never a drone in proximity or a conflict", () => {
    for (const level of [2, 3]) {
      const s = new LoadShed();
      s.setLevel(R, level, T0);
      const every = SHED_LEVELS[level]!.movingMs;
      expect(kept(s, (t) => moving("m", t), 100, 1000)).toEqual(Array.from({ length: 1000 / every }, (_, i) => i * every));
      expect(kept(s, (t) => moving("near", t), 100, 1000, true)).toHaveLength(10);
    }
  });

  it("lets a level lapse when the region stops repeating it, and forgets at level 0", () => {
    const s = new LoadShed();
    s.setLevel(R, 3, T0);
    const p = moving("a", T0);
    s.accepted(p);
    expect(s.sheds(R, moving("a", T0 + 100), false, T0 + 100)).toBe(true);
    expect(s.sheds(R, moving("a", T0 + 200), false, T0 + SHED_LEASE_MS + 1)).toBe(false);
    expect(s.levelOf(R, T0 + SHED_LEASE_MS + 1)).toBe(0);
    s.setLevel(R, 3, T0);
    s.setLevel(R, 0, T0 + 10);
    expect(s.sheds(R, moving("a", T0 + 300), false, T0 + 300)).toBe(false);
  });

  it("sheds for its own link's backlog, by how far it has gone into the resend window, and stops once it is acknowledged", () => {
    expect([0, 0.39, 0.4, 0.59, 0.6, 0.79, 0.8, 1, 7].map(backlogLevel)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 3]);
    expect(BACKLOG_SHED_AT).toHaveLength(SHED_LEVELS.length - 1);
    const s = new LoadShed();
    s.setBacklog(R, 0.85);
    expect(s.levelOf(R, T0)).toBe(3);
    expect(s.levelOf("other", T0)).toBe(0);
    const every = SHED_LEVELS[3]!.movingMs;
    expect(kept(s, (t) => moving("m", t), 100, 1000)).toEqual(Array.from({ length: 1000 / every }, (_, i) => i * every));
    expect(kept(s, (t) => moving("near", t), 100, 1000, true)).toHaveLength(10); // never a drone in proximity
    // No lease: it holds as long as the backlog does, and ends with it.
    expect(s.levelOf(R, T0 + 10 * SHED_LEASE_MS)).toBe(3);
    s.setBacklog(R, 0.1);
    expect(s.levelOf(R, T0)).toBe(0);
    expect(s.sheds(R, moving("m", T0 + 2000), false, T0 + 2000)).toBe(false);
  });

  it("applies the higher of the region's level and the backlog's, and names which one held a point back", () => {
    const s = new LoadShed();
    s.setLevel(R, 1, T0);
    s.setBacklog(R, 0.65);
    expect(s.levelOf(R, T0)).toBe(2);
    kept(s, (t) => moving("acme/a", t), 100, 1000);
    const byLink = fromBinary(ServerFrameSchema, s.takeNotice(T0 + 1000)!);
    if (byLink.kind.case !== "error") throw new Error("not an error frame");
    expect(byLink.kind.value.message).toMatch(/not acknowledged.*link backlog.*level 2/);
    s.setBacklog(R, 0);
    s.setLevel(R, 3, T0 + 1000);
    kept(s, (t) => moving("acme/a", t + 2000), 100, 1000);
    const byRegion = fromBinary(ServerFrameSchema, s.takeNotice(T0 + 3000)!);
    if (byRegion.kind.case !== "error") throw new Error("not an error frame");
    expect(byRegion.kind.value.message).toMatch(/cannot keep pace.*level 3/);
    expect(byRegion.kind.value.message).not.toMatch(/backlog/);
  });

  it("tells the client at most once a second, with the count and one of the drones (its own id)", () => {
    const s = new LoadShed();
    s.setLevel(R, 3, T0);
    kept(s, (t) => moving("acme/a", t), 100, 1000);
    const frame = s.takeNotice(T0 + 1000)!;
    const f = fromBinary(ServerFrameSchema, frame);
    if (f.kind.case !== "error") throw new Error("not an error frame");
    expect(f.kind.value.code).toBe(ErrorCode.OVERLOADED);
    expect(f.kind.value.count).toBe(8); // 10 offered, one per 500 ms kept
    expect(f.kind.value.droneId).toBe("a");
    expect(f.kind.value.message).toMatch(/level 3.*never held back/);
    kept(s, (t) => moving("acme/a", t + 1000), 100, 300);
    expect(s.takeNotice(T0 + 1000 + NOTICE_INTERVAL_MS - 1)).toBeNull();
    expect(s.takeNotice(T0 + 1000 + NOTICE_INTERVAL_MS)).not.toBeNull();
    expect(s.takeNotice(T0 + 5000)).toBeNull(); // nothing held since
  });
});
