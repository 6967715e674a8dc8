/**
 * Builders of the ServerFrame messages the gateway and the region objects send. Alerts and advisories
 * are encoded once by the region and forwarded by the gateway byte for byte.
 */
import { create, toBinary } from "@bufbuild/protobuf";
import {
  AdvisoryKind,
  AlertLevel,
  type ErrorCode,
  Manoeuvre,
  PointSchema,
  ServerFrameSchema,
  type SessionCounters,
  type Welcome,
} from "../gen/airspace/v1/airspace_pb.js";
import type { TelemetryPoint } from "./point.js";
import type { AdvisoryOut, AlertOut } from "./region-core.js";

const LEVELS = { caution: AlertLevel.CAUTION, warning: AlertLevel.WARNING, clear: AlertLevel.CLEAR } as const;
const MANOEUVRES = {
  climb: Manoeuvre.CLIMB,
  descend: Manoeuvre.DESCEND,
  turn_right: Manoeuvre.TURN_RIGHT,
  turn_left: Manoeuvre.TURN_LEFT,
  hold: Manoeuvre.HOLD,
  none: Manoeuvre.UNSPECIFIED,
} as const;

const INT32_MAX = 2 ** 31 - 1;

/**
 * A TelemetryPoint in the wire's fixed-point form (time as an offset from `baseTimeMs`). Never
 * throws: an offset that does not fit the field's int32 becomes 0 rather than taking a region down.
 */
export function toWirePoint(p: TelemetryPoint, baseTimeMs = p.timeMs) {
  const offset = Math.round(p.timeMs - baseTimeMs);
  return create(PointSchema, {
    droneId: p.droneId,
    tOffsetMs: Math.abs(offset) <= INT32_MAX ? offset : 0,
    latE7: Math.round(p.lat * 1e7),
    lonE7: Math.round(p.lon * 1e7),
    altMm: Math.round(p.altM * 1000),
    vnCms: Math.round(p.vn * 100),
    veCms: Math.round(p.ve * 100),
    vdCms: Math.round(-p.vu * 100),
    ...(p.battery >= 0 ? { batteryPct: Math.round(p.battery) } : {}),
    ...(p.seq >= 0 ? { seq: p.seq } : {}),
  });
}

export function alertFrame(a: AlertOut): Uint8Array {
  const clear = a.level === "clear";
  // An encounter re-opened after a restart may end before it was predicted again: then the other
  // drone's own measurement time is the best "computed for" there is.
  const computedFor = a.computedForMs > 0 ? a.computedForMs : a.other.timeMs;
  return toBinary(
    ServerFrameSchema,
    create(ServerFrameSchema, {
      kind: {
        case: "alert",
        value: {
          alertId: a.alertId,
          droneId: a.droneId,
          otherId: a.otherId,
          level: LEVELS[a.level],
          tEntryS: clear ? 0 : a.tEntryS,
          tCpaS: finite(a.tCpaS),
          hsepCpaM: finite(a.hsepCpaM),
          vsepCpaM: finite(a.vsepCpaM),
          other: toWirePoint(a.other, computedFor),
          computedForMs: BigInt(Math.max(0, Math.round(computedFor))),
          advisory: MANOEUVRES[a.manoeuvre],
        },
      },
    }),
  );
}

export function advisoryFrame(a: AdvisoryOut): Uint8Array {
  return toBinary(
    ServerFrameSchema,
    create(ServerFrameSchema, {
      kind: {
        case: "advisory",
        value: { droneId: a.droneId, kind: AdvisoryKind.LOW_BATTERY_RTH, message: a.message, timeMs: BigInt(Math.round(a.timeMs)) },
      },
    }),
  );
}

export function errorFrame(code: ErrorCode, message: string, droneId = "", count = 1): Uint8Array {
  return toBinary(ServerFrameSchema, create(ServerFrameSchema, { kind: { case: "error", value: { code, message, droneId, count } } }));
}

export function rateLimitFrame(droneId: string, dropped: number, retryAfterMs: number): Uint8Array {
  return toBinary(
    ServerFrameSchema,
    create(ServerFrameSchema, { kind: { case: "rateLimit", value: { droneId, dropped, retryAfterMs: Math.ceil(retryAfterMs) } } }),
  );
}

export function welcomeFrame(w: Omit<Welcome, "$typeName" | "$unknown">): Uint8Array {
  return toBinary(ServerFrameSchema, create(ServerFrameSchema, { kind: { case: "welcome", value: w } }));
}

export function pongFrame(nonce: bigint, counters: Omit<SessionCounters, "$typeName" | "$unknown">): Uint8Array {
  return toBinary(
    ServerFrameSchema,
    create(ServerFrameSchema, { kind: { case: "pong", value: { nonce, serverTimeMs: BigInt(Date.now()), counters } } }),
  );
}

function finite(x: number): number {
  return Number.isFinite(x) ? x : 0;
}
