import { create, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { encodePingFrame, encodeTelemetryFrame, type ClientPoint } from "../../src/client/wire.js";
import { loadZstdEncoder, type ZstdEncoder } from "../../src/client/zstd.js";
import { ClientFrameSchema, ErrorCode } from "../../src/gen/airspace/v1/airspace_pb.js";
import { CloseCode } from "../../src/wire/close-codes.js";
import { encodeColumns } from "../../src/wire/columns.js";
import { checkFrameShape } from "../../src/wire/frame-shape.js";
import { decodeClientFrame } from "../../src/wire/frames.js";
import { StreamEncoder } from "../../src/wire/telemetry-stream.js";
import { wirePointArb } from "../helpers/wire-points.js";

const MIB = 1 << 20;
const MAX_POINTS = 4096;

function soup(pattern: number[], bytes: number): Uint8Array {
  const out = new Uint8Array(Math.floor(bytes / pattern.length) * pattern.length);
  for (let i = 0; i < out.length; i += pattern.length) out.set(pattern, i);
  return out;
}

/** `body` as field `no`, length-delimited. */
function lenField(no: number, body: Uint8Array): Uint8Array {
  const head: number[] = [(no << 3) | 2];
  for (let n = body.length; ; n >>>= 7) {
    if (n < 0x80) {
      head.push(n);
      break;
    }
    head.push((n & 0x7f) | 0x80);
  }
  return Uint8Array.from([...head, ...body]);
}

function points(n: number, ids: (i: number) => string): ClientPoint[] {
  const t = 1_795_000_000_000;
  return Array.from({ length: n }, (_, i) => ({
    droneId: ids(i),
    timeMs: t + i,
    lat: 45 + i * 1e-6,
    lon: 4,
    altM: 100,
    vn: 1,
    ve: -1,
    vu: 0,
    battery: 50,
    seq: i,
  }));
}

let zstd: ZstdEncoder;
beforeAll(async () => {
  zstd = await loadZstdEncoder();
});

describe("checkFrameShape", () => {
  it("passes every form the client writes, up to MAX_POINTS_PER_FRAME points of distinct drones", () => {
    const full = points(MAX_POINTS, (i) => `relay-drone-${i}`);
    const stream = new StreamEncoder(2 * MAX_POINTS);
    for (const bytes of [
      encodeTelemetryFrame(full),
      encodeTelemetryFrame(full, { columnar: true }),
      encodeTelemetryFrame(full, { stream }),
      encodeTelemetryFrame(
        points(3, () => "d"),
        { implicitDroneId: "d" },
      ),
      encodePingFrame(42),
    ])
      expect(checkFrameShape(bytes, MAX_POINTS)).toEqual({ ok: true });
  });

  it("passes any valid frame protobuf-es writes, and fields it does not know (a newer client's)", () => {
    fc.assert(
      fc.property(fc.array(wirePointArb(["", "a", "x".repeat(64)]), { maxLength: 30 }), fc.boolean(), (ps, columnar) => {
        const value = columnar ? encodeColumns(ps, 1n) : { baseTimeMs: 1n, points: ps };
        const bytes = toBinary(
          ClientFrameSchema,
          create(ClientFrameSchema, { kind: columnar ? { case: "columns", value } : { case: "telemetry", value } } as never),
        );
        expect(checkFrameShape(bytes, MAX_POINTS)).toEqual({ ok: true });
        // Field 15 (varint) and field 16 (bytes) are not in the proto: skipped, not refused.
        expect(checkFrameShape(Uint8Array.from([...bytes, 0x78, 0x05, 0x82, 0x01, 0x02, 0xaa, 0xbb]), MAX_POINTS)).toEqual({ ok: true });
      }),
    );
  });

  it("passes repeated numbers written unpacked, as a parser must", () => {
    // TelemetryColumns{lat_e7: 1, lat_e7: 2} as two varint fields instead of one packed field.
    expect(checkFrameShape(Uint8Array.from([0x1a, 0x04, 0x28, 0x02, 0x28, 0x04]), MAX_POINTS)).toEqual({ ok: true });
  });

  it.each([
    ["a known field under another wire type", [0x0a, 0x02, 0x0d, 0x01], /Telemetry.baseTimeMs under wire type 5/],
    ["a group (of an unknown field)", [0x7b, 0x7c], /wire type 3 \(groups are not read\)/],
    ["wire type 7", [0x0f], /wire type 7/],
    ["field number 0", [0x02, 0x00], /field number 0/],
    ["a varint over 64 bits", [0x12, 0x0b, 0x08, ...new Array(9).fill(0xff), 0x02], /over 64 bits/],
    ["a varint over 10 bytes", [0x12, 0x0c, 0x08, ...new Array(10).fill(0x80), 0x00], /over 64 bits/],
    ["a tag over 32 bits", [0x80, 0x80, 0x80, 0x80, 0x10], /tag over 32 bits/],
    ["a length past the end", [0x0a, 0x05, 0x08, 0x01], /a length of 5 with 2 bytes left/],
    // protobuf-es reads only a length's low 32 bits: 2^32 + 2 would be taken as 2.
    ["a length of 2^32 + 2", [0x0a, 0x82, 0x80, 0x80, 0x80, 0x10, 0x08, 0x01], /a length of 4294967298/],
    ["a packed column ending inside a varint", [0x1a, 0x03, 0x2a, 0x01, 0x80], /ends inside a varint/],
  ])("refuses %s as malformed", (_what, bytes, message) => {
    const s = checkFrameShape(Uint8Array.from(bytes), MAX_POINTS);
    expect(s).toMatchObject({ ok: false, reason: "malformed", message: expect.stringMatching(message) });
  });

  it("counts entries across merged messages, and every field of the frame", () => {
    const point = [0x12, 0x00];
    const twoTelemetries = [0x0a, 0x04, ...point, ...point, 0x0a, 0x04, ...point, ...point];
    expect(checkFrameShape(Uint8Array.from(twoTelemetries), 4)).toEqual({ ok: true });
    expect(checkFrameShape(Uint8Array.from(twoTelemetries), 3)).toMatchObject({ ok: false, reason: "too-many-points", kind: "telemetry" });
    // 12 fields per point allowed, plus 64: one point's budget is 76 fields.
    expect(checkFrameShape(soup([0x78, 0x00], 2 * 76), 1)).toEqual({ ok: true });
    expect(checkFrameShape(soup([0x78, 0x00], 2 * 77), 1)).toMatchObject({ ok: false, reason: "too-many-fields" });
  });
});

// Regression (issue 12, hostile bytes): before the shape check, each of these decoded in full: a MiB
// of empty points took ~0.6 s and ~120 MB of heap (52 MB on the fast path), and with zstd the MiB
// costs ~100 bytes on the wire, so one small message could take a Worker past its 128 MB.
describe("decodeClientFrame refuses a frame of a million tiny elements before building it", () => {
  it.each([
    ["empty points", lenField(1, soup([0x12, 0x00], MIB - 8)), ErrorCode.TOO_MANY_POINTS],
    [
      "empty points behind an unknown field (the generic decoder's path)",
      lenField(1, Uint8Array.from([0x78, 0x01, ...soup([0x12, 0x00], MIB - 16)])),
      ErrorCode.TOO_MANY_POINTS,
    ],
    ["empty drone ids in columns", lenField(3, soup([0x12, 0x00], MIB - 8)), ErrorCode.TOO_MANY_POINTS],
    ["a packed column", lenField(3, lenField(5, new Uint8Array(MIB - 16))), ErrorCode.TOO_MANY_POINTS],
    ["unknown fields", soup([0x78, 0x00], MIB), ErrorCode.BAD_FRAME],
    ["empty telemetries, merged", soup([0x0a, 0x00], MIB), ErrorCode.BAD_FRAME],
  ])("%s", (_what, plain, code) => {
    for (const bytes of [plain, zstd(plain)]) {
      const r = decodeClientFrame(bytes, MIB, MAX_POINTS);
      expect(r).toMatchObject({ ok: false, code });
      expect(r.ok || r.close).toBeUndefined();
    }
    expect(zstd(plain).length).toBeLessThan(200);
  });

  it("ends the stream (1007) for a stream frame refused for its counts: its client already applied it", () => {
    const r = decodeClientFrame(lenField(4, soup([0x1a, 0x00], MIB - 8)), MIB, MAX_POINTS);
    expect(r).toMatchObject({
      ok: false,
      code: ErrorCode.STREAM,
      close: CloseCode.STREAM_LOST,
      message: expect.stringMatching(/^unreadable stream frame: more than 4096 entries in TelemetryStream.newDroneIds/),
    });
  });

  it("still reads a frame of exactly MAX_POINTS_PER_FRAME points on either path", () => {
    const rows = encodeTelemetryFrame(points(MAX_POINTS, (i) => `d${i}`));
    for (const bytes of [rows, Uint8Array.from([...rows, 0x78, 0x01])]) {
      const r = decodeClientFrame(bytes, MIB, MAX_POINTS);
      expect(r.ok && r.frame.kind.case === "telemetry" && r.frame.kind.value.points.length).toBe(MAX_POINTS);
    }
  });
});
