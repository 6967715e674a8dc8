/**
 * Builders of the ServerFrame messages the gateway and the region objects send. Alerts and advisories
 * are encoded once by the region and forwarded by the gateway byte for byte.
 */
import { create, toBinary } from "@bufbuild/protobuf";
import {
  AdvisoryKind,
  AlertLevel,
  type ErrorCode,
  PointSchema,
  ServerFrameSchema,
  type SessionCounters,
  type Welcome,
} from "../gen/airspace/v1/airspace_pb.js";
import type { TelemetryPoint } from "./point.js";
import { MANOEUVRES } from "./manoeuvres.js";
import { ProtoWriter } from "./proto-writer.js";
import { localDroneId, splitFleetKey } from "./fleet-key.js";

const LEVELS = { caution: AlertLevel.CAUTION, warning: AlertLevel.WARNING, clear: AlertLevel.CLEAR, traffic_lost: AlertLevel.TRAFFIC_LOST } as const;

const INT32_MAX = 2 ** 31 - 1;

/**
 * What a CollisionAlert says, in the edge's units (the region core's alert outputs carry these fields).
 * Ids are the edge's keys (`fleet/droneId`, wire/fleet-key.ts): the frame names the recipient by its
 * own id and the other drone by its fleet and id.
 */
export interface AlertFields {
  droneId: string;
  otherId: string;
  alertId: string;
  level: keyof typeof LEVELS;
  /** NaN on a clear (no entry predicted any more). */
  tEntryS: number;
  tCpaS: number;
  hsepCpaM: number;
  vsepCpaM: number;
  other: TelemetryPoint;
  computedForMs: number;
  manoeuvre: keyof typeof MANOEUVRES;
  /** With "traffic_lost": how long ago the other drone was last heard, ms; else 0. */
  otherAgeMs: number;
  /** On an encounter's first alert: the gateway's receive time of the report that started it (edge-side latency); else 0. */
  edgeReceivedMs?: number;
}

/** What a DroneAdvisory says (only low battery, return to home, so far). */
export interface AdvisoryFields {
  droneId: string;
  message: string;
  timeMs: number;
}

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

/** Writers reused across alerts: the frame, and its nested Point. */
const frameWriter = new ProtoWriter();
const pointWriter = new ProtoWriter();

/**
 * ServerFrame { alert }, written field by field: byte for byte what `toBinary` makes of the same
 * message (a property test holds them equal), at a fraction of its cost on a region's hottest output.
 */
export function alertFrame(a: AlertFields): Uint8Array {
  const clear = a.level === "clear";
  // An encounter re-opened after a restart may end before it was predicted again: then the other
  // drone's own measurement time is the best "computed for" there is.
  const computedFor = a.computedForMs > 0 ? a.computedForMs : a.other.timeMs;
  const other = splitFleetKey(a.otherId);
  const point = writeWirePoint(pointWriter.reset(), a.other, computedFor).view();
  const w = frameWriter.reset();
  const droneId = localDroneId(a.droneId);
  if (a.alertId) w.tag(1, 2).string(a.alertId);
  if (droneId) w.tag(2, 2).string(droneId);
  if (other.droneId) w.tag(3, 2).string(other.droneId);
  w.tag(4, 0).uint32(LEVELS[a.level]);
  floatField(w, 5, clear ? 0 : a.tEntryS);
  floatField(w, 6, finite(a.tCpaS));
  floatField(w, 7, finite(a.hsepCpaM));
  floatField(w, 8, finite(a.vsepCpaM));
  w.tag(9, 2).bytes(point);
  const computed = Math.max(0, Math.round(computedFor));
  if (computed !== 0) w.tag(10, 0).uint64(computed);
  const advisory = MANOEUVRES[a.manoeuvre];
  if (advisory !== 0) w.tag(11, 0).uint32(advisory);
  const age = Math.min(0xffffffff, Math.max(0, Math.round(a.otherAgeMs)));
  if (age !== 0) w.tag(12, 0).uint32(age);
  if (other.fleet) w.tag(13, 2).string(other.fleet);
  // Last on purpose: the gateway finds it without decoding the frame (alert-received.ts).
  const received = Math.max(0, Math.round(a.edgeReceivedMs ?? 0));
  if (received !== 0) w.tag(14, 0).uint64(received);
  const body = w.finish();
  return pointWriter.reset().tag(2, 2).bytes(body).finish();
}

/** A float field unless it is proto3's default: +0 only (-0 and NaN are written, as protobuf-es does). */
function floatField(w: ProtoWriter, field: number, v: number): void {
  if (!Object.is(v, 0)) w.tag(field, 5).float(v);
}

/** toWirePoint's fields, written; zeros are proto3 defaults and left out, the optional ones are present when known. */
function writeWirePoint(w: ProtoWriter, p: TelemetryPoint, baseTimeMs: number): ProtoWriter {
  const offset = Math.round(p.timeMs - baseTimeMs);
  const t = Math.abs(offset) <= INT32_MAX ? offset : 0;
  const fields = [
    t,
    Math.round(p.lat * 1e7),
    Math.round(p.lon * 1e7),
    Math.round(p.altM * 1000),
    Math.round(p.vn * 100),
    Math.round(p.ve * 100),
    Math.round(-p.vu * 100),
  ];
  const id = localDroneId(p.droneId);
  if (id) w.tag(1, 2).string(id);
  if (fields[0] !== 0) w.tag(2, 0).sint32(fields[0]!);
  if (fields[1] !== 0) w.tag(3, 5).sfixed32(fields[1]!);
  if (fields[2] !== 0) w.tag(4, 5).sfixed32(fields[2]!);
  for (let f = 5; f <= 8; f++) if (fields[f - 2] !== 0) w.tag(f, 0).sint32(fields[f - 2]!);
  if (p.battery >= 0) w.tag(9, 0).uint32(Math.round(p.battery));
  if (p.seq >= 0) w.tag(10, 0).uint32(p.seq);
  return w;
}

export function advisoryFrame(a: AdvisoryFields): Uint8Array {
  return toBinary(
    ServerFrameSchema,
    create(ServerFrameSchema, {
      kind: {
        case: "advisory",
        value: { droneId: localDroneId(a.droneId), kind: AdvisoryKind.LOW_BATTERY_RTH, message: a.message, timeMs: BigInt(Math.round(a.timeMs)) },
      },
    }),
  );
}

export function errorFrame(code: ErrorCode, message: string, droneId = "", count = 1): Uint8Array {
  return toBinary(ServerFrameSchema, create(ServerFrameSchema, { kind: { case: "error", value: { code, message, droneId, count } } }));
}

/** A Renew was accepted: the socket lives until `expiresAtMs`. */
export function renewedFrame(expiresAtMs: number): Uint8Array {
  return toBinary(ServerFrameSchema, create(ServerFrameSchema, { kind: { case: "renewed", value: { expiresAtMs: BigInt(Math.round(expiresAtMs)) } } }));
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
  return toBinary(ServerFrameSchema, create(ServerFrameSchema, { kind: { case: "pong", value: { nonce, serverTimeMs: BigInt(Date.now()), counters } } }));
}

function finite(x: number): number {
  return Number.isFinite(x) ? x : 0;
}
