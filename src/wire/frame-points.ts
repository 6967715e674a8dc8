/**
 * The points of a decoded telemetry frame, whichever form they came in (rows, columns, or deltas on the
 * connection's stream), or what is wrong with the frame. The stream's state belongs to the caller's
 * socket and is made on first use. Pure.
 */
import { ErrorCode, type ClientFrame, type Point } from "../gen/airspace/v1/airspace_pb.js";
import { decodeColumns } from "./columns.js";
import type { StreamDecoder } from "./telemetry-stream.js";

export type FramePoints =
  | { ok: true; points: Point[]; baseTimeMs: number }
  /** `fatal`: the connection's stream can no longer be read, so the socket must close (1007). */
  | { ok: false; code: ErrorCode; message: string; fatal: boolean };

/** The frame's points; a ping or an empty frame is not a telemetry frame (BAD_FRAME). */
export function framePoints(frame: ClientFrame, maxPoints: number, stream: () => StreamDecoder): FramePoints {
  const k = frame.kind;
  switch (k.case) {
    case "telemetry": {
      const points = k.value.points;
      if (points.length > maxPoints)
        return { ok: false, code: ErrorCode.TOO_MANY_POINTS, message: `${points.length} points in one frame; at most ${maxPoints}`, fatal: false };
      return { ok: true, points, baseTimeMs: Number(k.value.baseTimeMs) };
    }
    case "columns": {
      const c = decodeColumns(k.value, maxPoints);
      return c.ok
        ? { ok: true, points: c.points, baseTimeMs: Number(k.value.baseTimeMs) }
        : { ok: false, code: ErrorCode.BAD_FRAME, message: `malformed columns: ${c.message}`, fatal: false };
    }
    case "stream": {
      // Every later stream frame is relative to this one: a frame that cannot be read ends the stream.
      const s = stream().decode(k.value, maxPoints);
      return s.ok
        ? { ok: true, points: s.points, baseTimeMs: Number(s.baseTimeMs) }
        : { ok: false, code: ErrorCode.STREAM, message: `unreadable stream frame: ${s.message}; reconnect to start a fresh stream`, fatal: true };
    }
    default:
      return { ok: false, code: ErrorCode.BAD_FRAME, message: "empty frame, or a kind this gateway does not know", fatal: false };
  }
}
