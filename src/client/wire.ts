/**
 * Client-side wire codec: friendly SI-unit points to the fixed-point ClientFrame, and ServerFrame bytes
 * to a typed, number-only union. Pure and synchronous, so tests and the replay/sim/bench scripts share it.
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { decompress } from "fzstd";
import {
  AdvisoryKind,
  AlertLevel,
  ClientFrameSchema,
  ErrorCode,
  PingSchema,
  PointSchema,
  ServerFrameSchema,
  TelemetrySchema,
  type Point,
} from "../gen/airspace/v1/airspace_pb.js";
import { decodeColumns, encodeColumns } from "../wire/columns.js";
import type { StreamEncoder } from "../wire/telemetry-stream.js";
import { isZstd } from "./zstd.js";
import type { ServerMessage } from "./messages.js";
import { manoeuvreName } from "../wire/manoeuvres.js";

/** One position report as a client sees it: SI units and degrees, up positive. */
export interface ClientPoint {
  /** Required on a relay; a drone client fills in its own id. */
  droneId?: string;
  /** Measurement time, Unix ms. */
  timeMs: number;
  /** WGS84 degrees. */
  lat: number;
  lon: number;
  /** Metres above mean sea level. */
  altM: number;
  /** Velocity north, east and up (positive climbing), m/s. */
  vn: number;
  ve: number;
  vu: number;
  /** Battery percent 0-100. */
  battery?: number;
  /** Per-drone sequence number. */
  seq?: number;
}

export interface EncodeOptions {
  /** Frame base time (Unix ms); default: the earliest point's time, so offsets stay small and positive. */
  baseTimeMs?: number;
  /** Drone id left off the wire (a drone token's own id: the server fills it in from the token's sub). */
  implicitDroneId?: string;
  /** Synchronous zstd encoder (see zstd.ts); applied only when it makes the frame smaller. */
  compress?: (bytes: Uint8Array) => Uint8Array;
  /** Frames smaller than this are never compressed: zstd's ~10-byte header eats the gain. Default: 128 */
  compressMinBytes?: number;
  /** Send the columnar, delta-encoded form (TelemetryColumns): a few bytes per point for batches of a drone's consecutive reports. Default: false */
  columnar?: boolean;
  /**
   * Encode against this connection's stream state (TelemetryStream): each value a delta from its drone's
   * previous report on the connection. The caller commits the encoder once the frame is sent. A frame
   * naming more drones than the stream table holds goes out columnar instead.
   */
  stream?: StreamEncoder;
}

/** A point that cannot be put on the wire (non-finite or out-of-range field); thrown at the API edge. */
export class InvalidPointError extends Error {
  override name = "InvalidPointError";
}

/** Largest decoded server frame we accept: the protocol's 1 MiB frame cap (proto header). */
export const MAX_SERVER_FRAME_BYTES = 1024 * 1024;

const INT32_MAX = 2 ** 31 - 1;

function fixed(value: number, scale: number, field: string, limit = INT32_MAX): number {
  const v = Math.round(value * scale);
  if (!Number.isFinite(v) || v > limit || v < -limit) throw new InvalidPointError(`${field} out of range: ${value}`);
  return v;
}

/** Throws InvalidPointError if `p` cannot be encoded; the server's stricter checks still apply. */
export function checkPoint(p: ClientPoint): void {
  if (!Number.isFinite(p.timeMs) || p.timeMs < 0) throw new InvalidPointError(`timeMs must be a Unix ms time: ${p.timeMs}`);
  if (!(Math.abs(p.lat) <= 90)) throw new InvalidPointError(`lat out of range: ${p.lat}`);
  if (!(Math.abs(p.lon) <= 180)) throw new InvalidPointError(`lon out of range: ${p.lon}`);
  for (const k of ["altM", "vn", "ve", "vu"] as const) if (!Number.isFinite(p[k])) throw new InvalidPointError(`${k} must be finite: ${p[k]}`);
  if (p.battery !== undefined && !(p.battery >= 0 && p.battery <= 100)) throw new InvalidPointError(`battery must be 0-100: ${p.battery}`);
  if (p.seq !== undefined && !(Number.isInteger(p.seq) && p.seq >= 0 && p.seq <= 0xffffffff)) throw new InvalidPointError(`seq must be a uint32: ${p.seq}`);
  if (p.droneId !== undefined && p.droneId.length > 64) throw new InvalidPointError(`droneId longer than 64: ${p.droneId}`);
}

/** The wire Point for `p` at `baseTimeMs`. vd is DOWN positive on the wire, vu up positive here. */
export function toWirePoint(p: ClientPoint, baseTimeMs: number, implicitDroneId?: string): Point {
  const id = p.droneId ?? "";
  return create(PointSchema, {
    droneId: implicitDroneId !== undefined && id === implicitDroneId ? "" : id,
    tOffsetMs: fixed(p.timeMs - baseTimeMs, 1, "timeMs - baseTimeMs"),
    latE7: fixed(p.lat, 1e7, "lat", 900_000_000),
    lonE7: fixed(p.lon, 1e7, "lon", 1_800_000_000),
    altMm: fixed(p.altM, 1000, "altM"),
    vnCms: fixed(p.vn, 100, "vn"),
    veCms: fixed(p.ve, 100, "ve"),
    vdCms: fixed(-p.vu, 100, "vu"),
    batteryPct: p.battery === undefined ? undefined : Math.round(p.battery),
    seq: p.seq,
  });
}

/** The friendly point for a wire Point (times relative to `baseTimeMs`). */
export function fromWirePoint(w: Point, baseTimeMs: number): ClientPoint {
  const p: ClientPoint = {
    droneId: w.droneId,
    timeMs: baseTimeMs + w.tOffsetMs,
    lat: w.latE7 / 1e7,
    lon: w.lonE7 / 1e7,
    altM: w.altMm / 1000,
    vn: w.vnCms / 100,
    ve: w.veCms / 100,
    vu: w.vdCms === 0 ? 0 : -w.vdCms / 100,
  };
  if (w.batteryPct !== undefined) p.battery = w.batteryPct;
  if (w.seq !== undefined) p.seq = w.seq;
  return p;
}

/** Encodes a ClientFrame carrying `points` as one Telemetry batch (zstd-compressed when asked and smaller). */
export function encodeTelemetryFrame(points: readonly ClientPoint[], opts: EncodeOptions = {}): Uint8Array {
  let base = opts.baseTimeMs;
  if (base === undefined) {
    base = Infinity;
    for (const p of points) if (p.timeMs < base) base = p.timeMs;
    base = points.length === 0 ? 0 : Math.round(base);
  }
  const wire = points.map((p) => toWirePoint(p, base, opts.implicitDroneId));
  const streamed = opts.stream?.encode(wire, BigInt(base));
  const frame = create(ClientFrameSchema, {
    kind: streamed
      ? { case: "stream", value: streamed }
      : opts.columnar || opts.stream
        ? { case: "columns", value: encodeColumns(wire, BigInt(base)) }
        : { case: "telemetry", value: create(TelemetrySchema, { baseTimeMs: BigInt(base), points: wire }) },
  });
  const bytes = toBinary(ClientFrameSchema, frame);
  return maybeCompress(bytes, opts);
}

function maybeCompress(bytes: Uint8Array, opts: EncodeOptions): Uint8Array {
  if (!opts.compress || bytes.length < (opts.compressMinBytes ?? 128)) return bytes;
  const z = opts.compress(bytes);
  return z.length < bytes.length ? z : bytes;
}

/** Encodes a Ping; the nonce comes back in the Pong (we use the client's clock, for the round trip). */
/** A Renew frame: a fresh token for the socket before the current one expires. */
export function encodeRenewFrame(token: string): Uint8Array {
  return toBinary(ClientFrameSchema, create(ClientFrameSchema, { kind: { case: "renew", value: { token } } }));
}

export function encodePingFrame(nonce: number): Uint8Array {
  const ping = create(PingSchema, { nonce: BigInt(Math.max(0, Math.floor(nonce))) });
  return toBinary(ClientFrameSchema, create(ClientFrameSchema, { kind: { case: "ping", value: ping } }));
}

/** Undoes zstd when the frame starts with its magic, with the protocol's size cap on the output. */
function inflate(bytes: Uint8Array, maxBytes: number): Uint8Array {
  if (!isZstd(bytes)) return bytes;
  const out = decompress(bytes);
  if (out.length > maxBytes) throw new RangeError(`decompressed frame of ${out.length} bytes exceeds ${maxBytes}`);
  return out;
}

/** Decodes a ClientFrame's telemetry back to friendly points (tests, replay tooling). Empty for a ping. */
export function decodeTelemetryFrame(bytes: Uint8Array, maxBytes = MAX_SERVER_FRAME_BYTES): { baseTimeMs: number; points: ClientPoint[] } {
  const frame = fromBinary(ClientFrameSchema, inflate(bytes, maxBytes));
  let wire: Point[];
  if (frame.kind.case === "telemetry") wire = frame.kind.value.points;
  else if (frame.kind.case === "columns") {
    const c = decodeColumns(frame.kind.value, Number.MAX_SAFE_INTEGER);
    if (!c.ok) throw new RangeError(c.message);
    wire = c.points;
  } else if (frame.kind.case === "stream") {
    throw new RangeError("a TelemetryStream frame reads only against its connection's state (StreamDecoder)");
  } else return { baseTimeMs: 0, points: [] };
  const base = Number(frame.kind.value.baseTimeMs);
  return { baseTimeMs: base, points: wire.map((w) => fromWirePoint(w, base)) };
}

const LEVELS = {
  [AlertLevel.UNSPECIFIED]: "unspecified",
  [AlertLevel.CAUTION]: "caution",
  [AlertLevel.WARNING]: "warning",
  [AlertLevel.CLEAR]: "clear",
  [AlertLevel.TRAFFIC_LOST]: "traffic_lost",
} as const;

/** Decodes one ServerFrame (plain or zstd) into a ServerMessage; bigints become numbers (Unix ms fit in 2^53). */
export function decodeServerFrame(bytes: Uint8Array, maxBytes = MAX_SERVER_FRAME_BYTES): ServerMessage {
  if (bytes.length > maxBytes) throw new RangeError(`server frame of ${bytes.length} bytes exceeds ${maxBytes}`);
  const { kind } = fromBinary(ServerFrameSchema, inflate(bytes, maxBytes));
  switch (kind.case) {
    case "welcome": {
      const w = kind.value;
      return {
        type: "welcome",
        sessionId: w.sessionId,
        role: w.role,
        droneId: w.droneId,
        maxFrameBytes: w.maxFrameBytes,
        maxPointsPerFrame: w.maxPointsPerFrame,
        pointsPerSecond: w.pointsPerSecond,
        burstPoints: w.burstPoints,
        batchWindowMs: w.batchWindowMs,
        conflictRadiusM: w.conflictRadiusM,
        conflictHeightM: w.conflictHeightM,
        lookaheadS: w.lookaheadS,
        serverTimeMs: Number(w.serverTimeMs),
        streamMaxDrones: w.streamMaxDrones,
        relayMaxDrones: w.relayMaxDrones,
        fleet: w.fleet,
        expiresAtMs: Number(w.expiresAtMs),
      };
    }
    case "alert": {
      const a = kind.value;
      const computedForMs = Number(a.computedForMs);
      return {
        type: "alert",
        alertId: a.alertId,
        droneId: a.droneId,
        otherId: a.otherId,
        otherFleet: a.otherFleet,
        level: LEVELS[a.level] ?? "unspecified",
        tEntryS: a.tEntryS,
        tCpaS: a.tCpaS,
        hsepCpaM: a.hsepCpaM,
        vsepCpaM: a.vsepCpaM,
        // The other drone's t_offset_ms is read relative to computed_for_ms (the proto gives no base).
        other: a.other ? fromWirePoint(a.other, computedForMs) : null,
        computedForMs,
        advisory: manoeuvreName(a.advisory),
        otherAgeMs: a.otherAgeMs,
        edgeReceivedMs: Number(a.edgeReceivedMs),
      };
    }
    case "error": {
      const e = kind.value;
      return { type: "error", code: ErrorCode[e.code] ?? String(e.code), codeNumber: e.code, message: e.message, droneId: e.droneId, count: e.count };
    }
    case "rateLimit": {
      const r = kind.value;
      return { type: "rateLimit", droneId: r.droneId, dropped: r.dropped, retryAfterMs: r.retryAfterMs };
    }
    case "pong": {
      const p = kind.value;
      const c = p.counters;
      return {
        type: "pong",
        nonce: Number(p.nonce),
        serverTimeMs: Number(p.serverTimeMs),
        counters: {
          frames: Number(c?.frames ?? 0n),
          pointsReceived: Number(c?.pointsReceived ?? 0n),
          pointsAccepted: Number(c?.pointsAccepted ?? 0n),
          pointsRejected: Number(c?.pointsRejected ?? 0n),
          pointsRateLimited: Number(c?.pointsRateLimited ?? 0n),
          pointsDeduped: Number(c?.pointsDeduped ?? 0n),
          alertsDelivered: Number(c?.alertsDelivered ?? 0n),
          pointsLost: Number(c?.pointsLost ?? 0n),
          pointsShed: Number(c?.pointsShed ?? 0n),
        },
      };
    }
    case "advisory": {
      const a = kind.value;
      const k = a.kind === AdvisoryKind.LOW_BATTERY_RTH ? "low-battery-rth" : "unspecified";
      return { type: "advisory", droneId: a.droneId, kind: k, message: a.message, timeMs: Number(a.timeMs) };
    }
    case "renewed":
      return { type: "renewed", expiresAtMs: Number(kind.value.expiresAtMs) };
    default:
      return { type: "unknown" };
  }
}
