import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClientFrameSchema, TelemetrySchema, type ClientFrame, type Point } from "../../src/gen/airspace/v1/airspace_pb.js";
import { readTelemetryFrame } from "../../src/wire/telemetry-reader.js";
import { wirePointArb } from "../helpers/wire-points.js";

function telemetryBytes(points: Point[], baseTimeMs: bigint): Uint8Array {
  return toBinary(ClientFrameSchema, create(ClientFrameSchema, { kind: { case: "telemetry", value: create(TelemetrySchema, { baseTimeMs, points }) } }));
}

/** What the generic decoder makes of `bytes`, or "throws". */
function generic(bytes: Uint8Array): ClientFrame | "throws" {
  try {
    return fromBinary(ClientFrameSchema, bytes);
  } catch {
    return "throws";
  }
}

describe("readTelemetryFrame", () => {
  it("reads every telemetry frame exactly as protobuf-es does", () => {
    fc.assert(
      fc.property(
        fc.array(wirePointArb(["", "a", "relay-drone-0042", "x".repeat(64)]), { maxLength: 40 }),
        fc.bigInt({ min: 0n, max: 2n ** 53n - 1n }),
        (points, base) => {
          const bytes = telemetryBytes(points, base);
          const fast = readTelemetryFrame(bytes);
          expect(fast).not.toBeNull();
          expect(fast).toEqual(fromBinary(ClientFrameSchema, bytes));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never disagrees on damaged frames: either the same result or it steps aside", () => {
    fc.assert(
      fc.property(
        fc.array(wirePointArb(["a", "b"]), { minLength: 1, maxLength: 5 }),
        fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }),
        fc.nat({ max: 3 }),
        (points, flips, cut) => {
          const bytes = telemetryBytes(points, 1_700_000_000_000n);
          for (const f of flips) bytes[f.at % bytes.length] = f.byte;
          const damaged = bytes.subarray(0, bytes.length - cut);
          const fast = readTelemetryFrame(damaged);
          if (fast !== null) expect(fast).toEqual(generic(damaged));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("leaves pings, columns, non-ASCII ids, huge base times and unknown fields to the generic reader", () => {
    const ping = toBinary(ClientFrameSchema, create(ClientFrameSchema, { kind: { case: "ping", value: { nonce: 5n } } }));
    expect(readTelemetryFrame(ping)).toBeNull();
    expect(readTelemetryFrame(new Uint8Array(0))).toBeNull();
    const point = (droneId: string) =>
      ({ $typeName: "airspace.v1.Point", droneId, tOffsetMs: 0, latE7: 1, lonE7: 2, altMm: 3, vnCms: 0, veCms: 0, vdCms: 0 }) as Point;
    expect(readTelemetryFrame(telemetryBytes([point("drône")], 1n))).toBeNull();
    expect(readTelemetryFrame(telemetryBytes([point("a")], 2n ** 60n))).toBeNull();
    const withUnknown = new Uint8Array([...telemetryBytes([point("a")], 1n), 0x78, 0x01]); // field 15 after the telemetry
    expect(readTelemetryFrame(withUnknown)).toBeNull();
    expect(readTelemetryFrame(telemetryBytes([point("a")], 1n))).not.toBeNull();
  });
});
