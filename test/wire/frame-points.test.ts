import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  ClientFrameSchema,
  ErrorCode,
  PointSchema,
  TelemetryColumnsSchema,
  TelemetryStreamSchema,
  type ClientFrame,
} from "../../src/gen/airspace/v1/airspace_pb.js";
import { encodeColumns } from "../../src/wire/columns.js";
import { framePoints } from "../../src/wire/frame-points.js";
import { StreamDecoder, StreamEncoder, streamMaxDrones } from "../../src/wire/telemetry-stream.js";

const frame = (kind: MessageInitShape<typeof ClientFrameSchema>["kind"]): ClientFrame => create(ClientFrameSchema, { kind });
const pts = [create(PointSchema, { droneId: "a", latE7: 5 }), create(PointSchema, { droneId: "b", latE7: 6 })];

describe("framePoints", () => {
  it("reads rows, columns and the connection's stream alike", () => {
    const stream = new StreamDecoder(4);
    const enc = new StreamEncoder(4);
    const m = enc.encode(pts, 1000n)!;
    enc.commit();
    for (const f of [
      frame({ case: "telemetry", value: { baseTimeMs: 1000n, points: pts } }),
      frame({ case: "columns", value: encodeColumns(pts, 1000n) }),
      frame({ case: "stream", value: m }),
    ]) {
      const r = framePoints(f, 10, () => stream);
      expect(r.ok && { base: r.baseTimeMs, ids: r.points.map((p) => p.droneId), lat: r.points.map((p) => p.latE7) }).toEqual({
        base: 1000,
        ids: ["a", "b"],
        lat: [5, 6],
      });
    }
  });

  it("says what is wrong, and only an unreadable stream frame is fatal", () => {
    let made = 0;
    const stream = () => {
      made++;
      return new StreamDecoder(streamMaxDrones("drone", 10));
    };
    expect(framePoints(frame({ case: "telemetry", value: { points: pts } }), 1, stream)).toMatchObject({
      ok: false,
      code: ErrorCode.TOO_MANY_POINTS,
      fatal: false,
    });
    expect(framePoints(frame({ case: "columns", value: create(TelemetryColumnsSchema, { latE7: [1], lonE7: [] }) }), 10, stream)).toMatchObject({
      ok: false,
      code: ErrorCode.BAD_FRAME,
      fatal: false,
    });
    expect(framePoints(frame({ case: "ping", value: { nonce: 1n } }), 10, stream)).toMatchObject({ ok: false, code: ErrorCode.BAD_FRAME, fatal: false });
    expect(made).toBe(0); // no stream state for sockets that never stream
    expect(framePoints(frame({ case: "stream", value: create(TelemetryStreamSchema, { points: 1, droneRef: [2] }) }), 10, stream)).toMatchObject({
      ok: false,
      code: ErrorCode.STREAM,
      fatal: true,
    });
  });

  it("sizes the stream table by role", () => {
    expect(streamMaxDrones("relay", 2000)).toBe(4000);
    expect(streamMaxDrones("relay", 1_000_000)).toBe(16_384);
    expect(streamMaxDrones("drone", 2000)).toBe(1);
  });
});
