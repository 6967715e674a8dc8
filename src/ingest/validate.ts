/**
 * Per-point validation at the gateway's edge: converts the wire's fixed-point Point to the pipeline's
 * TelemetryPoint, or says why the point is rejected. Rejections are expected outcomes (data, not
 * exceptions), each with a reason that is counted.
 */
import type { Point } from "../gen/airspace/v1/airspace_pb.js";
import type { TelemetryPoint } from "../wire/point.js";
import { asciiLength } from "../wire/short-strings.js";
import type { Rejected, RejectReason } from "./outcome.js";
import { MIN_ALT_M, MAX_ALT_M, MAX_ID_BYTES } from "../tunables.js";

export const REJECT_REASONS: readonly RejectReason[] = ["drone_id", "wrong_drone", "latitude", "longitude", "altitude", "speed", "future", "past", "battery"];

/** A valid point leaves converted to SI units; an invalid one says why. */
export type PointVerdict = { readonly status: "accepted"; readonly point: TelemetryPoint } | Rejected;

export interface ValidationContext {
  /** The drone a drone token may send, or null for a relay. */
  ownDroneId: string | null;
  maxSpeedMps: number;
  /** Highest |latitude| accepted: beyond it the region cells are too narrow for the halo (MAX_OPERATING_LAT). */
  maxLatDeg: number;
  maxFutureMs: number;
  /** Oldest measurement accepted, ms before now: older reports are history, not telemetry. */
  maxAgeMs: number;
  nowMs: number;
}

const encoder = new TextEncoder();

export function validatePoint(p: Point, baseTimeMs: number, ctx: ValidationContext): PointVerdict {
  let droneId = p.droneId;
  // An ASCII id's UTF-8 length is its length: only another is encoded to measure it (a buffer per point).
  if (droneId === "") {
    if (ctx.ownDroneId === null) return reject("drone_id", droneId, "a relay must name the drone of every point");
    droneId = ctx.ownDroneId;
  } else if (droneId.length > MAX_ID_BYTES || (asciiLength(droneId) < 0 && encoder.encode(droneId).length > MAX_ID_BYTES)) {
    return reject("drone_id", droneId.slice(0, MAX_ID_BYTES), `drone id longer than ${MAX_ID_BYTES} bytes`);
  } else if (ctx.ownDroneId !== null && droneId !== ctx.ownDroneId) {
    return reject("wrong_drone", droneId, `this token may only send drone ${ctx.ownDroneId}`);
  }
  const lat = p.latE7 / 1e7;
  const lon = p.lonE7 / 1e7;
  const altM = p.altMm / 1000;
  const vn = p.vnCms / 100;
  const ve = p.veCms / 100;
  const vu = -p.vdCms / 100;
  const timeMs = Number(baseTimeMs) + p.tOffsetMs;
  return checkPoint({ droneId, timeMs, lat, lon, altM, vn, ve, vu, battery: p.batteryPct ?? -1, seq: p.seq ?? -1 }, ctx);
}

/** Range checks on a point already in SI units (also used by tools that build points directly). */
export function checkPoint(t: TelemetryPoint, ctx: ValidationContext): PointVerdict {
  const id = t.droneId;
  if (!(Math.abs(t.lat) <= 90)) return reject("latitude", id, `latitude ${t.lat} outside [-90, 90]`);
  if (Math.abs(t.lat) > ctx.maxLatDeg) return reject("latitude", id, `latitude ${t.lat} beyond the operating band ±${ctx.maxLatDeg}° (MAX_OPERATING_LAT)`);
  if (!(Math.abs(t.lon) <= 180)) return reject("longitude", id, `longitude ${t.lon} outside [-180, 180]`);
  if (!(t.altM >= MIN_ALT_M && t.altM <= MAX_ALT_M)) return reject("altitude", id, `altitude ${t.altM} m outside [${MIN_ALT_M}, ${MAX_ALT_M}]`);
  const ground = Math.hypot(t.vn, t.ve);
  if (!(ground <= ctx.maxSpeedMps) || !(Math.abs(t.vu) <= ctx.maxSpeedMps)) return reject("speed", id, `speed over ${ctx.maxSpeedMps} m/s`);
  if (!Number.isFinite(t.timeMs)) return reject("past", id, "measurement time is not a number");
  if (t.timeMs > ctx.nowMs + ctx.maxFutureMs) return reject("future", id, `measurement time more than ${ctx.maxFutureMs} ms in the future`);
  if (t.timeMs < ctx.nowMs - ctx.maxAgeMs) return reject("past", id, `measurement time more than ${ctx.maxAgeMs} ms in the past`);
  if (t.battery !== -1 && !(t.battery >= 0 && t.battery <= 100)) return reject("battery", id, `battery ${t.battery}% outside [0, 100]`);
  return { status: "accepted", point: t };
}

function reject(reason: RejectReason, droneId: string, message: string): PointVerdict {
  return { status: "rejected", reason, droneId, message };
}
