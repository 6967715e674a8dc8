/**
 * The points of one frame that were rejected, reported to the client as at most three error frames
 * (a drone the token may not send; the region cap; invalid values), each with the count and the first problem, instead of
 * one frame per point: a relay's bad frame must not become thousands of replies.
 */
import { ErrorCode } from "../gen/airspace/v1/airspace_pb.js";
import { errorFrame } from "../wire/server-frames.js";
import type { CounterName } from "../wire/counters.js";
import type { Rejected, RejectReason } from "./outcome.js";

const REJECTED: readonly CounterName[] = ["received", "rejected"];
/** The counters a point dropped by a rate limit adds to. */
export const LIMITED_COUNTERS: readonly CounterName[] = ["received", "rateLimited"];
/** The counters a rejected point adds to, by reason. */
export function rejectionCounters(reason: RejectReason): readonly CounterName[] {
  return reason === "wrong_drone" ? WRONG : reason === "jump" ? JUMP : REJECTED;
}
const WRONG: readonly CounterName[] = [...REJECTED, "wrongDrone"];
const JUMP: readonly CounterName[] = [...REJECTED, "implausible"];

export class FrameRejections {
  private invalid = 0;
  private wrongDrone = 0;
  private regions = 0;
  private first: Rejected | null = null;
  private firstWrong: Rejected | null = null;
  private firstInvalid: Rejected | null = null;
  private firstRegions: Rejected | null = null;

  add(v: Rejected): void {
    if (v.reason === "wrong_drone") {
      this.wrongDrone++;
      this.firstWrong ??= v;
    } else {
      this.invalid++;
      if (v.reason === "regions") {
        this.regions++;
        this.firstRegions ??= v;
      } else this.firstInvalid ??= v;
    }
    this.first ??= v;
  }

  /** The error frames for the client; `ownDroneId`: the drone the token may send. */
  frames(ownDroneId: string | null): Uint8Array[] {
    const out: Uint8Array[] = [];
    const id = this.first?.droneId ?? "";
    if (this.wrongDrone > 0) {
      const why = ownDroneId !== null ? `this token may only send drone ${ownDroneId}` : (this.firstWrong?.message ?? "");
      out.push(errorFrame(ErrorCode.WRONG_DRONE, `${this.wrongDrone} point(s) dropped: ${why}`, this.firstWrong?.droneId ?? id, this.wrongDrone));
    }
    if (this.regions > 0) out.push(errorFrame(ErrorCode.LIMIT, `${this.regions} point(s) dropped: ${this.firstRegions!.message}`, id, this.regions));
    const invalid = this.invalid - this.regions;
    if (invalid > 0) out.push(errorFrame(ErrorCode.INVALID_POINT, `${invalid} point(s) rejected; first: ${this.firstInvalid!.message}`, id, invalid));
    return out;
  }
}
