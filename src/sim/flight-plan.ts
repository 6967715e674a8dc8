/**
 * A drone's flight as a list of straight constant-velocity legs in a local east-north-up frame (metres
 * from the sim centre, up above ground). Position, velocity and battery are pure functions of time, so
 * the simulator gives the same points however its caller slices time into steps.
 */

export type Phase = "ground" | "climb" | "cruise" | "descend" | "hover";

export interface Leg {
  phase: Phase;
  /** Sim time, ms. */
  t0: number;
  t1: number;
  e0: number;
  n0: number;
  u0: number;
  e1: number;
  n1: number;
  u1: number;
  /** Battery percent at t0, and drain in percent per second during the leg. */
  battery0: number;
  drainPerS: number;
}

/** Drain rates (%/s): climbing and hovering cost most, cruise grows with speed (multicopter rule of thumb). */
export function drainRate(phase: Phase, speedMps: number): number {
  switch (phase) {
    case "ground":
      return 0;
    case "climb":
      return 0.15;
    case "hover":
      return 0.12;
    case "descend":
      return 0.08;
    case "cruise":
      return 0.06 + 0.004 * speedMps;
  }
}

/** State of a drone at one instant (ENU metres, m/s, percent). */
export interface FlightState {
  phase: Phase;
  e: number;
  n: number;
  u: number;
  ve: number;
  vn: number;
  vu: number;
  battery: number;
}

/** Appends legs; keeps the end of the plan so a planner can continue from it. */
export class FlightPlan {
  readonly legs: Leg[] = [];
  /** Index of the leg last evaluated: time only moves forward, so lookups are O(1) amortised. */
  private cursor = 0;
  t: number;
  e: number;
  n: number;
  u: number;
  battery: number;

  constructor(t: number, e: number, n: number, u: number, battery: number) {
    this.t = t;
    this.e = e;
    this.n = n;
    this.u = u;
    this.battery = battery;
  }

  /** Flies straight to (e, n, u) at `speedMps` (3-D speed). */
  moveTo(phase: Phase, e: number, n: number, u: number, speedMps: number): this {
    const dist = Math.hypot(e - this.e, n - this.n, u - this.u);
    const durMs = dist === 0 ? 0 : Math.max(1, Math.round((dist / speedMps) * 1000));
    return this.push(phase, durMs, e, n, u, phase === "cruise" ? speedMps : 0);
  }

  /** Stays put (hovering in the air, or parked on the ground) for `durMs`. */
  hold(phase: "hover" | "ground", durMs: number): this {
    return this.push(phase, Math.max(1, Math.round(durMs)), this.e, this.n, this.u, 0);
  }

  /** A battery swap on the ground. */
  setBattery(pct: number): this {
    this.battery = pct;
    return this;
  }

  private push(phase: Phase, durMs: number, e: number, n: number, u: number, speed: number): this {
    if (durMs <= 0) return this;
    const drain = drainRate(phase, speed);
    this.legs.push({
      phase,
      t0: this.t,
      t1: this.t + durMs,
      e0: this.e,
      n0: this.n,
      u0: this.u,
      e1: e,
      n1: n,
      u1: u,
      battery0: this.battery,
      drainPerS: drain,
    });
    this.t += durMs;
    this.e = e;
    this.n = n;
    this.u = u;
    this.battery = Math.max(0, this.battery - (drain * durMs) / 1000);
    return this;
  }

  /** The state at sim time `t` (ms), which must not precede an earlier query's leg. Null past the plan's end. */
  at(t: number, out: FlightState): FlightState | null {
    while (this.cursor < this.legs.length && this.legs[this.cursor]!.t1 <= t) this.cursor++;
    const leg = this.legs[this.cursor];
    if (!leg || t < leg.t0) return null;
    const dur = (leg.t1 - leg.t0) / 1000;
    const f = (t - leg.t0) / (leg.t1 - leg.t0);
    out.phase = leg.phase;
    out.ve = (leg.e1 - leg.e0) / dur;
    out.vn = (leg.n1 - leg.n0) / dur;
    out.vu = (leg.u1 - leg.u0) / dur;
    out.e = leg.e0 + (leg.e1 - leg.e0) * f;
    out.n = leg.n0 + (leg.n1 - leg.n0) * f;
    out.u = leg.u0 + (leg.u1 - leg.u0) * f;
    out.battery = Math.max(0, leg.battery0 - (leg.drainPerS * (t - leg.t0)) / 1000);
    return out;
  }

  /** Forgets legs that ended before `t`, so a long run does not grow without bound. */
  trimBefore(t: number): void {
    let k = 0;
    while (k < this.legs.length - 1 && this.legs[k]!.t1 <= t) k++;
    if (k > 0) {
      this.legs.splice(0, k);
      this.cursor = Math.max(0, this.cursor - k);
    }
  }
}
