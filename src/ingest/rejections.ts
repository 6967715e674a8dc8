/**
 * The points of one frame that validation rejected, reported to the client as at most two error
 * frames (another drone's id; invalid values), each with the count and the first problem, instead of
 * one frame per point: a relay's bad frame must not become thousands of replies.
 */
import { ErrorCode } from "../gen/airspace/v1/airspace_pb.js";
import { errorFrame } from "../wire/server-frames.js";
import type { Rejected } from "./outcome.js";

export class FrameRejections {
  private invalid = 0;
  private wrongDrone = 0;
  private first: Rejected | null = null;

  add(v: Rejected): void {
    if (v.reason === "wrong_drone") this.wrongDrone++;
    else this.invalid++;
    this.first ??= v;
  }

  /** The error frames for the client; `ownDroneId`: the drone the token may send. */
  frames(ownDroneId: string | null): Uint8Array[] {
    const out: Uint8Array[] = [];
    const id = this.first?.droneId ?? "";
    if (this.wrongDrone > 0)
      out.push(errorFrame(ErrorCode.WRONG_DRONE, `${this.wrongDrone} point(s) dropped: this token may only send drone ${ownDroneId}`, id, this.wrongDrone));
    if (this.invalid > 0) out.push(errorFrame(ErrorCode.INVALID_POINT, `${this.invalid} point(s) rejected; first: ${this.first!.message}`, id, this.invalid));
    return out;
  }
}
