/** fast-check arbitraries and a comparable form for wire Points, shared by the codec tests. */
import { create } from "@bufbuild/protobuf";
import fc from "fast-check";
import { PointSchema, type Point } from "../../src/gen/airspace/v1/airspace_pb.js";

const I32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/** A Point's fields without the message's bookkeeping, for toEqual. */
export function plainPoint(p: Point) {
  return {
    droneId: p.droneId,
    tOffsetMs: p.tOffsetMs,
    latE7: p.latE7,
    lonE7: p.lonE7,
    altMm: p.altMm,
    vnCms: p.vnCms,
    veCms: p.veCms,
    vdCms: p.vdCms,
    batteryPct: p.batteryPct,
    seq: p.seq,
  };
}

/** Any wire Point with one of `ids`: every int32 extreme, battery and seq present or absent. */
export function wirePointArb(ids: string[]): fc.Arbitrary<Point> {
  return fc
    .record({
      droneId: fc.constantFrom(...ids),
      tOffsetMs: fc.integer(I32),
      latE7: fc.integer(I32),
      lonE7: fc.integer(I32),
      altMm: fc.integer(I32),
      vnCms: fc.integer(I32),
      veCms: fc.integer(I32),
      vdCms: fc.integer(I32),
      batteryPct: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
      seq: fc.option(fc.integer({ min: 0, max: 2 ** 32 - 2 }), { nil: undefined }),
    })
    .map((r) =>
      create(PointSchema, { ...r, ...(r.batteryPct === undefined ? {} : { batteryPct: r.batteryPct }), ...(r.seq === undefined ? {} : { seq: r.seq }) }),
    );
}
