/**
 * A client message from bytes to what it asks for, each limit charged before the work it protects
 * (issue 11): the raw frame against frames/s and bytes/s; decompression bounded by the bytes the
 * connection may still spend, then charged; a scan of tags and lengths (wire/frame-scan.ts) that
 * refuses a frame over MAX_POINTS_PER_FRAME and charges its points before one is built; pings against
 * their own bucket; only then the decode, which skips unknown fields without keeping them. Pure.
 */
import type { Options } from "../config.js";
import { type ClientFrame, ErrorCode, type Point } from "../gen/airspace/v1/airspace_pb.js";
import { CloseCode } from "../wire/close-codes.js";
import { framePoints } from "../wire/frame-points.js";
import { KIND_PING, KIND_RENEW, KIND_STREAM, scanClientFrame } from "../wire/frame-scan.js";
import { inflateFrame, parseClientFrame } from "../wire/frames.js";
import type { StreamDecoder } from "../wire/telemetry-stream.js";
import type { LimitScope } from "./outcome.js";
import type { ConnectionLimiter } from "./rate-limiter.js";

export type GateResult =
  | { kind: "points"; points: Point[]; baseTimeMs: number }
  | { kind: "ping"; nonce: bigint }
  | { kind: "renew"; token: string }
  /** Refused by a limit before it was read; `points` of it were charged and dropped (0 when unknown). */
  /** Refused unread; `stream`: a TelemetryStream frame as far as can be told unread (its refusal ends the stream). */
  | { kind: "limited"; by: LimitScope; points: number; stream: boolean }
  /** Unreadable: an error frame, and the socket stays open (bad-frame window). */
  | { kind: "bad"; code: ErrorCode; message: string }
  /** The socket must close: an error frame, then `close`. */
  | { kind: "close"; code: ErrorCode; message: string; close: number; reason: string };

/** A points answer, reused: the session reads it at once and gives it back (release). */
type PointsAnswer = Extract<GateResult, { kind: "points" }>;
const NO_POINTS: Point[] = Object.freeze([]) as unknown as Point[];

export class FrameGate {
  private readonly answer: PointsAnswer = { kind: "points", points: NO_POINTS, baseTimeMs: 0 };

  constructor(
    private readonly opts: Pick<Options, "maxFrameBytes" | "maxPointsPerFrame">,
    private readonly limiter: ConnectionLimiter,
    private readonly stream: () => StreamDecoder,
  ) {}

  pass(data: ArrayBuffer | Uint8Array | string, nowMs: number): GateResult {
    if (typeof data === "string") return { kind: "bad", code: ErrorCode.BAD_FRAME, message: "text frames are not accepted: send binary protobuf frames" };
    const raw = data instanceof Uint8Array ? data : new Uint8Array(data);
    const max = this.opts.maxFrameBytes;
    if (raw.length > max) return tooBig(`frame of ${raw.length} bytes exceeds ${max}`);
    const fv = this.limiter.admitFrame(raw.length, nowMs);
    if (fv.status === "closed") return abusive(fv.reason);
    // Field 4 (stream), length-delimited, as an uncompressed frame's first byte; a compressed one is not opened to tell.
    if (fv.status === "limited") return { kind: "limited", by: fv.by, points: 0, stream: raw[0] === 0x22 };
    const inflated = inflateFrame(raw, max, raw.length + this.limiter.bytesAvailable(nowMs));
    if (!inflated.ok) {
      if (inflated.tooLarge) return tooBig(inflated.message);
      if (inflated.overBudget) {
        this.limiter.chargeBytes(max, nowMs); // it used the whole budget before it was stopped
        return { kind: "limited", by: "bytes", points: 0, stream: false };
      }
      return { kind: "bad", code: ErrorCode.BAD_FRAME, message: inflated.message };
    }
    const bytes = inflated.data;
    this.limiter.chargeBytes(bytes.length - raw.length, nowMs);
    const scan = scanClientFrame(bytes, this.opts.maxPointsPerFrame);
    // The client applied its stream frame to its own state when it sent it: refusing one leaves the two
    // states apart, so, like any stream frame that cannot be read, it ends the stream.
    if (!scan.ok && scan.kind === KIND_STREAM && scan.tooManyPoints)
      return {
        kind: "close",
        code: ErrorCode.STREAM,
        message: `${scan.message}; reconnect to start a fresh stream`,
        close: CloseCode.STREAM_LOST,
        reason: "stream state lost",
      };
    if (!scan.ok)
      return scan.tooManyPoints
        ? { kind: "bad", code: ErrorCode.TOO_MANY_POINTS, message: `${scan.message}; at most ${this.opts.maxPointsPerFrame}` }
        : { kind: "bad", code: ErrorCode.BAD_FRAME, message: scan.message };
    if (scan.kind === KIND_PING) {
      const pv = this.limiter.admitPing(nowMs);
      if (pv.status === "closed") return abusive(pv.reason);
      if (pv.status === "limited") return { kind: "limited", by: pv.by, points: 0, stream: false };
    } else if (scan.kind !== KIND_RENEW) {
      const pv = this.limiter.admitPoints(scan.points, nowMs);
      if (pv.status === "closed") return abusive(pv.reason);
      if (pv.status === "limited") return { kind: "limited", by: pv.by, points: scan.points, stream: scan.kind === KIND_STREAM };
    }
    const parsed = parseClientFrame(bytes, this.opts.maxPointsPerFrame);
    if (!parsed.ok)
      return parsed.streamLost
        ? {
            kind: "close",
            code: ErrorCode.STREAM,
            message: `unreadable stream frame: ${parsed.message}; reconnect to start a fresh stream`,
            close: CloseCode.STREAM_LOST,
            reason: "stream state lost",
          }
        : { kind: "bad", code: parsed.code, message: parsed.message };
    return this.meaning(parsed.frame);
  }

  /** The points answer is read: its points are not kept alive (and promoted) until the next frame. */
  release(g: GateResult): void {
    if (g === this.answer) this.answer.points = NO_POINTS;
  }

  private points(points: Point[], baseTimeMs: number): PointsAnswer {
    this.answer.points = points;
    this.answer.baseTimeMs = baseTimeMs;
    return this.answer;
  }

  private meaning(frame: ClientFrame): GateResult {
    const k = frame.kind;
    if (k.case === "ping") return { kind: "ping", nonce: k.value.nonce };
    if (k.case === "renew") return { kind: "renew", token: k.value.token };
    // Rows, the common frame, without framePoints' answer object in between (what it would answer).
    if (k.case === "telemetry" && k.value.points.length <= this.opts.maxPointsPerFrame) return this.points(k.value.points, Number(k.value.baseTimeMs));
    const fp = framePoints(frame, this.opts.maxPointsPerFrame, this.stream);
    if (fp.ok) return this.points(fp.points, fp.baseTimeMs);
    if (!fp.fatal) return { kind: "bad", code: fp.code, message: fp.message };
    return { kind: "close", code: fp.code, message: fp.message, close: CloseCode.STREAM_LOST, reason: "stream state lost" };
  }
}

function tooBig(message: string): GateResult {
  return { kind: "close", code: ErrorCode.FRAME_TOO_LARGE, message, close: CloseCode.TOO_BIG, reason: "frame too large" };
}

function abusive(reason: string): GateResult {
  return { kind: "close", code: ErrorCode.POLICY, message: reason, close: CloseCode.POLICY, reason: "rate limit abuse" };
}
