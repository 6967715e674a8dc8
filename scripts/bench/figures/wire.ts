/**
 * Scenario 4's bytes on the wire per point: row protobuf and its zstd, then the columnar and stream
 * encodings, for a drone socket and a relay; and what a 10 Hz drone sends one report a frame.
 */
import type { Collected } from "../../bench.js";
import type { WireSize } from "../wire-size.js";
import { check } from "../stats.js";
import type { FigureRow } from "./row.js";

const within32 = (bytes: number) => ({ target: "≤ 32 B", met: check(bytes, "<=", 32) });
const within40pct = (zstdRatio: number) => ({ target: "≤ 40 % of protobuf", met: check(zstdRatio, "<=", 0.4) });

export function wireFigures(c: Collected): FigureRow[] {
  const w = c.wire;
  if (!w) return [];
  const kinds = [
    { k: "drone", kind: "drone socket", rowKind: "drone socket", ws: w.drone },
    { k: "relay", kind: "relay", rowKind: "relay (ids on the wire)", ws: w.relay },
  ] as const;
  const out: FigureRow[] = [];
  for (const { k, kind, rowKind, ws } of kinds) {
    out.push(
      {
        key: `wire.${k}Protobuf`,
        figure: `wire: bytes per point, ${rowKind}, 50-pt protobuf frames`,
        value: ws.protobufBytesPerPoint,
        unit: "B",
        baseline: null,
        ...within32(ws.protobufBytesPerPoint),
      },
      {
        key: `wire.${k}Zstd`,
        figure: `wire: bytes per point, ${kind}, protobuf + zstd`,
        value: ws.zstdBytesPerPoint,
        unit: "B",
        baseline: ws.protobufBytesPerPoint,
        baselineLabel: "protobuf",
        ...within40pct(ws.zstdRatio),
      },
    );
  }
  for (const { k, kind, ws } of kinds) {
    const vsRows = { unit: "B", baseline: ws.protobufBytesPerPoint, baselineLabel: "row protobuf" };
    out.push(
      {
        key: `wire.${k}Columnar`,
        figure: `wire: bytes per point, ${kind}, columnar (TelemetryColumns)`,
        value: ws.columnarBytesPerPoint,
        ...vsRows,
        ...within32(ws.columnarBytesPerPoint),
      },
      {
        key: `wire.${k}ColumnarZstd`,
        figure: `wire: bytes per point, ${kind}, columnar + zstd`,
        value: ws.columnarZstdBytesPerPoint,
        ...vsRows,
        ...within40pct(ws.columnarZstdRatio),
      },
      {
        key: `wire.${k}Stream`,
        figure: `wire: bytes per point, ${kind}, stream (TelemetryStream, one connection)`,
        value: ws.streamBytesPerPoint,
        ...vsRows,
        ...within32(ws.streamBytesPerPoint),
      },
      {
        key: `wire.${k}StreamZstd`,
        figure: `wire: bytes per point, ${kind}, stream + zstd`,
        value: ws.streamZstdBytesPerPoint,
        ...vsRows,
        ...within40pct(ws.streamZstdRatio),
      },
    );
  }
  out.push(...singleReportFigures(w.droneSingle));
  return out;
}

/** What a 10 Hz drone behind the 50 ms window actually sends: one report a frame (too small for zstd). */
function singleReportFigures(one: WireSize): FigureRow[] {
  return [
    {
      key: "wire.droneSingleProtobuf",
      figure: "wire: bytes per point, drone socket, one report per frame, row protobuf",
      value: one.protobufBytesPerPoint,
      unit: "B",
      baseline: null,
      target: "",
      met: null,
    },
    {
      key: "wire.droneSingleStream",
      figure: "wire: bytes per point, drone socket, one report per frame, stream",
      value: one.streamBytesPerPoint,
      unit: "B",
      baseline: one.protobufBytesPerPoint,
      baselineLabel: "row protobuf",
      target: "",
      met: null,
    },
  ];
}
