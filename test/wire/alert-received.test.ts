import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { alertEdgeReceivedMs } from "../../src/wire/alert-received.js";
import { advisoryFrame, alertFrame, errorFrame, type AlertFields } from "../../src/wire/server-frames.js";
import { ErrorCode } from "../../src/gen/airspace/v1/airspace_pb.js";

const T = 1_790_000_000_000;
const alert = (over: Partial<AlertFields> = {}): AlertFields => ({
  droneId: "acme/a",
  otherId: "zeta/b",
  alertId: "r1-7",
  level: "caution",
  tEntryS: 3.2,
  tCpaS: 4,
  hsepCpaM: 2,
  vsepCpaM: 1,
  other: { droneId: "zeta/b", timeMs: T, lat: 47.1, lon: 8.5, altM: 120, vn: 3, ve: -2, vu: 0, battery: 80, seq: 9 },
  computedForMs: T,
  manoeuvre: "climb",
  otherAgeMs: 0,
  ...over,
});

describe("alertEdgeReceivedMs", () => {
  it("reads the receive time of an encounter's first alert", () => {
    expect(alertEdgeReceivedMs(alertFrame(alert({ edgeReceivedMs: T + 12 })))).toBe(T + 12);
  });

  it("is 0 for alerts without one and for other frames", () => {
    expect(alertEdgeReceivedMs(alertFrame(alert()))).toBe(0);
    expect(alertEdgeReceivedMs(alertFrame(alert({ level: "clear", edgeReceivedMs: 0 })))).toBe(0);
    expect(alertEdgeReceivedMs(advisoryFrame({ droneId: "a", message: "low battery", timeMs: T }))).toBe(0);
    expect(alertEdgeReceivedMs(errorFrame(ErrorCode.BEHIND, "late", "a", 3))).toBe(0);
    expect(alertEdgeReceivedMs(new Uint8Array())).toBe(0);
  });

  it("never throws on truncated or mutated frames (property)", () => {
    const full = alertFrame(alert({ edgeReceivedMs: T }));
    fc.assert(
      fc.property(fc.nat(full.length), fc.array(fc.tuple(fc.nat(full.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (cut, edits) => {
        const b = full.slice(0, cut);
        for (const [i, v] of edits) if (i < b.length) b[i] = v;
        const v = alertEdgeReceivedMs(b);
        expect(Number.isFinite(v) && v >= 0).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
