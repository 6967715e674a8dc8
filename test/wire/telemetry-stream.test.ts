import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PointSchema, TelemetryColumnsSchema, TelemetryStreamSchema, type Point, type TelemetryStream } from "../../src/gen/airspace/v1/airspace_pb.js";
import { encodeColumns } from "../../src/wire/columns.js";
import { StreamDecoder, StreamEncoder } from "../../src/wire/telemetry-stream.js";
import { plainPoint, wirePointArb } from "../helpers/wire-points.js";

/** Through the real wire form: what the gateway decodes is what protobuf carried. */
function wire(m: TelemetryStream): TelemetryStream {
  return fromBinary(TelemetryStreamSchema, toBinary(TelemetryStreamSchema, m));
}

function pt(droneId: string, latE7: number, lonE7: number, tOffsetMs = 0, seq?: number): Point {
  return create(PointSchema, { droneId, latE7, lonE7, tOffsetMs, altMm: 120_000, vnCms: 1000, batteryPct: 80, ...(seq === undefined ? {} : { seq }) });
}

describe("TelemetryStream", () => {
  it("round-trips any sequence of frames exactly, table resets included", () => {
    const ids = ["", "a", "b", "c", "drone-ünï", "e"];
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.array(wirePointArb(ids), { maxLength: 12 }), { maxLength: 8 }), (cap, frames) => {
        const enc = new StreamEncoder(cap);
        const dec = new StreamDecoder(cap);
        for (const f of frames) {
          const m = enc.encode(f, 7n);
          const distinct = new Set(f.map((p) => p.droneId).filter((id) => id !== ""));
          if (distinct.size > cap) {
            expect(m).toBeNull();
            continue;
          }
          expect(m).not.toBeNull();
          enc.commit();
          const back = dec.decode(wire(m!), 1000);
          expect(back.ok).toBe(true);
          if (!back.ok) return;
          expect(back.points.map(plainPoint)).toEqual(f.map(plainPoint));
          expect(dec.drones).toBe(enc.drones);
        }
      }),
    );
  });

  it("sends an uncommitted frame's drones again: only sent frames move the state", () => {
    const enc = new StreamEncoder(10);
    const dec = new StreamDecoder(10);
    const first = enc.encode([pt("a", 10, 20)], 0n)!;
    expect(first.newDroneIds).toEqual(["a"]);
    // Not committed (the socket dropped it, or it was split for size): the next frame starts from scratch.
    const again = enc.encode([pt("a", 11, 21)], 0n)!;
    expect(again.newDroneIds).toEqual(["a"]);
    expect(again.latE7).toEqual([11]);
    enc.commit();
    expect(dec.decode(again, 10)).toMatchObject({ ok: true, points: [{ droneId: "a", latE7: 11 }] });
  });

  it("makes a relay's later frames small: ids once, values against each drone's last report", () => {
    const enc = new StreamEncoder(100);
    const frame = (k: number) =>
      Array.from({ length: 50 }, (_, i) => pt(`relay-drone-${i}`, 488_000_000 + i * 40_000 + k * 150, 23_000_000 + i * 9_000 + k * 90, 0, k));
    const first = enc.encode(frame(0), 0n)!;
    enc.commit();
    const later = enc.encode(frame(1), 0n)!;
    enc.commit();
    expect(first.newDroneIds).toHaveLength(50);
    expect(later.newDroneIds).toEqual([]);
    expect(later.droneRef).toEqual(Array(50).fill(1));
    expect(later.latE7).toEqual(Array(50).fill(150));
    expect(later.seq).toEqual(Array(50).fill(1));
    const size = (m: TelemetryStream) => toBinary(TelemetryStreamSchema, m).length;
    // 12 bytes a point: ref, time, 2 × 2 for the 15 m moves, one each for the rest. The columnar form of
    // the same frame pays for 50 ids and 4 km jumps between neighbours every time.
    expect(size(later)).toBeLessThanOrEqual(50 * 12 + 30);
    expect(size(later)).toBeLessThan(toBinary(TelemetryColumnsSchema, encodeColumns(frame(1), 0n)).length / 2);
  });

  it("resets the table when new drones would overflow it, and the decoder follows", () => {
    const enc = new StreamEncoder(2);
    const dec = new StreamDecoder(2);
    const send = (pts: Point[]) => {
      const m = enc.encode(pts, 0n)!;
      enc.commit();
      const r = dec.decode(wire(m), 100);
      expect(r).toMatchObject({ ok: true });
      return { m, points: r.ok ? r.points : [] };
    };
    expect(send([pt("a", 1, 1), pt("b", 2, 2)]).m.reset).toBe(false);
    const third = send([pt("c", 3, 3), pt("a", 4, 4)]);
    expect(third.m.reset).toBe(true);
    expect(third.m.newDroneIds).toEqual(["c", "a"]);
    expect(third.points.map((p) => [p.droneId, p.latE7])).toEqual([
      ["c", 3],
      ["a", 4],
    ]);
    expect(enc.drones).toBe(2);
    expect(dec.drones).toBe(2);
    expect(enc.encode([pt("a", 1, 1), pt("b", 1, 1), pt("c", 1, 1)], 0n)).toBeNull();
  });

  it("keeps a drone token's implicit drone without a table, and sends only what changed", () => {
    const T = 1_700_000_000_000n;
    const enc = new StreamEncoder(1);
    const dec = new StreamDecoder(1);
    const m = enc.encode([pt("", 100, 200, 0, 5), pt("", 130, 230, 100, 6)], T)!;
    enc.commit();
    expect(m).toMatchObject({ baseTimeDeltaMs: T, points: 2, newDroneIds: [], droneRef: [], vdCms: [], battery: [81, 0] });
    expect(dec.decode(m, 10)).toMatchObject({ ok: true, baseTimeMs: T });
    // One report 100 ms later: base time, position and seq moved; the other columns cost nothing.
    const next = enc.encode([pt("", 160, 260, 0, 7)], T + 100n)!;
    enc.commit();
    expect(next).toMatchObject({ baseTimeDeltaMs: 100n, points: 1, tOffsetMs: [], latE7: [30], lonE7: [30], altMm: [], vnCms: [], battery: [], seq: [1] });
    expect(toBinary(TelemetryStreamSchema, next).length).toBeLessThanOrEqual(16);
    const r = dec.decode(wire(next), 10);
    expect(r.ok && { base: r.baseTimeMs, points: r.points.map(plainPoint) }).toEqual({ base: T + 100n, points: [plainPoint(pt("", 160, 260, 0, 7))] });
  });

  it("rejects malformed frames with a reason and leaves its state as it was", () => {
    const enc = new StreamEncoder(3);
    const dec = new StreamDecoder(3);
    const ok = enc.encode([pt("a", 10, 10), pt("b", 20, 20)], 0n)!;
    enc.commit();
    expect(dec.decode(ok, 100)).toMatchObject({ ok: true });
    const next = enc.encode([pt("a", 11, 11), pt("b", 21, 21)], 0n)!;
    const bad: [Partial<TelemetryStream>, string][] = [
      [{ lonE7: [1] }, "column lonE7 has 1 entries for 2 points"],
      [{ droneRef: [1] }, "column droneRef has 1 entries for 2 points"],
      [{ droneRef: [1, 5] }, "point 1 names drone 6 of 3"],
      [{ droneRef: [-1, 1] }, "point 0 names drone -1 of 3"],
      [{ newDroneIds: ["a"] }, 'drone id "a" is already in the stream table'],
      [{ reset: true, newDroneIds: ["x", "x"] }, 'drone id "x" is already in the stream table'],
      [{ newDroneIds: [""] }, "new drone id of 0 characters; 1-64"],
      [{ newDroneIds: ["x".repeat(65)] }, "new drone id of 65 characters; 1-64"],
      [{ newDroneIds: ["x", "y"] }, "the stream table would hold 4 drones; at most 3"],
    ];
    for (const [change, message] of bad) expect(dec.decode(create(TelemetryStreamSchema, { ...next, ...change }), 100)).toEqual({ ok: false, message });
    expect(dec.decode(next, 1)).toEqual({ ok: false, message: "2 points in one frame; at most 1" });
    expect(dec.decode(create(TelemetryStreamSchema, { ...next, baseTimeDeltaMs: -1n }), 100)).toEqual({
      ok: false,
      message: "base time -1 is not a Unix ms time",
    });
    // None of those moved the decoder: the real next frame still reads right.
    expect(dec.drones).toBe(2);
    const r = dec.decode(next, 100);
    expect(r.ok && r.points.map((p) => [p.droneId, p.latE7])).toEqual([
      ["a", 11],
      ["b", 21],
    ]);
  });
});
