/**
 * The columnar, delta-encoded telemetry batch (proto TelemetryColumns), both ways, over the wire's own
 * Point messages: the client library encodes with it, the gateway decodes to the Points it validates
 * like any others. Pure; shared so that both sides agree byte for byte.
 */
import { create } from "@bufbuild/protobuf";
import { PointSchema, TelemetryColumnsSchema, type Point, type TelemetryColumns } from "../gen/airspace/v1/airspace_pb.js";

/** The batch cannot be read as points; the message says why. */
export type ColumnsResult = { ok: true; points: Point[] } | { ok: false; message: string };

const NUMERIC = ["tOffsetMs", "latE7", "lonE7", "altMm", "vnCms", "veCms", "vdCms", "battery", "seq"] as const;

/** Columns of `points` (wire Points, fixed point already). Drone ids go into a table unless all are empty. */
export function encodeColumns(points: readonly Point[], baseTimeMs: bigint): TelemetryColumns {
  const ids: string[] = [];
  const idIndex = new Map<string, number>();
  const anyId = points.some((p) => p.droneId !== "");
  const c = create(TelemetryColumnsSchema, { baseTimeMs });
  const prev = { tOffsetMs: 0, latE7: 0, lonE7: 0, altMm: 0, vnCms: 0, veCms: 0, vdCms: 0, battery: 0, seq: 0 };
  for (const p of points) {
    if (anyId) {
      let i = idIndex.get(p.droneId);
      if (i === undefined) {
        i = ids.length;
        idIndex.set(p.droneId, i);
        ids.push(p.droneId);
      }
      c.droneIndex.push(i);
    }
    const v = {
      tOffsetMs: p.tOffsetMs,
      latE7: p.latE7,
      lonE7: p.lonE7,
      altMm: p.altMm,
      vnCms: p.vnCms,
      veCms: p.veCms,
      vdCms: p.vdCms,
      battery: p.batteryPct === undefined ? 0 : p.batteryPct + 1,
      seq: p.seq === undefined ? 0 : (p.seq + 1) >>> 0,
    };
    for (const k of NUMERIC) {
      // Modulo 2^32 so that any two int32 (or uint32) values have an int32 difference.
      c[k].push((v[k] - prev[k]) | 0);
      prev[k] = v[k];
    }
  }
  c.droneIds = ids;
  return c;
}

/** The Points of a columnar batch, or why it is malformed (never throws). */
export function decodeColumns(c: TelemetryColumns, maxPoints: number): ColumnsResult {
  const n = c.latE7.length;
  if (n > maxPoints) return { ok: false, message: `${n} points in one frame; at most ${maxPoints}` };
  for (const k of NUMERIC) if (c[k].length !== n) return { ok: false, message: `column ${k} has ${c[k].length} entries for ${n} points` };
  const indexed = c.droneIndex.length > 0;
  if (indexed && c.droneIndex.length !== n) return { ok: false, message: `column droneIndex has ${c.droneIndex.length} entries for ${n} points` };
  if (!indexed && c.droneIds.length > 1) return { ok: false, message: "several drone ids but no droneIndex column" };
  const acc = { tOffsetMs: 0, latE7: 0, lonE7: 0, altMm: 0, vnCms: 0, veCms: 0, vdCms: 0, battery: 0, seq: 0 };
  const points: Point[] = new Array(n);
  for (let i = 0; i < n; i++) {
    for (const k of NUMERIC) acc[k] = (acc[k] + c[k][i]!) | 0;
    const idx = indexed ? c.droneIndex[i]! : 0;
    if (indexed && idx >= c.droneIds.length) return { ok: false, message: `point ${i} names drone ${idx} of ${c.droneIds.length}` };
    const seq = acc.seq >>> 0;
    points[i] = create(PointSchema, {
      droneId: c.droneIds[idx] ?? "",
      tOffsetMs: acc.tOffsetMs,
      latE7: acc.latE7,
      lonE7: acc.lonE7,
      altMm: acc.altMm,
      vnCms: acc.vnCms,
      veCms: acc.veCms,
      vdCms: acc.vdCms,
      ...(acc.battery !== 0 ? { batteryPct: acc.battery - 1 } : {}),
      ...(seq !== 0 ? { seq: seq - 1 } : {}),
    });
  }
  return { ok: true, points };
}
