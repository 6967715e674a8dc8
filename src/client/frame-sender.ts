/**
 * Turns a batch of queued points into frames on the socket: encoded as rows, columns or the
 * connection's stream, split until each fits the welcome's max_frame_bytes (the limit applies to the
 * compressed and the decompressed size alike), zstd-compressed when that makes it smaller, counted.
 */
import type { StreamEncoder } from "../wire/telemetry-stream.js";
import type { WelcomeMessage } from "./messages.js";
import { type ClientStats, DEFAULT_MAX_BYTES, DEFAULT_MAX_POINTS } from "./options.js";
import type { Outbox } from "./outbox.js";
import type { SocketLike } from "./socket.js";
import { type ClientPoint, encodeTelemetryFrame } from "./wire.js";
import type { ZstdEncoder } from "./zstd.js";

/** Frames shorter than this are not worth compressing (zstd's frame header alone is ~10 bytes). */
const MIN_COMPRESS_BYTES = 128;

export interface FrameFormat {
  /** The drone id the server infers from the token ("" for a drone), undefined for relays. */
  implicitDroneId: string | undefined;
  columnar: boolean;
  /** The connection's stream state, when stream frames are in use. */
  stream: StreamEncoder | null;
  zstd: ZstdEncoder | null;
}

export function sendBatch(sock: SocketLike, batch: ClientPoint[], maxBytes: number, f: FrameFormat, stats: ClientStats): void {
  const stream = f.stream ?? undefined;
  const plain = encodeTelemetryFrame(batch, { implicitDroneId: f.implicitDroneId, columnar: f.columnar, stream });
  if (plain.length > maxBytes && batch.length > 1) {
    const half = batch.length >> 1;
    sendBatch(sock, batch.slice(0, half), maxBytes, f, stats);
    sendBatch(sock, batch.slice(half), maxBytes, f, stats);
    return;
  }
  let bytes = plain;
  if (f.zstd && plain.length >= MIN_COMPRESS_BYTES) {
    const z = f.zstd(plain);
    if (z.length < plain.length) bytes = z;
  }
  sock.send(bytes);
  // Only a frame handed to the socket moves the stream state; a drop resets it with the session.
  stream?.commit();
  stats.framesSent++;
  stats.pointsSent += batch.length;
  stats.bytesSent += bytes.length;
  stats.bytesUncompressed += plain.length;
}

/** Sends every sendable queued point in frames within the welcome's limits, while the socket's buffer allows. */
export function sendQueued(
  sock: SocketLike,
  outbox: Outbox,
  w: WelcomeMessage,
  maxBuffered: number,
  f: FrameFormat,
  stats: ClientStats,
  now: () => number,
): void {
  const maxPoints = w.maxPointsPerFrame || DEFAULT_MAX_POINTS;
  const maxBytes = w.maxFrameBytes || DEFAULT_MAX_BYTES;
  while (sock.bufferedAmount <= maxBuffered) {
    const batch = outbox.take(maxPoints, now());
    if (batch.length === 0) break;
    sendBatch(sock, batch, maxBytes, f, stats);
  }
  stats.droppedPaused = outbox.droppedPaused;
  stats.queued = outbox.size;
}
