import { create } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PointSchema, TelemetryColumnsSchema } from "../../src/gen/airspace/v1/airspace_pb.js";
import { encodeTelemetryFrame } from "../../src/client/wire.js";
import { loadZstdEncoder } from "../../src/client/zstd.js";
import { decodeColumns, encodeColumns } from "../../src/wire/columns.js";
import { decodeClientFrame } from "../../src/wire/frames.js";
import { plainPoint, wirePointArb } from "../helpers/wire-points.js";

describe("columnar telemetry", () => {
  it("round-trips any points exactly, ids, absent fields and extremes included", () => {
    fc.assert(
      fc.property(fc.array(wirePointArb(["", "a", "b", "drone-ünï"]), { maxLength: 60 }), (points) => {
        const back = decodeColumns(encodeColumns(points, 123n), 10_000);
        expect(back.ok).toBe(true);
        if (!back.ok) return;
        // An empty id stays empty only when no point names a drone; otherwise ids come back as sent.
        expect(back.points.map(plainPoint)).toEqual(points.map(plainPoint));
      }),
    );
  });

  it("leaves the id table and index out on a drone token's socket", () => {
    const pts = [create(PointSchema, { latE7: 1, lonE7: 2 }), create(PointSchema, { latE7: 3, lonE7: 4 })];
    const c = encodeColumns(pts, 0n);
    expect(c.droneIds).toEqual([]);
    expect(c.droneIndex).toEqual([]);
    expect(c.latE7).toEqual([1, 2]);
  });

  it("rejects malformed batches with a reason, never throwing", () => {
    const ok = encodeColumns([create(PointSchema, { droneId: "a", latE7: 5 }), create(PointSchema, { droneId: "b", latE7: 6 })], 0n);
    const short = create(TelemetryColumnsSchema, { ...ok, lonE7: [1] });
    expect(decodeColumns(short, 100)).toEqual({ ok: false, message: "column lonE7 has 1 entries for 2 points" });
    const badIndex = create(TelemetryColumnsSchema, { ...ok, droneIndex: [0, 7] });
    expect(decodeColumns(badIndex, 100)).toMatchObject({ ok: false, message: "point 1 names drone 7 of 2" });
    const noIndex = create(TelemetryColumnsSchema, { ...ok, droneIndex: [] });
    expect(decodeColumns(noIndex, 100)).toMatchObject({ ok: false });
    expect(decodeColumns(ok, 1)).toMatchObject({ ok: false, message: "2 points in one frame; at most 1" });
  });
});

describe("columnar frames through the gateway's decoder", () => {
  it("decodes a zstd-compressed columnar frame from the client library to the same points", async () => {
    const zstd = await loadZstdEncoder(3);
    const t0 = 1_795_000_000_000;
    const pts = Array.from({ length: 50 }, (_, i) => ({
      droneId: `d${i % 5}`,
      timeMs: t0 + i * 20,
      lat: 52.5 + i * 1e-5,
      lon: 13.4 - i * 2e-5,
      altM: 100 + i * 0.1,
      vn: 10,
      ve: -5,
      vu: 0.5,
      battery: 80,
      seq: i,
    }));
    const bytes = encodeTelemetryFrame(pts, { columnar: true, compress: zstd, compressMinBytes: 0 });
    const r = decodeClientFrame(bytes, 1 << 20, 4096);
    expect(r.ok && r.compressed).toBe(true);
    if (!r.ok || r.frame.kind.case !== "columns") throw new Error("expected a columns frame");
    const back = decodeColumns(r.frame.kind.value, 1000);
    expect(back.ok && back.points.map((p) => [p.droneId, p.latE7, p.seq])).toEqual(pts.map((p) => [p.droneId, Math.round(p.lat * 1e7), p.seq]));
  });
});
