/**
 * Mission planners for the simulator: ordinary delivery round trips (climb, cruise via waypoints, hover
 * at the drop-off, return, land, swap battery), and converging pairs planned backwards from a meeting
 * point so that the conflict they create, and when it starts, is known exactly.
 */
import { predictRelative, emptyPrediction } from "../detect/conflicts.js";
import type { FlightPlan } from "./flight-plan.js";
import type { Rng } from "./prng.js";

export interface MissionParams {
  /** Drones fly within this radius of the centre, m. */
  areaRadiusM: number;
  /** Cruise altitude above ground, m. */
  cruiseAltM: [number, number];
  /** Cruise speed, m/s. */
  speedMps: [number, number];
  /** Hover at an ordinary drop-off, ms; and for the drones that hover long. */
  hoverMs: [number, number];
  longHoverMs: [number, number];
  /** Ground time between missions, ms. */
  turnaroundMs: [number, number];
}

export const DEFAULT_MISSION: Readonly<MissionParams> = Object.freeze({
  areaRadiusM: 4000,
  cruiseAltM: [40, 120] as [number, number],
  speedMps: [8, 20] as [number, number],
  hoverMs: [5000, 20000] as [number, number],
  longHoverMs: [60_000, 300_000] as [number, number],
  turnaroundMs: [10_000, 60_000] as [number, number],
});

const CLIMB_MPS = 3;
const DESCEND_MPS = 2;
/** Drop-off height above ground, m: low enough to lower a parcel on a winch. */
const DROP_ALT_M = 15;

/** A uniformly random point in the disc of radius r. */
export function randomInDisc(rng: Rng, r: number): { e: number; n: number } {
  const rho = r * Math.sqrt(rng.next());
  const th = rng.range(0, 2 * Math.PI);
  return { e: rho * Math.cos(th), n: rho * Math.sin(th) };
}

/** From the ground at the plan's position (home): one delivery round trip. */
export function planDelivery(plan: FlightPlan, rng: Rng, p: MissionParams, longHover: boolean): void {
  const home = { e: plan.e, n: plan.n };
  const alt = rng.range(p.cruiseAltM[0], p.cruiseAltM[1]);
  const speed = rng.range(p.speedMps[0], p.speedMps[1]);
  let drop = randomInDisc(rng, p.areaRadiusM);
  for (let i = 0; i < 5 && Math.hypot(drop.e - home.e, drop.n - home.n) < 500; i++) drop = randomInDisc(rng, p.areaRadiusM);
  plan.moveTo("climb", home.e, home.n, alt, CLIMB_MPS);
  // Zero to two dog-leg waypoints, as routes follow corridors rather than straight lines.
  const legs = Math.floor(rng.range(0, 3));
  for (let i = 1; i <= legs; i++) {
    const f = i / (legs + 1);
    const side = rng.range(-300, 300);
    const dx = drop.e - home.e;
    const dy = drop.n - home.n;
    const len = Math.hypot(dx, dy) || 1;
    plan.moveTo("cruise", home.e + dx * f - (dy / len) * side, home.n + dy * f + (dx / len) * side, alt, speed);
  }
  finishDelivery(plan, rng, p, drop, home, alt, speed, longHover);
}

/** From cruise: on to the drop-off, hover, back home, land, swap the battery. */
export function finishDelivery(
  plan: FlightPlan,
  rng: Rng,
  p: MissionParams,
  drop: { e: number; n: number },
  home: { e: number; n: number },
  alt: number,
  speed: number,
  longHover: boolean,
): void {
  plan.moveTo("cruise", drop.e, drop.n, alt, speed);
  plan.moveTo("descend", drop.e, drop.n, DROP_ALT_M, DESCEND_MPS);
  const hover = longHover ? p.longHoverMs : p.hoverMs;
  plan.hold("hover", rng.range(hover[0], hover[1]));
  plan.moveTo("climb", drop.e, drop.n, alt, CLIMB_MPS);
  plan.moveTo("cruise", home.e, home.n, alt, rng.range(p.speedMps[0], p.speedMps[1]));
  plan.moveTo("descend", home.e, home.n, 0, DESCEND_MPS);
  plan.hold("ground", rng.range(p.turnaroundMs[0], p.turnaroundMs[1]));
  plan.setBattery(rng.range(95, 100));
}

/** A conflict the simulator created on purpose: what an ideal alerting service should report. */
export interface PlannedConflict {
  a: string;
  b: string;
  /** Sim time (ms) of the closest approach: both drones pass the meeting point then. */
  meetMs: number;
  /** Sim time (ms) the separation is first lost (inside the R × H cylinder). */
  conflictStartMs: number;
  /** Earliest sim time (ms) a look-ahead of T can predict it: conflictStartMs − T. */
  alertFromMs: number;
  /** Closing speed, m/s, and crossing angle, degrees. */
  closingMps: number;
  angleDeg: number;
}

export interface ConflictContract {
  radiusM: number;
  heightM: number;
  lookaheadS: number;
}

/**
 * Plans two drones already cruising at sim time `t0` so that both pass the same point at `meetMs` at
 * nearly the same altitude, from directions at least 45° apart (so they close fast and the conflict
 * is unambiguous). Both then carry on to drop-offs beyond the meeting point.
 */
export function planConvergingPair(
  a: FlightPlan,
  b: FlightPlan,
  rng: Rng,
  p: MissionParams,
  t0: number,
  meetMs: number,
  contract: ConflictContract,
): Omit<PlannedConflict, "a" | "b"> {
  const meet = randomInDisc(rng, p.areaRadiusM * 0.7);
  const alt = rng.range(p.cruiseAltM[0], p.cruiseAltM[1]);
  const thA = rng.range(0, 2 * Math.PI);
  const thB = thA + (rng.chance(0.5) ? 1 : -1) * rng.range(Math.PI / 4, Math.PI);
  const sA = rng.range(p.speedMps[0], p.speedMps[1]);
  const sB = rng.range(p.speedMps[0], p.speedMps[1]);
  // Within H/3 vertically: a conflict however the two altitudes are rounded on the wire.
  const altB = alt + rng.range(-contract.heightM / 3, contract.heightM / 3);
  const lead = (meetMs - t0) / 1000;
  const place = (plan: FlightPlan, th: number, s: number, u: number) => {
    const de = Math.sin(th);
    const dn = Math.cos(th);
    plan.t = t0;
    plan.e = meet.e - de * s * lead;
    plan.n = meet.n - dn * s * lead;
    plan.u = u;
    const home = { e: plan.e, n: plan.n };
    const beyond = rng.range(400, 1500);
    plan.moveTo("cruise", meet.e, meet.n, u, s);
    finishDelivery(plan, rng, p, { e: meet.e + de * beyond, n: meet.n + dn * beyond }, home, u, s, false);
    return { ve: de * s, vn: dn * s };
  };
  const va = place(a, thA, sA, alt);
  const vb = place(b, thB, sB, altB);
  // Exact start of the loss of separation from the two straight legs (they meet at the same instant).
  const ve = vb.ve - va.ve;
  const vn = vb.vn - va.vn;
  const pe = -ve * lead;
  const pn = -vn * lead;
  const params = { radiusM: contract.radiusM, heightM: contract.heightM, lookaheadS: lead + 60, warningTimeS: 0 };
  const pred = predictRelative(pe, pn, altB - alt, ve, vn, 0, t0, params, emptyPrediction());
  const conflictStartMs = t0 + Math.round((pred.conflict ? pred.tEntryS : lead) * 1000);
  let angle = (((thB - thA) * 180) / Math.PI) % 360;
  if (angle < 0) angle += 360;
  if (angle > 180) angle = 360 - angle;
  return {
    meetMs,
    conflictStartMs,
    alertFromMs: Math.max(t0, conflictStartMs - contract.lookaheadS * 1000),
    closingMps: Math.hypot(ve, vn),
    angleDeg: angle,
  };
}
