/**
 * What a case may end in. A valid frame must pass clean; a frame the gateway cannot read must get its
 * error frame (BAD_FRAME, or the POLICY close once there are too many); a bomb must be refused with
 * 1009 and an unreadable stream frame with 1007, each after its error frame (docs/protocol.md,
 * "Errors and closes"). Mutations that may still be valid frames are held to the general rules only.
 */
import { ErrorCode } from "../gen/airspace/v1/airspace_pb.js";
import { CloseCode } from "../wire/close-codes.js";

export type Expectation = "clean" | "refused" | "bad-frame" | "too-large" | "stream-lost" | "invalid-point" | "any";

/** What one case did, as the client and the counters saw it. */
export interface Outcome {
  /** Error codes of the case's error frames, in order. */
  errors: ErrorCode[];
  close: number | null;
  pong: boolean;
  accepted: number;
  rejected: number;
  rateLimited: number;
  deduped: number;
  /** The frame was refused unread by the connection's budgets (documented: a RateLimitNotice, at most one a second). */
  limitedUnread: boolean;
}

/** A short name for the tally: the close, else the first error, else what happened to the points. */
export function outcomeLabel(o: Outcome): string {
  if (o.close !== null) return `close ${o.close}`;
  if (o.errors.length > 0) return `error ${ErrorCode[o.errors[0]!] ?? o.errors[0]}`;
  if (o.pong) return "pong";
  if (o.limitedUnread) return "limited unread";
  if (o.accepted > 0) return "accepted";
  if (o.deduped > 0) return "deduped";
  if (o.rateLimited > 0) return "rate-limited";
  return "no points";
}

/** Null when `o` is what `e` allows, else why not. */
export function unmet(e: Expectation, o: Outcome): string | null {
  const has = (c: ErrorCode) => o.errors.includes(c);
  const closedWith = (code: number, c: ErrorCode) => o.close === code && has(c);
  // Repeated abuse (a socket fed hostile frames back to back) ends in the documented policy close,
  // whatever the frame that tipped it; only a valid frame on a calm socket must pass.
  if (e !== "clean" && closedWith(CloseCode.POLICY, ErrorCode.POLICY)) return null;
  // Limits come before work: a hostile frame over the connection's byte budget is dropped unread, and
  // a session that streams then ends its stream (1007), its state being no longer the client's.
  if (e !== "clean" && o.limitedUnread && (o.close === null || closedWith(CloseCode.STREAM_LOST, ErrorCode.STREAM))) return null;
  switch (e) {
    case "any":
      return null;
    case "clean":
      return o.errors.length === 0 && o.close === null ? null : "a valid frame was refused";
    case "refused":
      return o.errors.length > 0 || o.close !== null ? null : "a malformed frame passed without an error frame";
    case "bad-frame":
      return has(ErrorCode.BAD_FRAME) && (o.close === null || closedWith(CloseCode.POLICY, ErrorCode.POLICY)) ? null : "expected BAD_FRAME";
    case "too-large":
      return closedWith(CloseCode.TOO_BIG, ErrorCode.FRAME_TOO_LARGE) ? null : "expected FRAME_TOO_LARGE and close 1009";
    case "stream-lost":
      return closedWith(CloseCode.STREAM_LOST, ErrorCode.STREAM) ? null : "expected STREAM and close 1007";
    case "invalid-point":
      // A frame over the connection's frame rate is dropped before its points are looked at.
      if (has(ErrorCode.INVALID_POINT) || has(ErrorCode.WRONG_DRONE)) return null;
      return o.errors.length === 0 && o.close === null && o.accepted === 0 && o.rateLimited > 0 ? null : "expected INVALID_POINT or WRONG_DRONE";
  }
}
