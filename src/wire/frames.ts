/**
 * Client frame decoding with bounds: a WebSocket message is a ClientFrame, or the same bytes
 * zstd-compressed (recognised by the zstd magic number). Sizes are checked before any allocation the
 * sender controls: the compressed size, the zstd frame's declared content and window sizes, and the
 * decompressed size as it streams out, so a decompression bomb costs at most `maxBytes`.
 */
import { fromBinary } from "@bufbuild/protobuf";
// fzstd with a bound on the work of a block's sequences (vendor/fzstd.mjs, "PATCH (airspace)").
import { Decompress } from "./vendor/fzstd.mjs";
import { type ClientFrame, ClientFrameSchema, ErrorCode } from "../gen/airspace/v1/airspace_pb.js";
import { readTelemetryFrame } from "./telemetry-reader.js";
import { CloseCode } from "./close-codes.js";
import { checkFrameShape } from "./frame-shape.js";

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd] as const;

export type FrameResult =
  | { ok: true; frame: ClientFrame; compressed: boolean; decodedBytes: number }
  | {
      ok: false;
      code: ErrorCode;
      message: string;
      /** Close code when the socket must close: a frame too large, or a stream frame the gateway will not read. */
      close?: typeof CloseCode.TOO_BIG | typeof CloseCode.STREAM_LOST;
    };

export function isZstd(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === ZSTD_MAGIC[0] && bytes[1] === ZSTD_MAGIC[1] && bytes[2] === ZSTD_MAGIC[2] && bytes[3] === ZSTD_MAGIC[3];
}

/** Thrown from inside the streaming decompressor to stop it once output passes the limit. */
class OutputLimit extends Error {}

/**
 * Reads the zstd frame header (RFC 8878 §3.1.1.1) for the sizes that bound decompression: the declared
 * content size when present, and the window size (fzstd allocates a window-sized buffer up front), plus
 * where the first block starts and whether a checksum trails the blocks.
 */
function readZstdHeader(bytes: Uint8Array): { contentSize: number | null; windowSize: number; headerEnd: number; checksum: boolean } | null {
  if (bytes.length < 6) return null;
  const fhd = bytes[4]!;
  const fcsFlag = fhd >> 6;
  const singleSegment = (fhd >> 5) & 1;
  const dictFlag = fhd & 3;
  let o = 5;
  let windowSize = 0;
  if (!singleSegment) {
    const wd = bytes[o++]!;
    const base = 2 ** (10 + (wd >> 3));
    windowSize = base + (base / 8) * (wd & 7);
  }
  o += [0, 1, 2, 4][dictFlag]!;
  const fcsBytes = fcsFlag === 0 ? (singleSegment ? 1 : 0) : [0, 2, 4, 8][fcsFlag]!;
  if (o + fcsBytes > bytes.length) return null;
  let contentSize: number | null = null;
  if (fcsBytes > 0) {
    let v = 0;
    for (let i = fcsBytes - 1; i >= 0; i--) v = v * 256 + bytes[o + i]!;
    contentSize = fcsBytes === 2 ? v + 256 : v;
  }
  if (singleSegment) windowSize = contentSize ?? 0;
  return { contentSize, windowSize, headerEnd: o + fcsBytes, checksum: ((fhd >> 2) & 1) === 1 };
}

/** The sizes a zstd frame header declares: content (null when absent) and window. */
export function zstdDeclaredSize(bytes: Uint8Array): { contentSize: number | null; windowSize: number } | null {
  const h = readZstdHeader(bytes);
  return h && { contentSize: h.contentSize, windowSize: h.windowSize };
}

/**
 * Offset just past the zstd frame that starts at 0, walking its block headers (RFC 8878 §3.1.1.2),
 * or -1 when the blocks run past the data. Used to insist on exactly one frame per message: fzstd
 * would go on to decode a second frame whose header we never checked.
 */
export function zstdFrameEnd(bytes: Uint8Array, headerEnd: number, checksum: boolean): number {
  let o = headerEnd;
  for (;;) {
    if (o + 3 > bytes.length) return -1;
    const h = bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16);
    const last = h & 1;
    const type = (h >> 1) & 3;
    const size = h >>> 3;
    o += 3 + (type === 1 ? 1 : size); // an RLE block stores one byte
    if (o > bytes.length) return -1;
    if (last) break;
  }
  if (checksum) o += 4;
  return o <= bytes.length ? o : -1;
}

/** Decompresses a zstd frame into at most `maxBytes`, or says why not. */
export function boundedZstd(bytes: Uint8Array, maxBytes: number): { ok: true; data: Uint8Array } | { ok: false; tooLarge: boolean; message: string } {
  const header = readZstdHeader(bytes);
  if (!header) return { ok: false, tooLarge: false, message: "truncated zstd frame header" };
  if ((header.contentSize ?? 0) > maxBytes) return { ok: false, tooLarge: true, message: `zstd frame declares ${header.contentSize} bytes, over ${maxBytes}` };
  if (header.windowSize > maxBytes) return { ok: false, tooLarge: true, message: `zstd window of ${header.windowSize} bytes exceeds ${maxBytes}` };
  const end = zstdFrameEnd(bytes, header.headerEnd, header.checksum);
  if (end < 0) return { ok: false, tooLarge: false, message: "truncated zstd frame" };
  if (end !== bytes.length) return { ok: false, tooLarge: false, message: "one zstd frame per message: trailing data after the first frame" };
  const chunks: Uint8Array[] = [];
  let total = 0;
  const d = new Decompress((chunk) => {
    total += chunk.length;
    if (total > maxBytes) throw new OutputLimit();
    chunks.push(chunk);
  });
  try {
    d.push(bytes, true);
  } catch (e) {
    if (e instanceof OutputLimit) return { ok: false, tooLarge: true, message: `decompressed frame exceeds ${maxBytes} bytes` };
    return { ok: false, tooLarge: false, message: `invalid zstd data: ${(e as Error).message}` };
  }
  if (chunks.length === 1) return { ok: true, data: chunks[0]! };
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return { ok: true, data: out };
}

/**
 * The protobuf bytes of a message: as sent, or decompressed into at most `budget` bytes (what the
 * connection's byte budget still allows, charged by the caller before any work; docs/security.md).
 * `overBudget`: the frame is fine but the budget is not; `tooLarge`: over maxBytes (close 1009).
 */
export function inflateFrame(
  bytes: Uint8Array,
  maxBytes: number,
  budget = maxBytes,
): { ok: true; data: Uint8Array; compressed: boolean } | { ok: false; overBudget: boolean; tooLarge: boolean; message: string } {
  if (bytes.length > maxBytes) return { ok: false, overBudget: false, tooLarge: true, message: `frame of ${bytes.length} bytes exceeds ${maxBytes}` };
  if (!isZstd(bytes)) return { ok: true, data: bytes, compressed: false };
  const limit = Math.max(0, Math.min(maxBytes, Math.floor(budget)));
  const z = boundedZstd(bytes, limit);
  if (z.ok) return { ok: true, data: z.data, compressed: true };
  if (!z.tooLarge) return { ok: false, overBudget: false, tooLarge: false, message: z.message };
  // Over the budget but maybe not over the frame limit: only a frame that cannot fit at all closes.
  if (limit < maxBytes && boundedZstdFits(bytes, maxBytes)) return { ok: false, overBudget: true, tooLarge: false, message: z.message };
  return { ok: false, overBudget: false, tooLarge: true, message: z.message };
}

/** Whether the frame's header allows it within maxBytes (declared sizes only: no second decompression). */
function boundedZstdFits(bytes: Uint8Array, maxBytes: number): boolean {
  const h = readZstdHeader(bytes);
  return h !== null && (h.contentSize ?? 0) <= maxBytes && h.windowSize <= maxBytes;
}

/**
 * A ClientFrame of at most `maxPoints` points from protobuf bytes, never throwing. Rows take the fast
 * reader; anything else has its shape checked first (frame-shape.ts: a frame of a million tiny fields
 * is refused, not built), and unknown fields are skipped, never kept. `streamLost`: a stream frame
 * that cannot be read, which ends the stream (the client applied it to its own state when it sent it).
 */
export function parseClientFrame(
  data: Uint8Array,
  maxPoints: number,
): { ok: true; frame: ClientFrame } | { ok: false; code: ErrorCode; message: string; streamLost: boolean } {
  const fast = readTelemetryFrame(data, maxPoints);
  if (fast) return { ok: true, frame: fast };
  const shape = checkFrameShape(data, maxPoints);
  if (!shape.ok)
    return {
      ok: false,
      code: shape.reason === "too-many-points" ? ErrorCode.TOO_MANY_POINTS : ErrorCode.BAD_FRAME,
      message: shape.message,
      streamLost: shape.kind === "stream" && shape.reason !== "malformed",
    };
  try {
    const frame = fromBinary(ClientFrameSchema, data, { readUnknownFields: false });
    if (frame.kind.case === undefined) return { ok: false, code: ErrorCode.BAD_FRAME, message: "frame carries neither telemetry nor ping", streamLost: false };
    return { ok: true, frame };
  } catch (e) {
    return { ok: false, code: ErrorCode.BAD_FRAME, message: `not a ClientFrame: ${(e as Error).message}`, streamLost: false };
  }
}

/**
 * Decodes one WebSocket message into a ClientFrame of at most `maxPoints` points, never throwing. Its
 * shape is checked first (frame-shape.ts), so a frame of a million tiny fields is refused, not built.
 */
export function decodeClientFrame(bytes: Uint8Array, maxBytes: number, maxPoints: number): FrameResult {
  if (bytes.length > maxBytes)
    return { ok: false, code: ErrorCode.FRAME_TOO_LARGE, message: `frame of ${bytes.length} bytes exceeds ${maxBytes}`, close: CloseCode.TOO_BIG };
  let data = bytes;
  const compressed = isZstd(bytes);
  if (compressed) {
    const z = boundedZstd(bytes, maxBytes);
    if (!z.ok)
      return z.tooLarge
        ? { ok: false, code: ErrorCode.FRAME_TOO_LARGE, message: z.message, close: CloseCode.TOO_BIG }
        : { ok: false, code: ErrorCode.BAD_FRAME, message: z.message };
    data = z.data;
  }
  const fast = readTelemetryFrame(data, maxPoints);
  if (fast) return { ok: true, frame: fast, compressed, decodedBytes: data.length };
  const shape = checkFrameShape(data, maxPoints);
  if (!shape.ok) {
    // The client applied its stream frame to its own state when it sent it: refusing one unread
    // leaves the two states apart, so, like any stream frame that cannot be read, it ends the stream.
    if (shape.kind === "stream" && shape.reason !== "malformed")
      return {
        ok: false,
        code: ErrorCode.STREAM,
        message: `unreadable stream frame: ${shape.message}; reconnect to start a fresh stream`,
        close: CloseCode.STREAM_LOST,
      };
    return { ok: false, code: shape.reason === "too-many-points" ? ErrorCode.TOO_MANY_POINTS : ErrorCode.BAD_FRAME, message: shape.message };
  }
  try {
    // Unknown fields are skipped, not kept: nothing re-encodes a client frame.
    const frame = fromBinary(ClientFrameSchema, data, { readUnknownFields: false });
    if (frame.kind.case === undefined) return { ok: false, code: ErrorCode.BAD_FRAME, message: "frame carries neither telemetry nor ping" };
    return { ok: true, frame, compressed, decodedBytes: data.length };
  } catch (e) {
    return { ok: false, code: ErrorCode.BAD_FRAME, message: `not a ClientFrame: ${(e as Error).message}` };
  }
}
