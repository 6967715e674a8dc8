/**
 * Encoding the internal gateway → region batch (layout: batch-layout.ts), and what a hop may do to a batch
 * without decoding it (mark it resent, see whether it is urgent, peek its sequence and size). Decoding is
 * batch-decode.ts; both are re-exported here, the format's one front door.
 */
import type { TelemetryPoint } from "./point.js";
import { encodedScratch, scratchFor } from "./batch-scratch.js";
import {
  BATCH_MAGIC,
  BATCH_VERSION,
  BATCH_VERSION_DENSE,
  BatchFormatError,
  F_BATTERY,
  F_GHOST,
  F_SEQ,
  H_HELD,
  H_LATENCY,
  H_RESENT,
  H_URGENT,
  MAX_HELD_MS,
  MAX_LATENCY_SAMPLES,
  POINT_BYTES,
  type RegionBatch,
} from "./batch-layout.js";
import { asciiLength, utf8Bytes, writeAscii } from "./short-strings.js";

export { BATCH_MAGIC, BATCH_VERSION, BatchFormatError, MAX_LATENCY_SAMPLES, type RegionBatch } from "./batch-layout.js";
export { type BatchSlice, batchTraceparent, batchTraceparentAt, decodeBatch, decodeBatchAt, sliceBytes, sliceOf } from "./batch-decode.js";

/** A traceparent the encoder has written in place (src/link/trace.ts: a link's counter span), not built as a string. */
export interface TraceparentWriter {
  readonly byteLength: number;
  /** Writes its bytes (ASCII, byteLength ≤ 255) at `o` of `buf`. */
  write(buf: Uint8Array, o: number): void;
}

/** A batch as a gateway link encodes it. */
export type OutgoingBatch = Omit<RegionBatch, "traceparent"> & { traceparent: string | TraceparentWriter };

/** Writes a short string or a writer's bytes (≤ 255, else `what` is refused) as u8 length | bytes at `o`; returns the end. */
function writeShort(buf: Uint8Array, o: number, s: string | TraceparentWriter, what: string): number {
  if (typeof s !== "string") {
    if (s.byteLength > 255) throw new BatchFormatError(`${what} longer than 255 bytes`);
    buf[o] = s.byteLength;
    s.write(buf, o + 1);
    return o + 1 + s.byteLength;
  }
  const n = asciiLength(s);
  const bytes = n < 0 ? utf8Bytes(s) : null;
  const len = bytes === null ? n : bytes.length;
  if (len > 255) throw new BatchFormatError(`${what} longer than 255 bytes`);
  buf[o] = len;
  if (bytes === null) writeAscii(buf, o + 1, s);
  else buf.set(bytes, o + 1);
  return o + 1 + len;
}

/** Bytes writeShort will take at most for `s` (an upper bound for a string that is not ASCII). */
function shortBound(s: string | TraceparentWriter): number {
  if (typeof s !== "string") return 1 + s.byteLength;
  const n = asciiLength(s);
  return 1 + Math.min(n >= 0 ? n : 3 * s.length, 256);
}

export function encodeBatch(b: OutgoingBatch): Uint8Array {
  const n = encodeBatchToScratch(b);
  return encodedScratch().slice(0, n);
}

/** Encodes `b` into the reused buffer (batch-scratch.ts) and returns its length: for a caller that copies the bytes where they go. */
export function encodeBatchToScratch(b: OutgoingBatch): number {
  const points = b.points;
  // The common batch names one drone: no id table to build. Otherwise ids are numbered in order of appearance.
  let ids: Map<string, number> | null = null;
  let idBound = 0;
  if (points.length > 0) {
    const first = points[0]!.droneId;
    idBound = shortBound(first);
    for (let i = 1; i < points.length; i++) {
      const id = points[i]!.droneId;
      if (ids === null && id === first) continue;
      if (ids === null) ids = new Map([[first, 0]]);
      if (!ids.has(id)) {
        ids.set(id, ids.size);
        idBound += shortBound(id);
      }
    }
  }
  const nIds = ids !== null ? ids.size : points.length > 0 ? 1 : 0;
  if (nIds > 0xffff) throw new BatchFormatError("more than 65535 drones in one batch");
  if (b.counters.length > 255) throw new BatchFormatError("more than 255 counters");
  const received = b.receivedMs !== undefined && b.receivedMs.length === points.length ? b.receivedMs : null;
  const latency = b.alertLatencyMs !== undefined && b.alertLatencyMs.length > 0 ? b.alertLatencyMs : null;
  if (latency !== null && latency.length > MAX_LATENCY_SAMPLES) throw new BatchFormatError(`more than ${MAX_LATENCY_SAMPLES} latency samples`);
  const nCounters = b.counters.length;
  let bound = 16 + shortBound(b.traceparent) + 1 + ((nCounters + 7) >> 3) + 8 * nCounters + 2 + idBound + 4 + POINT_BYTES * points.length;
  if (received !== null) bound += 2 * points.length;
  if (latency !== null) bound += 2 + 4 * latency.length;
  const dv = scratchFor(bound);
  const buf = encodedScratch();
  dv.setUint8(0, BATCH_MAGIC);
  dv.setUint8(1, BATCH_VERSION);
  dv.setUint16(2, (b.urgent ? H_URGENT : 0) | (received !== null ? H_HELD : 0) | (latency !== null ? H_LATENCY : 0), true);
  dv.setUint32(4, b.seq, true);
  dv.setFloat64(8, b.sentAtMs, true);
  let o = writeShort(buf, 16, b.traceparent, "traceparent");
  o = writeCounters(buf, dv, o, b.counters);
  dv.setUint16(o, nIds, true);
  o += 2;
  if (ids !== null) for (const id of ids.keys()) o = writeShort(buf, o, id, "drone id");
  else if (nIds === 1) o = writeShort(buf, o, points[0]!.droneId, "drone id");
  dv.setUint32(o, points.length, true);
  o += 4;
  for (let i = 0; i < points.length; i++, o += POINT_BYTES) {
    const p = points[i]!;
    const flags = (b.ghost[i] ? F_GHOST : 0) | (p.battery >= 0 ? F_BATTERY : 0) | (p.seq >= 0 ? F_SEQ : 0);
    dv.setUint16(o, ids !== null ? ids.get(p.droneId)! : 0, true);
    dv.setUint8(o + 2, flags);
    writePointValues(dv, o, p);
  }
  if (received !== null) {
    for (let i = 0; i < received.length; i++, o += 2) {
      const held = Math.round(b.sentAtMs - received[i]!);
      dv.setUint16(o, held > 0 ? (held < MAX_HELD_MS ? held : MAX_HELD_MS) : 0, true);
    }
  }
  if (latency !== null) {
    dv.setUint16(o, latency.length, true);
    o += 2;
    for (let i = 0; i < latency.length; i++, o += 4) dv.setFloat32(o, latency[i]!, true);
  }
  return o;
}

/** The counters as version 2 has them (batch-layout.ts): a bitmap of those not 0, then their values. */
function writeCounters(buf: Uint8Array, dv: DataView, o: number, counters: ArrayLike<number>): number {
  const n = counters.length;
  buf[o++] = n;
  const mask = o;
  const maskBytes = (n + 7) >> 3;
  buf.fill(0, mask, mask + maskBytes);
  o += maskBytes;
  for (let i = 0; i < n; i++) {
    const c = counters[i]!;
    // -0 is written: it decodes as itself, not as a 0 left out.
    if (c === 0 && 1 / c > 0) continue;
    buf[mask + (i >> 3)]! |= 1 << (i & 7);
    dv.setFloat64(o, c, true);
    o += 8;
  }
  return o;
}

/** A point record's values after its drone index and flags (bytes 3-47), written at `o`: battery, seq, time, position, velocity. */
export function writePointValues(dv: DataView, o: number, p: TelemetryPoint): void {
  dv.setUint8(o + 3, p.battery >= 0 ? Math.round(p.battery) : 0);
  dv.setUint32(o + 4, p.seq >= 0 ? p.seq : 0, true);
  dv.setFloat64(o + 8, p.timeMs, true);
  dv.setFloat64(o + 16, p.lat, true);
  dv.setFloat64(o + 24, p.lon, true);
  dv.setFloat32(o + 32, p.altM, true);
  dv.setFloat32(o + 36, p.vn, true);
  dv.setFloat32(o + 40, p.ve, true);
  dv.setFloat32(o + 44, p.vu, true);
}

/** Marks a stored batch as sent from the resend buffer, in place (the header's flags; nothing else changes). */
export function markResent(bytes: Uint8Array): void {
  if (bytes.length >= 4) bytes[2]! |= H_RESENT;
}

/** Whether a batch's header marks it urgent (for a hub that forwards without decoding). */
export function isUrgentBatch(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && ((bytes[2]! | (bytes[3]! << 8)) & H_URGENT) !== 0;
}

/**
 * The sequence number and point count of a batch without decoding its points (for a receiver that
 * only counts and acks, like the benchmark's bare transport); null when the layout does not add up.
 */
export function peekBatch(bytes: Uint8Array): { seq: number; points: number } | null {
  if (bytes.length < 17 || bytes[0] !== BATCH_MAGIC || (bytes[1] !== BATCH_VERSION && bytes[1] !== BATCH_VERSION_DENSE)) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 16;
  o += 1 + dv.getUint8(o); // traceparent
  if (o >= bytes.length) return null;
  const nCounters = dv.getUint8(o++);
  if (bytes[1] === BATCH_VERSION_DENSE) o += 8 * nCounters;
  else {
    const maskBytes = (nCounters + 7) >> 3;
    if (o + maskBytes > bytes.length) return null;
    let set = 0;
    for (let i = 0; i < maskBytes; i++) set += bitCount(bytes[o + i]!);
    o += maskBytes + 8 * set;
  }
  if (o + 2 > bytes.length) return null;
  const ids = dv.getUint16(o, true);
  o += 2;
  for (let i = 0; i < ids && o < bytes.length; i++) o += 1 + dv.getUint8(o);
  if (o + 4 > bytes.length) return null;
  const points = dv.getUint32(o, true);
  const flags = dv.getUint16(2, true);
  let end = o + 4 + points * POINT_BYTES;
  if (flags & H_HELD) end += 2 * points;
  if (flags & H_LATENCY) end += end + 2 <= bytes.length ? 2 + 4 * dv.getUint16(end, true) : 2;
  return end === bytes.length ? { seq: dv.getUint32(4, true), points } : null;
}

function bitCount(b: number): number {
  let n = 0;
  for (; b !== 0; b &= b - 1) n++;
  return n;
}
