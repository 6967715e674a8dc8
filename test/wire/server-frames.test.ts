import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  AdvisoryKind,
  AlertLevel,
  type CollisionAlert,
  ErrorCode,
  Manoeuvre,
  type ServerFrame,
  ServerFrameSchema,
} from "../../src/gen/airspace/v1/airspace_pb.js";
import type { TelemetryPoint } from "../../src/wire/point.js";
import {
  type AdvisoryFields,
  type AlertFields,
  advisoryFrame,
  alertFrame,
  errorFrame,
  pongFrame,
  rateLimitFrame,
  toWirePoint,
  welcomeFrame,
} from "../../src/wire/server-frames.js";
import { MANOEUVRES } from "../../src/wire/manoeuvres.js";
import { splitFleetKey } from "../../src/wire/fleet-key.js";

const T = 1_767_000_000_000;

function other(over: Partial<TelemetryPoint> = {}): TelemetryPoint {
  return {
    droneId: "drone-0042",
    timeMs: T - 180,
    lat: 47.3977419,
    lon: 8.5455939,
    altM: 121.5,
    vn: 12.34,
    ve: -3.21,
    vu: 1.5,
    battery: 64,
    seq: 9001,
    ...over,
  };
}

function alert(over: Partial<AlertFields> = {}): AlertFields {
  return {
    droneId: "drone-0007",
    otherId: "drone-0042",
    alertId: "u0qj1.lx3k2a-1f",
    level: "warning",
    tEntryS: 1.25,
    tCpaS: 3.5,
    hsepCpaM: 12.75,
    vsepCpaM: 4.5,
    other: other(),
    computedForMs: T,
    manoeuvre: "climb",
    otherAgeMs: 0,
    ...over,
  };
}

type Kind = NonNullable<ServerFrame["kind"]["case"]>;
type ValueOf<K extends Kind> = Extract<ServerFrame["kind"], { case: K }> extends { value: infer V } ? V : never;

function decode<K extends Kind>(bytes: Uint8Array, kind: K): ValueOf<K> {
  const f = fromBinary(ServerFrameSchema, bytes);
  expect(f.kind.case).toBe(kind);
  return f.kind.value as unknown as ValueOf<K>;
}

/** Every number in the decoded alert, including the other drone's point. */
function numbersOf(a: CollisionAlert): number[] {
  const p = a.other!;
  return [a.tEntryS, a.tCpaS, a.hsepCpaM, a.vsepCpaM, p.tOffsetMs, p.latE7, p.lonE7, p.altMm, p.vnCms, p.veCms, p.vdCms, p.batteryPct ?? 0, p.seq ?? 0];
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("toWirePoint", () => {
  it("rounds to the wire's fixed point, with vu (up) becoming vd (down)", () => {
    const w = toWirePoint(
      { droneId: "d", timeMs: T + 0.6, lat: 47.39774186, lon: -8.54559394, altM: 120.4996, vn: 12.345, ve: -3.214, vu: 1.506, battery: 63.6, seq: 7 },
      T,
    );
    expect(w.droneId).toBe("d");
    expect(w.tOffsetMs).toBe(1);
    expect(w.latE7).toBe(473977419);
    expect(w.lonE7).toBe(-85455939);
    expect(w.altMm).toBe(120500);
    expect(w.vnCms).toBe(1235); // 1234.5 rounds up
    expect(w.veCms).toBe(-321);
    expect(w.vdCms).toBe(-151);
    expect(w.batteryPct).toBe(64);
    expect(w.seq).toBe(7);
  });

  it("defaults the base time to the point's own time (offset 0)", () => {
    expect(toWirePoint(other()).tOffsetMs).toBe(0);
  });

  it("gives a negative offset for a point measured before the base time", () => {
    expect(toWirePoint(other({ timeMs: T - 1234.4 }), T).tOffsetMs).toBe(-1234);
  });

  it("leaves battery and seq absent when unknown (-1), and keeps 0", () => {
    const absent = toWirePoint(other({ battery: -1, seq: -1 }));
    expect(absent.batteryPct).toBeUndefined();
    expect(absent.seq).toBeUndefined();
    const zero = toWirePoint(other({ battery: 0, seq: 0 }));
    expect(zero.batteryPct).toBe(0);
    expect(zero.seq).toBe(0);
  });
});

/**
 * What alertFrame wrote before it had a writer of its own: protobuf-es's reflective encoding, of the ids
 * as the client hears them (the edge's `fleet/droneId` keys split: wire/fleet-key.ts).
 */
function reflectiveAlertFrame(a: AlertFields): Uint8Array {
  const levels = { caution: AlertLevel.CAUTION, warning: AlertLevel.WARNING, clear: AlertLevel.CLEAR, traffic_lost: AlertLevel.TRAFFIC_LOST } as const;
  const finite = (x: number) => (Number.isFinite(x) ? x : 0);
  const computedFor = a.computedForMs > 0 ? a.computedForMs : a.other.timeMs;
  const value = {
    alertId: a.alertId,
    droneId: splitFleetKey(a.droneId).droneId,
    otherId: splitFleetKey(a.otherId).droneId,
    otherFleet: splitFleetKey(a.otherId).fleet,
    level: levels[a.level],
    tEntryS: a.level === "clear" ? 0 : a.tEntryS,
    tCpaS: finite(a.tCpaS),
    hsepCpaM: finite(a.hsepCpaM),
    vsepCpaM: finite(a.vsepCpaM),
    other: toWirePoint({ ...a.other, droneId: splitFleetKey(a.other.droneId).droneId }, computedFor),
    computedForMs: BigInt(Math.max(0, Math.round(computedFor))),
    advisory: MANOEUVRES[a.manoeuvre], // the names' mapping is held to the enum by "maps every level and manoeuvre"
    otherAgeMs: Math.min(0xffffffff, Math.max(0, Math.round(a.otherAgeMs))),
    edgeReceivedMs: BigInt(Math.max(0, Math.round(a.edgeReceivedMs ?? 0))),
  };
  return toBinary(ServerFrameSchema, create(ServerFrameSchema, { kind: { case: "alert", value } }));
}

describe("alertFrame", () => {
  it("writes exactly what protobuf-es writes for the same alert (property)", () => {
    const f32 = (min: number, max: number) => fc.oneof(fc.constant(0), fc.constant(-0), fc.double({ min, max, noNaN: true }));
    const point = fc.record({
      droneId: fc.oneof(fc.constant(""), fc.string({ maxLength: 64 }), fc.constantFrom("drone-7", "dröhne-ü", "无人机-1", "acme/drone-7")),
      timeMs: fc.integer({ min: T - 30_000, max: T + 30_000 }),
      lat: fc.oneof(fc.constant(0), fc.double({ min: -90, max: 90, noNaN: true })),
      lon: fc.oneof(fc.constant(0), fc.double({ min: -180, max: 180, noNaN: true })),
      altM: f32(-1000, 20_000),
      vn: f32(-150, 150),
      ve: f32(-150, 150),
      vu: f32(-50, 50),
      battery: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 100 })),
      seq: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 2 ** 32 - 1 })),
    });
    const key = fc.oneof(
      fc.string({ maxLength: 64 }),
      fc.tuple(fc.constantFrom("acme", "x.y_z-1"), fc.string({ maxLength: 64 })).map(([f, d]) => `${f}/${d}`),
    );
    const arb = fc.record({
      droneId: key,
      otherId: key,
      alertId: fc.string({ maxLength: 40 }),
      level: fc.constantFrom("caution" as const, "warning" as const, "clear" as const, "traffic_lost" as const),
      tEntryS: fc.oneof(fc.constant(Number.NaN), f32(0, 10)),
      tCpaS: fc.oneof(fc.constant(Number.NaN), fc.constant(Number.POSITIVE_INFINITY), f32(0, 10)),
      hsepCpaM: f32(0, 5000),
      vsepCpaM: f32(0, 5000),
      other: point,
      computedForMs: fc.oneof(fc.constant(0), fc.integer({ min: T - 30_000, max: T + 30_000 })),
      manoeuvre: fc.constantFrom("climb" as const, "descend" as const, "turn_right" as const, "turn_left" as const, "hold" as const, "none" as const),
      otherAgeMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 33 })),
      edgeReceivedMs: fc.oneof(fc.constant(undefined), fc.constant(0), fc.integer({ min: T - 30_000, max: T + 30_000 })),
    });
    fc.assert(
      fc.property(arb, (a) => {
        expect(alertFrame(a)).toEqual(reflectiveAlertFrame(a));
      }),
      { numRuns: 2000 },
    );
  });

  it("decodes into the alert's values", () => {
    const a = decode(alertFrame(alert()), "alert");
    expect(a.alertId).toBe("u0qj1.lx3k2a-1f");
    expect(a.droneId).toBe("drone-0007");
    expect(a.otherId).toBe("drone-0042");
    expect(a.level).toBe(AlertLevel.WARNING);
    expect(a.tEntryS).toBe(Math.fround(1.25));
    expect(a.tCpaS).toBe(Math.fround(3.5));
    expect(a.hsepCpaM).toBe(Math.fround(12.75));
    expect(a.vsepCpaM).toBe(Math.fround(4.5));
    expect(a.computedForMs).toBe(BigInt(T));
    expect(a.advisory).toBe(Manoeuvre.CLIMB);
    const p = a.other!;
    expect(p.droneId).toBe("drone-0042");
    expect(p.latE7).toBe(473977419);
    expect(p.lonE7).toBe(85455939);
    expect(p.altMm).toBe(121500);
    expect([p.vnCms, p.veCms, p.vdCms]).toEqual([1234, -321, -150]);
    expect(p.batteryPct).toBe(64);
    expect(p.seq).toBe(9001);
  });

  it("carries the other drone's measurement time as an offset from computed_for_ms", () => {
    const a = decode(alertFrame(alert({ computedForMs: T, other: other({ timeMs: T - 180 }) })), "alert");
    expect(a.other!.tOffsetMs).toBe(-180);
    expect(Number(a.computedForMs) + a.other!.tOffsetMs).toBe(T - 180);
    const later = decode(alertFrame(alert({ computedForMs: T, other: other({ timeMs: T + 40 }) })), "alert");
    expect(later.other!.tOffsetMs).toBe(40);
  });

  it("maps every level and manoeuvre", () => {
    const levels = { caution: AlertLevel.CAUTION, warning: AlertLevel.WARNING, clear: AlertLevel.CLEAR, traffic_lost: AlertLevel.TRAFFIC_LOST } as const;
    for (const [level, want] of Object.entries(levels)) expect(decode(alertFrame(alert({ level: level as AlertFields["level"] })), "alert").level).toBe(want);
    const manoeuvres = {
      climb: Manoeuvre.CLIMB,
      descend: Manoeuvre.DESCEND,
      turn_right: Manoeuvre.TURN_RIGHT,
      turn_left: Manoeuvre.TURN_LEFT,
      hold: Manoeuvre.HOLD,
      none: Manoeuvre.UNSPECIFIED,
    } as const;
    for (const [m, want] of Object.entries(manoeuvres))
      expect(decode(alertFrame(alert({ manoeuvre: m as AlertFields["manoeuvre"] })), "alert").advisory, m).toBe(want);
  });

  it("sends a clear with t_entry_s 0 and no NaN anywhere", () => {
    const bytes = alertFrame(alert({ level: "clear", tEntryS: NaN, tCpaS: NaN, hsepCpaM: NaN, vsepCpaM: NaN, manoeuvre: "none" }));
    const a = decode(bytes, "alert");
    expect(a.level).toBe(AlertLevel.CLEAR);
    expect(a.tEntryS).toBe(0);
    for (const x of numbersOf(a)) expect(Number.isNaN(x)).toBe(false);
    expect([a.tCpaS, a.hsepCpaM, a.vsepCpaM]).toEqual([0, 0, 0]);
  });

  it("sends a clear with t_entry_s 0 even when the entry time is finite", () => {
    expect(decode(alertFrame(alert({ level: "clear", tEntryS: 2.5 })), "alert").tEntryS).toBe(0);
  });

  it("replaces infinite closest-approach values by 0", () => {
    const a = decode(alertFrame(alert({ tCpaS: Infinity, hsepCpaM: -Infinity, vsepCpaM: Infinity })), "alert");
    expect([a.tCpaS, a.hsepCpaM, a.vsepCpaM]).toEqual([0, 0, 0]);
  });

  it("writes no float32 NaN bit pattern into the bytes of a clear", () => {
    const bytes = alertFrame(alert({ level: "clear", tEntryS: NaN, tCpaS: NaN, hsepCpaM: NaN, vsepCpaM: NaN }));
    const hex = Buffer.from(bytes).toString("hex");
    expect(hex).not.toContain("0000c07f");
    expect(hex).not.toContain("0000c0ff");
  });

  it("rounds a fractional computed_for_ms", () => {
    expect(decode(alertFrame(alert({ computedForMs: T + 0.7 })), "alert").computedForMs).toBe(BigInt(T + 1));
  });

  it("keeps a typical alert under 120 bytes", () => {
    expect(alertFrame(alert()).length).toBeLessThan(120);
    expect(alertFrame(alert({ level: "caution", manoeuvre: "turn_left" })).length).toBeLessThan(120);
    expect(alertFrame(alert({ level: "clear", tEntryS: NaN })).length).toBeLessThan(120);
  });
});

describe("advisoryFrame", () => {
  it("decodes into a low-battery return-to-home advisory", () => {
    const out: AdvisoryFields = {
      droneId: "drone-0007",
      message: "Battery 14%: return to home",
      timeMs: T + 0.4,
    };
    const a = decode(advisoryFrame(out), "advisory");
    expect(a.droneId).toBe("drone-0007");
    expect(a.kind).toBe(AdvisoryKind.LOW_BATTERY_RTH);
    expect(a.message).toBe("Battery 14%: return to home");
    expect(a.timeMs).toBe(BigInt(T));
  });
});

describe("errorFrame", () => {
  it("decodes with the code, message, drone and count", () => {
    const e = decode(errorFrame(ErrorCode.WRONG_DRONE, "this token may only send drone d-7", "d-8", 3), "error");
    expect(e).toMatchObject({ code: ErrorCode.WRONG_DRONE, message: "this token may only send drone d-7", droneId: "d-8", count: 3 });
  });

  it("defaults to no drone and a count of 1", () => {
    const e = decode(errorFrame(ErrorCode.BAD_FRAME, "not a ClientFrame"), "error");
    expect(e).toMatchObject({ code: ErrorCode.BAD_FRAME, droneId: "", count: 1 });
  });
});

describe("rateLimitFrame", () => {
  it("decodes with the drone, dropped count and a retry rounded up to whole ms", () => {
    const r = decode(rateLimitFrame("d-7", 12, 333.2), "rateLimit");
    expect(r).toMatchObject({ droneId: "d-7", dropped: 12, retryAfterMs: 334 });
  });
});

describe("welcomeFrame", () => {
  it("decodes into the session parameters", () => {
    const params = {
      sessionId: "s-123",
      role: "drone",
      droneId: "d-7",
      maxFrameBytes: 1 << 20,
      maxPointsPerFrame: 500,
      pointsPerSecond: 20,
      burstPoints: 40,
      batchWindowMs: 50,
      conflictRadiusM: 30,
      conflictHeightM: 15,
      lookaheadS: 20,
      serverTimeMs: BigInt(T),
      streamMaxDrones: 4000,
      relayMaxDrones: 2000,
      fleet: "acme",
      expiresAtMs: BigInt(T + 600_000),
      pingsPerSecond: 1,
    };
    expect(decode(welcomeFrame(params), "welcome")).toMatchObject(params);
  });
});

describe("pongFrame", () => {
  it("echoes the nonce, stamps the server clock and carries the counters", () => {
    vi.spyOn(Date, "now").mockReturnValue(T + 5);
    const counters = {
      frames: 10n,
      pointsReceived: 100n,
      pointsAccepted: 90n,
      pointsRejected: 4n,
      pointsRateLimited: 3n,
      pointsDeduped: 2n,
      alertsDelivered: 1n,
      pointsLost: 0n,
      pointsShed: 0n,
    };
    const p = decode(pongFrame(18_446_744_073_709_551_615n, counters), "pong");
    expect(p.nonce).toBe(18_446_744_073_709_551_615n);
    expect(p.serverTimeMs).toBe(BigInt(T + 5));
    expect(p.counters).toMatchObject(counters);
  });
});

describe("alertFrame never throws", () => {
  it("encodes an alert whose numbers were never computed (a re-opened encounter) with the other's time", () => {
    const other = { droneId: "b", timeMs: 1_795_000_000_000, lat: 52.5, lon: 13.4, altM: 100, vn: 1, ve: 0, vu: 0, battery: -1, seq: -1 };
    const bytes = alertFrame({
      droneId: "a",
      otherId: "b",
      alertId: "x-1",
      level: "clear",
      tEntryS: NaN,
      tCpaS: 0,
      hsepCpaM: 0,
      vsepCpaM: 0,
      other,
      computedForMs: 0,
      manoeuvre: "none",
      otherAgeMs: 0,
    });
    const f = fromBinary(ServerFrameSchema, bytes);
    expect(f.kind.case === "alert" && f.kind.value.computedForMs).toBe(1_795_000_000_000n);
    expect(f.kind.case === "alert" && f.kind.value.other?.tOffsetMs).toBe(0);
  });
});
