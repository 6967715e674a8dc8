/**
 * The points of one frame that were rejected, reported to the client as at most four error frames
 * (a drone the token may not send; the region cap; the fleet's quota; invalid values), each with the count and the first problem, instead of
 * one frame per point: a relay's bad frame must not become thousands of replies.
 */
import { ErrorCode } from "../gen/airspace/v1/airspace_pb.js";
import { errorFrame } from "../wire/server-frames.js";
import type { CounterName } from "../wire/counters.js";
import { localDroneId } from "../wire/fleet-key.js";
import type { Rejected, RejectReason } from "./outcome.js";

const REJECTED: readonly CounterName[] = ["received", "rejected"];
/** The counters a point dropped by a rate limit adds to. */
export const LIMITED_COUNTERS: readonly CounterName[] = ["received", "rateLimited"];
/** The counters a rejected point adds to, by reason. */
export function rejectionCounters(reason: RejectReason): readonly CounterName[] {
  if (reason === "fleet_drones" || reason === "fleet_regions") return QUOTA;
  return reason === "wrong_drone" ? WRONG : reason === "jump" ? JUMP : REJECTED;
}
const WRONG: readonly CounterName[] = [...REJECTED, "wrongDrone"];
const JUMP: readonly CounterName[] = [...REJECTED, "implausible"];
const QUOTA: readonly CounterName[] = [...REJECTED, "overQuota"];

/** Whether a rejection came after the point's id became its fleet key (the route stage): counted under it as is. */
export function rejectedKeyed(reason: RejectReason): boolean {
  return reason === "regions" || reason === "fleet_drones" || reason === "fleet_regions";
}

/** One frame's rejections; a session keeps one and clears it per frame (most frames have none: not an object each). */
export class FrameRejections {
  private invalid = 0;
  private wrongDrone = 0;
  private regions = 0;
  private quota = 0;
  private firstQuota: Rejected | null = null;
  private first: Rejected | null = null;
  private firstWrong: Rejected | null = null;
  private firstInvalid: Rejected | null = null;
  private firstRegions: Rejected | null = null;

  /** Forgets the previous frame's rejections; returns this. */
  clear(): this {
    if (this.first === null) return this;
    this.invalid = this.wrongDrone = this.regions = this.quota = 0;
    this.first = this.firstQuota = this.firstWrong = this.firstInvalid = this.firstRegions = null;
    return this;
  }

  /** Whether any point of the frame was rejected. */
  get any(): boolean {
    return this.first !== null;
  }

  add(v: Rejected): void {
    if (v.reason === "wrong_drone") {
      this.wrongDrone++;
      this.firstWrong ??= v;
    } else if (v.reason === "fleet_drones" || v.reason === "fleet_regions") {
      this.quota++;
      this.firstQuota ??= v;
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
    if (this.quota > 0)
      out.push(errorFrame(ErrorCode.QUOTA, `${this.quota} point(s) dropped: ${this.firstQuota!.message}`, localDroneId(this.firstQuota!.droneId), this.quota));
    const invalid = this.invalid - this.regions;
    if (invalid > 0) out.push(errorFrame(ErrorCode.INVALID_POINT, `${invalid} point(s) rejected; first: ${this.firstInvalid!.message}`, id, invalid));
    return out;
  }
}
