/**
 * Physical plausibility across a drone's reports (issue 11): a point farther from its drone's previous
 * accepted point than MAX_SPEED_MPS × the time between them (plus JUMP_SLACK_M of position noise),
 * horizontally or vertically, is rejected as a `jump`. Only accepted points become the reference, so one
 * bad point never moves it; if the reference itself was the bad one (a session's first point, say),
 * the JUMP_REANCHOR_AFTER-th point in a row that disagrees with it is accepted as the new reference: a
 * drone loses at most JUMP_REANCHOR_AFTER - 1 reports. Per session, bounded like the other per-drone maps.
 */
import type { TelemetryPoint } from "../wire/point.js";
import { JUMP_REANCHOR_AFTER, JUMP_SLACK_M } from "../tunables.js";
import type { Rejected } from "./outcome.js";

const M_PER_DEG = 111_320;
const RAD = Math.PI / 180;

interface Reference {
  timeMs: number;
  lat: number;
  lon: number;
  altM: number;
  /** Jump rejections in a row against this reference. */
  misses: number;
}

export class JumpCheck {
  private readonly refs = new Map<string, Reference>();

  constructor(
    private readonly maxSpeedMps: number,
    private readonly capacity: number,
  ) {}

  /** Null when `p` is plausible after its drone's reference (or re-anchors it), else the rejection. */
  check(p: TelemetryPoint): Rejected | null {
    const r = this.refs.get(p.droneId);
    if (r === undefined) return null;
    const reach = (this.maxSpeedMps * Math.abs(p.timeMs - r.timeMs)) / 1000 + JUMP_SLACK_M;
    const north = (p.lat - r.lat) * M_PER_DEG;
    let dLon = Math.abs(p.lon - r.lon);
    if (dLon > 180) dLon = 360 - dLon; // across the antimeridian
    const east = dLon * M_PER_DEG * Math.cos(((p.lat + r.lat) / 2) * RAD);
    const h = Math.hypot(north, east);
    const v = Math.abs(p.altM - r.altM);
    if (!(h > reach || v > reach)) return null;
    if (++r.misses >= JUMP_REANCHOR_AFTER) return null; // the reference was the odd one out
    return {
      status: "rejected",
      reason: "jump",
      droneId: p.droneId,
      message: `${Math.round(Math.max(h, v))} m from the drone's previous point ${Math.abs(p.timeMs - r.timeMs)} ms apart: faster than ${this.maxSpeedMps} m/s`,
    };
  }

  /** `p` was accepted: it is its drone's reference from now on. */
  accepted(p: TelemetryPoint): void {
    let r = this.refs.get(p.droneId);
    if (r === undefined) {
      if (this.refs.size >= this.capacity) this.refs.delete(this.refs.keys().next().value as string); // the oldest drone
      r = { timeMs: 0, lat: 0, lon: 0, altM: 0, misses: 0 };
      this.refs.set(p.droneId, r);
    }
    r.timeMs = p.timeMs;
    r.lat = p.lat;
    r.lon = p.lon;
    r.altM = p.altM;
    r.misses = 0;
  }

  get size(): number {
    return this.refs.size;
  }
}
