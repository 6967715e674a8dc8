/**
 * The internal gateway → region batch format. Not protobuf: decoding protobuf at every hop costs more
 * than the conflict work itself (docs/platform.md), so batches use a fixed little-endian layout read with a
 * DataView. Versioned by a magic byte and a version byte; the region rejects anything else.
 *
 *   header  u8 magic 0xA5 | u8 version 1 | u16 flags (1 urgent, 2 held, 4 latency, 8 resent) | u32 seq | f64 sentAtMs
 *           u8 traceparent length | bytes
 *           u8 counter count | f64 × count (deltas since the previous batch on this link)
 *           u16 drone-id count | (u8 length | utf-8 bytes) × count
 *           u32 point count
 *   point   u16 drone index | u8 flags (1 ghost, 2 battery, 4 seq) | u8 battery | u32 seq
 *           f64 timeMs | f64 lat | f64 lon | f32 altM | f32 vn | f32 ve | f32 vu      (48 bytes)
 *   then, each only when its header flag is set (a region of this build reads batches with or without them):
 *   held     (flag 2) u16 × point count: ms each point waited in the gateway, receive → flush (≤ 65,535)
 *   latency  (flag 4) u16 count | f32 × count: edge-side alert latencies the link's session measured since
 *            its previous batch, ms (gateway receive of an encounter's first report → its alert sent)
 */
import type { TelemetryPoint } from "./point.js";
import { encodedScratch, scratchFor } from "./batch-scratch.js";
import { asciiLength, decodeShort, utf8Bytes, writeAscii } from "./short-strings.js";

export const BATCH_MAGIC = 0xa5;
export const BATCH_VERSION = 1;
const POINT_BYTES = 48;
const F_GHOST = 1;
const F_BATTERY = 2;
const F_SEQ = 4;
/** Header flag: flushed for a drone in proximity of another; an ingest hub forwards it at once. */
const H_URGENT = 1;
/** Header flags: the held and latency sections follow the points. */
const H_HELD = 2;
const H_LATENCY = 4;
/** Header flag: sent again from the gateway's resend buffer (after a connect or reconnect): its wait includes the link's absence. */
const H_RESENT = 8;
const MAX_HELD_MS = 0xffff;
/** Samples one batch carries at most; a session keeps no more than this between batches. */
export const MAX_LATENCY_SAMPLES = 1024;

export interface RegionBatch {
  /** Per link, from 1, increasing by one: the region drops a seq it has already applied. */
  seq: number;
  /** Gateway clock when the batch was flushed, Unix ms. */
  sentAtMs: number;
  /** W3C trace context of the flush, carried because Workers do not propagate it to objects. */
  traceparent: string;
  /** Counter deltas since the previous batch on this link (counters.ts order); decoded as a plain array. */
  counters: Float64Array | number[];
  points: TelemetryPoint[];
  /** 1 where the point is a halo ghost: used for prediction, never counted or alerted. */
  ghost: Uint8Array;
  /** Flushed at once for a drone in proximity: nothing on the way may hold it for a window. */
  urgent?: boolean;
  /** Sent from the gateway's resend buffer (markResent): how long it waited says nothing of the region's pace. */
  resent?: boolean;
  /** Gateway receive time of each point, Unix ms (to ms, at most 65 s before sentAtMs): where edge-side latency starts. */
  receivedMs?: ArrayLike<number>;
  /** Edge-side alert latencies measured by the sending session since its previous batch on this link, ms. */
  alertLatencyMs?: ArrayLike<number>;
}

/** A traceparent the encoder has written in place (src/link/trace.ts: a link's counter span), not built as a string. */
export interface TraceparentWriter {
  readonly byteLength: number;
  /** Writes its bytes (ASCII, byteLength ≤ 255) at `o` of `buf`. */
  write(buf: Uint8Array, o: number): void;
}

/** A batch as a gateway link encodes it. */
export type OutgoingBatch = Omit<RegionBatch, "traceparent"> & { traceparent: string | TraceparentWriter };

/** The bytes are not a batch this version understands. */
export class BatchFormatError extends Error {
  override name = "BatchFormatError";
}

const decoder = new TextDecoder();

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
  let bound = 16 + shortBound(b.traceparent) + 1 + 8 * b.counters.length + 2 + idBound + 4 + POINT_BYTES * points.length;
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
  dv.setUint8(o++, b.counters.length);
  for (let i = 0; i < b.counters.length; i++, o += 8) dv.setFloat64(o, b.counters[i]!, true);
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
  if (bytes.length < 17 || bytes[0] !== BATCH_MAGIC || bytes[1] !== BATCH_VERSION) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 16;
  o += 1 + dv.getUint8(o); // traceparent
  if (o >= bytes.length) return null;
  o += 1 + 8 * dv.getUint8(o); // counters
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

/** The traceparent of a batch decodeBatch read (its header checked there). */
export function batchTraceparent(bytes: Uint8Array): string {
  const n = bytes[16] ?? 0;
  return n === 0 ? "" : decoder.decode(bytes.subarray(17, 17 + n));
}

function need(bytes: Uint8Array, o: number, n: number): void {
  if (o + n > bytes.length) throw new BatchFormatError(`batch truncated at byte ${o}`);
}

/**
 * `withTrace` false leaves `traceparent` "" without decoding it (a TextDecoder call per batch): a
 * receiver that needs it only now and then reads it with batchTraceparent.
 */
export function decodeBatch(bytes: Uint8Array, withTrace = true): RegionBatch {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  need(bytes, 0, 17);
  if (dv.getUint8(0) !== BATCH_MAGIC) throw new BatchFormatError("not an airspace batch (bad magic)");
  if (dv.getUint8(1) !== BATCH_VERSION) throw new BatchFormatError(`unsupported batch version ${dv.getUint8(1)}`);
  const seq = dv.getUint32(4, true);
  const sentAtMs = dv.getFloat64(8, true);
  let o = 16;
  const tpLen = dv.getUint8(o++);
  need(bytes, o, tpLen + 1);
  const traceparent = tpLen === 0 || !withTrace ? "" : decoder.decode(bytes.subarray(o, o + tpLen));
  o += tpLen;
  const nCounters = dv.getUint8(o++);
  need(bytes, o, 8 * nCounters + 2);
  // A plain array: a Float64Array of 16 counters has its own backing store, ~6× the cost of the array.
  const counters: number[] = new Array(nCounters);
  for (let i = 0; i < nCounters; i++, o += 8) counters[i] = dv.getFloat64(o, true);
  const nIds = dv.getUint16(o, true);
  o += 2;
  // Drone ids repeat batch after batch: interned, not decoded each time; one id needs no table.
  const ids: string[] | null = nIds > 1 ? new Array(nIds) : null;
  let firstId = "";
  for (let i = 0; i < nIds; i++) {
    need(bytes, o, 1);
    const len = dv.getUint8(o++);
    need(bytes, o, len);
    const id = decodeShort(bytes, o, o + len);
    if (ids !== null) ids[i] = id;
    else firstId = id;
    o += len;
  }
  need(bytes, o, 4);
  const n = dv.getUint32(o, true);
  o += 4;
  need(bytes, o, n * POINT_BYTES);
  const points: TelemetryPoint[] = new Array(n);
  const ghost = new Uint8Array(n);
  for (let i = 0; i < n; i++, o += POINT_BYTES) {
    const idx = dv.getUint16(o, true);
    if (idx >= nIds) throw new BatchFormatError(`point ${i} names drone index ${idx} of ${nIds}`);
    const flags = dv.getUint8(o + 2);
    ghost[i] = flags & F_GHOST ? 1 : 0;
    points[i] = {
      droneId: ids !== null ? ids[idx]! : firstId,
      battery: flags & F_BATTERY ? dv.getUint8(o + 3) : -1,
      seq: flags & F_SEQ ? dv.getUint32(o + 4, true) : -1,
      timeMs: dv.getFloat64(o + 8, true),
      lat: dv.getFloat64(o + 16, true),
      lon: dv.getFloat64(o + 24, true),
      altM: dv.getFloat32(o + 32, true),
      vn: dv.getFloat32(o + 36, true),
      ve: dv.getFloat32(o + 40, true),
      vu: dv.getFloat32(o + 44, true),
    };
  }
  const flags = dv.getUint16(2, true);
  const batch: RegionBatch = { seq, sentAtMs, traceparent, counters, points, ghost, urgent: (flags & H_URGENT) !== 0, resent: (flags & H_RESENT) !== 0 };
  if (flags & H_HELD) {
    need(bytes, o, 2 * n);
    // A plain array: a one-point batch's Float64Array costs more than twice as much.
    const received: number[] = new Array(n);
    for (let i = 0; i < n; i++, o += 2) received[i] = sentAtMs - dv.getUint16(o, true);
    batch.receivedMs = received;
  }
  if (flags & H_LATENCY) {
    need(bytes, o, 2);
    const k = dv.getUint16(o, true);
    o += 2;
    need(bytes, o, 4 * k);
    const latency = new Float32Array(k);
    for (let i = 0; i < k; i++, o += 4) latency[i] = dv.getFloat32(o, true);
    batch.alertLatencyMs = latency;
  }
  return batch;
}
