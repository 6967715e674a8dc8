/**
 * The internal gateway → region batch format: its layout, shared by the encoder (batch-codec.ts) and the
 * decoder (batch-decode.ts). Not protobuf: decoding protobuf at every hop costs more
 * than the conflict work itself (docs/platform.md), so batches use a fixed little-endian layout read with a
 * DataView. Versioned by a magic byte and a version byte; the region rejects anything else.
 *
 *   header  u8 magic 0xA5 | u8 version 2 | u16 flags (1 urgent, 2 held, 4 latency, 8 resent) | u32 seq | f64 sentAtMs
 *           u8 traceparent length | bytes
 *           u8 counter count n | ceil(n / 8) bytes: bit i set when counter i is not 0 (LSB first) |
 *           f64 × bits set (deltas since the previous batch on this link, in counter order)
 *           u16 drone-id count | (u8 length | utf-8 bytes) × count
 *           u32 point count
 *   point   u16 drone index | u8 flags (1 ghost, 2 battery, 4 seq) | u8 battery | u32 seq
 *           f64 timeMs | f64 lat | f64 lon | f32 altM | f32 vn | f32 ve | f32 vu      (48 bytes)
 *   then, each only when its header flag is set (a region of this build reads batches with or without them):
 *   held     (flag 2) u16 × point count: ms each point waited in the gateway, receive → flush (≤ 65,535)
 *   latency  (flag 4) u16 count | f32 × count: edge-side alert latencies the link's session measured since
 *            its previous batch, ms (gateway receive of an encounter's first report → its alert sent)
 *
 * Version 1 wrote every counter (u8 count | f64 × count). A one-point batch carries ~16 counters of which
 * two or three are not zero, so they were 128 of its 215 bytes and most of its decoding; version 2 writes
 * only those. Version 1 is still read: journal rows stored before, and a gateway still on the previous
 * build during a deploy.
 */
import type { TelemetryPoint } from "./point.js";

export const BATCH_MAGIC = 0xa5;
export const BATCH_VERSION = 2;
/** Dense counters: still read, never written. */
export const BATCH_VERSION_DENSE = 1;
export const POINT_BYTES = 48;
export const F_GHOST = 1;
export const F_BATTERY = 2;
export const F_SEQ = 4;
/** Header flag: flushed for a drone in proximity of another; an ingest hub forwards it at once. */
export const H_URGENT = 1;
/** Header flags: the held and latency sections follow the points. */
export const H_HELD = 2;
export const H_LATENCY = 4;
/** Header flag: sent again from the gateway's resend buffer (after a connect or reconnect): its wait includes the link's absence. */
export const H_RESENT = 8;
export const MAX_HELD_MS = 0xffff;
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

/** The bytes are not a batch this version understands. */
export class BatchFormatError extends Error {
  override name = "BatchFormatError";
}
