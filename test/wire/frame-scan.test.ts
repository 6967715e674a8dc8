import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { encodePingFrame, encodeRenewFrame, encodeTelemetryFrame } from "../../src/client/wire.js";
import { ClientFrameSchema } from "../../src/gen/airspace/v1/airspace_pb.js";
import { KIND_COLUMNS, KIND_PING, KIND_RENEW, KIND_STREAM, KIND_TELEMETRY, scanClientFrame } from "../../src/wire/frame-scan.js";
import { streamCountFrame } from "../helpers/bombs.js";

const pts = (n: number) => Array.from({ length: n }, (_, i) => ({ droneId: `d${i % 3}`, timeMs: 1000 + i, lat: 1, lon: 2, altM: 3, vn: 0, ve: 0, vu: 0 }));

describe("scanClientFrame", () => {
  it("names the kind and counts the points each form would make", () => {
    expect(scanClientFrame(encodeTelemetryFrame(pts(7)), 100)).toEqual({ ok: true, kind: KIND_TELEMETRY, points: 7 });
    expect(scanClientFrame(encodeTelemetryFrame(pts(9), { columnar: true }), 100)).toEqual({ ok: true, kind: KIND_COLUMNS, points: 9 });
    expect(scanClientFrame(streamCountFrame(42), 100)).toEqual({ ok: true, kind: KIND_STREAM, points: 42 });
    expect(scanClientFrame(encodePingFrame(3), 100)).toEqual({ ok: true, kind: KIND_PING, points: 0 });
    expect(scanClientFrame(encodeRenewFrame("a.b.c"), 100)).toEqual({ ok: true, kind: KIND_RENEW, points: 0 });
    expect(scanClientFrame(toBinary(ClientFrameSchema, create(ClientFrameSchema, {})), 100)).toEqual({ ok: true, kind: 0, points: 0 });
  });

  it("stops at maxPoints, and says when the bytes are not a ClientFrame", () => {
    expect(scanClientFrame(encodeTelemetryFrame(pts(11)), 10)).toMatchObject({ ok: false, tooManyPoints: true });
    expect(scanClientFrame(streamCountFrame(4097), 4096)).toMatchObject({ ok: false, tooManyPoints: true });
    expect(scanClientFrame(Uint8Array.from([0x0a, 0x05, 0x12]), 10)).toMatchObject({ ok: false, tooManyPoints: false });
    expect(scanClientFrame(Uint8Array.from([0xff, 0xff, 0xff]), 10)).toMatchObject({ ok: false, tooManyPoints: false });
  });
});
