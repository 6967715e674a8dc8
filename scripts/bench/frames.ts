/**
 * Pre-encoded telemetry frames whose base time can be rewritten in place, so a load generator sends
 * real protobuf ClientFrames (encoded once by the client library's encodeTelemetryFrame) stamped "now"
 * without re-encoding. Telemetry.base_time_ms is field 1 of the Telemetry message, written first, and a
 * Unix-ms varint stays 6 bytes long from 2001 to 2109, so it can be patched at a fixed offset.
 */
import { encodeTelemetryFrame, type ClientPoint } from "../../src/client/wire.js";

/** Protobuf base-128 varint of a non-negative integer below 2^53. */
export function encodeVarint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** Offset of the base-time varint (just after its 0x08 tag) in an encoded frame; -1 if not found. */
export function findBaseTimeOffset(frame: Uint8Array, baseTimeMs: number): number {
  const needle = [0x08, ...encodeVarint(baseTimeMs)];
  // ClientFrame tag (1 byte) + Telemetry length (≤ 5 bytes) come first.
  for (let i = 0; i <= Math.min(8, frame.length - needle.length); i++) {
    let ok = true;
    for (let j = 0; j < needle.length && ok; j++) ok = frame[i + j] === needle[j];
    if (ok) return i + 1;
  }
  return -1;
}

/** Rewrites the varint at `offset` with `value`, which must encode to the same number of bytes. */
export function patchBaseTime(frame: Uint8Array, offset: number, value: number, length: number): void {
  const v = encodeVarint(value);
  if (v.length !== length) throw new RangeError(`base time ${value} does not fit the frame's ${length}-byte varint`);
  frame.set(v, offset);
}

export interface PatchableFrame {
  bytes: Uint8Array;
  offset: number;
  length: number;
  points: number;
}

/** Encodes `points` (time offsets relative to `baseTimeMs`) as one frame whose base time can be patched. */
export function patchableFrame(points: readonly ClientPoint[], baseTimeMs: number, implicitDroneId?: string): PatchableFrame {
  const bytes = encodeTelemetryFrame(points, { baseTimeMs, implicitDroneId });
  const offset = findBaseTimeOffset(bytes, baseTimeMs);
  if (offset < 0) throw new Error("base time not found in the encoded frame");
  return { bytes, offset, length: encodeVarint(baseTimeMs).length, points: points.length };
}
