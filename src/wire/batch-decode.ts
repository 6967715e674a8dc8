/**
 * Decoding the internal gateway → region batch (layout: batch-layout.ts). A batch is read where it lies,
 * through one DataView over the whole message: a hub's bundle carries a hundred one-point batches, and a
 * DataView or a subarray made for each cost more than reading the batch itself (~250 ns each in V8,
 * scripts/bench/batch-intake.ts).
 */
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
  POINT_BYTES,
  type RegionBatch,
} from "./batch-layout.js";
import type { TelemetryPoint } from "./point.js";
import { decodeShort } from "./short-strings.js";

/** Where one batch lies: a message, a view over all of it, and the batch's byte range [start, end). */
export interface BatchSlice {
  bytes: Uint8Array;
  view: DataView;
  start: number;
  end: number;
}

const decoder = new TextDecoder();

/** A message that is one batch, whole. */
export function sliceOf(bytes: Uint8Array): BatchSlice {
  return { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), start: 0, end: bytes.length };
}

/** The batch's own bytes: the message itself when it is the whole of it, else a view into it (for the journal). */
export function sliceBytes(s: BatchSlice): Uint8Array {
  return s.start === 0 && s.end === s.bytes.length ? s.bytes : s.bytes.subarray(s.start, s.end);
}

/** The traceparent of a batch decodeBatch read (its header checked there). */
export function batchTraceparent(bytes: Uint8Array): string {
  return traceAt(bytes, 0);
}

/** The same, for a batch inside a message. */
export function batchTraceparentAt(s: BatchSlice): string {
  return traceAt(s.bytes, s.start);
}

function traceAt(bytes: Uint8Array, start: number): string {
  const n = bytes[start + 16] ?? 0;
  return n === 0 ? "" : decoder.decode(bytes.subarray(start + 17, start + 17 + n));
}

function need(s: BatchSlice, o: number, n: number): void {
  if (o + n > s.end) throw new BatchFormatError(`batch truncated at byte ${o - s.start}`);
}

/**
 * `withTrace` false leaves `traceparent` "" without decoding it (a TextDecoder call per batch): a
 * receiver that needs it only now and then reads it with batchTraceparent.
 */
export function decodeBatch(bytes: Uint8Array, withTrace = true): RegionBatch {
  return decodeBatchAt(sliceOf(bytes), withTrace);
}

/** decodeBatch for the batch at `s` (its range must hold exactly one batch). */
export function decodeBatchAt(s: BatchSlice, withTrace = true): RegionBatch {
  const { bytes, view: dv, start } = s;
  need(s, start, 17);
  if (dv.getUint8(start) !== BATCH_MAGIC) throw new BatchFormatError("not an airspace batch (bad magic)");
  const version = dv.getUint8(start + 1);
  if (version !== BATCH_VERSION && version !== BATCH_VERSION_DENSE) throw new BatchFormatError(`unsupported batch version ${version}`);
  const seq = dv.getUint32(start + 4, true);
  const sentAtMs = dv.getFloat64(start + 8, true);
  let o = start + 16;
  const tpLen = dv.getUint8(o++);
  need(s, o, tpLen + 1);
  const traceparent = tpLen === 0 || !withTrace ? "" : decoder.decode(bytes.subarray(o, o + tpLen));
  o += tpLen;
  const nCounters = dv.getUint8(o++);
  // A plain array: a Float64Array of 16 counters has its own backing store, ~6× the cost of the array.
  const counters: number[] = new Array(nCounters);
  if (version === BATCH_VERSION_DENSE) {
    need(s, o, 8 * nCounters);
    for (let i = 0; i < nCounters; i++, o += 8) counters[i] = dv.getFloat64(o, true);
  } else {
    const mask = o;
    need(s, o, (nCounters + 7) >> 3);
    o += (nCounters + 7) >> 3;
    for (let i = 0; i < nCounters; i++) {
      if ((bytes[mask + (i >> 3)]! & (1 << (i & 7))) === 0) counters[i] = 0;
      else {
        need(s, o, 8);
        counters[i] = dv.getFloat64(o, true);
        o += 8;
      }
    }
  }
  need(s, o, 2);
  const nIds = dv.getUint16(o, true);
  o += 2;
  // Drone ids repeat batch after batch: interned, not decoded each time; one id needs no table.
  const ids: string[] | null = nIds > 1 ? new Array(nIds) : null;
  let firstId = "";
  for (let i = 0; i < nIds; i++) {
    need(s, o, 1);
    const len = dv.getUint8(o++);
    need(s, o, len);
    const id = decodeShort(bytes, o, o + len);
    if (ids !== null) ids[i] = id;
    else firstId = id;
    o += len;
  }
  need(s, o, 4);
  const n = dv.getUint32(o, true);
  o += 4;
  need(s, o, n * POINT_BYTES);
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
  const flags = dv.getUint16(start + 2, true);
  const batch: RegionBatch = { seq, sentAtMs, traceparent, counters, points, ghost, urgent: (flags & H_URGENT) !== 0, resent: (flags & H_RESENT) !== 0 };
  if (flags & H_HELD) {
    need(s, o, 2 * n);
    // A plain array: a one-point batch's Float64Array costs more than twice as much.
    const received: number[] = new Array(n);
    for (let i = 0; i < n; i++, o += 2) received[i] = sentAtMs - dv.getUint16(o, true);
    batch.receivedMs = received;
  }
  if (flags & H_LATENCY) {
    need(s, o, 2);
    const k = dv.getUint16(o, true);
    o += 2;
    need(s, o, 4 * k);
    const latency = new Float32Array(k);
    for (let i = 0; i < k; i++, o += 4) latency[i] = dv.getFloat32(o, true);
    batch.alertLatencyMs = latency;
  }
  return batch;
}
