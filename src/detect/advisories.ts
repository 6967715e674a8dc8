/**
 * Coordinated advisories: the manoeuvre each drone of a conflicting pair is asked to fly. The pair always
 * gets a complementary couple (climb/descend, both turn right, both turn left, both hold), chosen by
 * simulating "both follow it" so that the predicted separation at closest approach grows.
 */
import type { ConflictParams } from "./conflicts.js";

import type { ManoeuvreName } from "../wire/manoeuvres.js";

export type { ManoeuvreName };

/**
 * Manoeuvre performance assumed of a drone following an advisory; the two an operator tunes to the
 * fleet are options (config.ts: ADVISORY_CLIMB_RATE_MPS, ADVISORY_TURN_RATE_DPS).
 */
export interface ManoeuvreRates {
  /** Vertical speed a climb (descend) advisory asks for, and the least change it asks for, m/s. */
  climbRateMps: number;
  /** Turn rate of a turn advisory, degrees per second (speed unchanged). */
  turnRateDps: number;
}

export const DEFAULT_RATES: Readonly<ManoeuvreRates> = Object.freeze({ climbRateMps: 2, turnRateDps: 15 });
/** Vertical acceleration while reaching that rate, m/s². Default: 2 */
export const ADVISORY_VERTICAL_ACCEL_MPS2 = 2;
/** Deceleration of a hold (stop and hover) advisory, m/s². Default: 3 */
export const ADVISORY_HOLD_DECEL_MPS2 = 3;
/** Tracks differing by more than this are head-on, degrees. Default: 150 */
export const ADVISORY_HEAD_ON_DEG = 150;
/** Integration step of the follow simulation, s. Default: 0.05 */
export const ADVISORY_SIM_STEP_S = 0.05;

/** The couples a pair may receive, each in both orders. */
export const COMPLEMENTARY: readonly (readonly [ManoeuvreName, ManoeuvreName])[] = [
  ["climb", "descend"],
  ["descend", "climb"],
  ["turn_right", "turn_right"],
  ["turn_left", "turn_left"],
  ["hold", "hold"],
];

export function isComplementary(a: ManoeuvreName, b: ManoeuvreName): boolean {
  return COMPLEMENTARY.some(([x, y]) => x === a && y === b);
}

/** A pair at one instant, in a's east-north-up plane: b's offset from a, and both velocities. */
export interface PairGeometry {
  relE: number;
  relN: number;
  relU: number;
  aVe: number;
  aVn: number;
  aVu: number;
  bVe: number;
  bVn: number;
  bVu: number;
}

/**
 * What following a couple of manoeuvres yields over [0, T]. Separation is the normalised cylinder
 * distance s(t) = max(hsep/R, |vsep|/H): s < 1 exactly when the pair is inside the conflict volume, so
 * "separation at closest approach" is min s(t), comparable across horizontal and vertical manoeuvres.
 */
export interface FollowResult {
  /** min over [0, T] of s(t), and when. */
  minSep: number;
  tMinS: number;
  /**
   * hypot(hsep/R, vsep/H) at T: the tie-break when the minimum is at t = 0 (a pair already inside and
   * diverging), which no manoeuvre can change. Euclidean so a vertical gain counts even where the
   * horizontal term dominates s.
   */
  endSep: number;
}

/** Simulates both drones following their manoeuvres (null = keep flying as now) from t = 0. */
export function simulateFollow(
  g: PairGeometry,
  manA: ManoeuvreName | null,
  manB: ManoeuvreName | null,
  p: Pick<ConflictParams, "radiusM" | "heightM" | "lookaheadS">,
  rates: ManoeuvreRates = DEFAULT_RATES,
): FollowResult {
  const dt = ADVISORY_SIM_STEP_S;
  const steps = Math.max(1, Math.ceil(p.lookaheadS / dt));
  const a = startState(0, 0, 0, g.aVe, g.aVn, g.aVu);
  const b = startState(g.relE, g.relN, g.relU, g.bVe, g.bVn, g.bVu);
  let minSep = sep(a, b, p.radiusM, p.heightM);
  let tMin = 0;
  let s: number;
  for (let i = 1; i <= steps; i++) {
    const h = i === steps ? p.lookaheadS - (steps - 1) * dt : dt;
    step(a, manA, h, rates);
    step(b, manB, h, rates);
    s = sep(a, b, p.radiusM, p.heightM);
    if (s < minSep) {
      minSep = s;
      tMin = i === steps ? p.lookaheadS : i * dt;
    }
  }
  const endSep = Math.hypot(Math.hypot(b.e - a.e, b.n - a.n) / p.radiusM, (b.u - a.u) / p.heightM);
  return { minSep, tMinS: tMin, endSep };
}

/**
 * The couple for a conflicting pair, [for a, for b]. Canonicalised on drone id, so both orders of the
 * pair, and both home regions of a cross-border pair, compute the same couple. Preference: head-on in
 * the same level band → both turn right; otherwise the higher drone climbs and the lower descends (equal
 * altitudes: the smaller id climbs). The preferred couple is kept when following it ends the conflict;
 * otherwise every couple is simulated and the one with the largest separation at closest approach wins.
 */
export function chooseAdvisories(
  idA: string,
  idB: string,
  g: PairGeometry,
  p: Pick<ConflictParams, "radiusM" | "heightM" | "lookaheadS">,
  rates: ManoeuvreRates = DEFAULT_RATES,
): [ManoeuvreName, ManoeuvreName] {
  if (idA > idB) {
    const [mb, ma] = chooseAdvisories(idB, idA, swap(g), p, rates);
    return [ma, mb];
  }
  // From here a has the smaller id.
  const vertical: [ManoeuvreName, ManoeuvreName] = g.relU > 0 ? ["descend", "climb"] : ["climb", "descend"];
  const reversed: [ManoeuvreName, ManoeuvreName] = [vertical[1], vertical[0]];
  const headOn = isHeadOn(g) && Math.abs(g.relU) < p.heightM;
  const couples: [ManoeuvreName, ManoeuvreName][] = headOn
    ? [["turn_right", "turn_right"], vertical, reversed, ["turn_left", "turn_left"], ["hold", "hold"]]
    : [vertical, ["turn_right", "turn_right"], reversed, ["turn_left", "turn_left"], ["hold", "hold"]];
  const base = simulateFollow(g, null, null, p, rates);
  const first = simulateFollow(g, couples[0]![0], couples[0]![1], p, rates);
  if (first.minSep >= 1 && better(first, base)) return couples[0]!;
  let best = couples[0]!;
  let bestR = first;
  for (let i = 1; i < couples.length; i++) {
    const r = simulateFollow(g, couples[i]![0], couples[i]![1], p, rates);
    if (better(r, bestR)) {
      best = couples[i]!;
      bestR = r;
    }
  }
  return best;
}

/** Lexicographic: larger minimum separation, then larger separation at T; ties keep the earlier couple. */
function better(x: FollowResult, y: FollowResult): boolean {
  const eps = 1e-9;
  if (x.minSep > y.minSep + eps) return true;
  if (x.minSep < y.minSep - eps) return false;
  return x.endSep > y.endSep + eps;
}

function isHeadOn(g: PairGeometry): boolean {
  const sa = Math.hypot(g.aVe, g.aVn);
  const sb = Math.hypot(g.bVe, g.bVn);
  if (sa < 0.5 || sb < 0.5) return false;
  const cos = (g.aVe * g.bVe + g.aVn * g.bVn) / (sa * sb);
  const closing = g.relE * (g.bVe - g.aVe) + g.relN * (g.bVn - g.aVn) < 0;
  return closing && cos < Math.cos(ADVISORY_HEAD_ON_DEG * (Math.PI / 180));
}

function swap(g: PairGeometry): PairGeometry {
  return {
    relE: -g.relE,
    relN: -g.relN,
    relU: -g.relU,
    aVe: g.bVe,
    aVn: g.bVn,
    aVu: g.bVu,
    bVe: g.aVe,
    bVn: g.aVn,
    bVu: g.aVu,
  };
}

interface SimState {
  e: number;
  n: number;
  u: number;
  speed: number;
  /** Track, radians clockwise from north. */
  track: number;
  vu: number;
  vu0: number;
}

function startState(e: number, n: number, u: number, ve: number, vn: number, vu: number): SimState {
  return { e, n, u, speed: Math.hypot(ve, vn), track: Math.atan2(ve, vn), vu, vu0: vu };
}

/** One explicit step: the manoeuvre changes velocity, then the drone moves with the mean velocity. */
function step(s: SimState, m: ManoeuvreName | null, h: number, rates: ManoeuvreRates): void {
  const ve0 = s.speed * Math.sin(s.track);
  const vn0 = s.speed * Math.cos(s.track);
  const vu0 = s.vu;
  if (m === "turn_right") s.track += rates.turnRateDps * (Math.PI / 180) * h;
  else if (m === "turn_left") s.track -= rates.turnRateDps * (Math.PI / 180) * h;
  else if (m === "hold") s.speed = Math.max(0, s.speed - ADVISORY_HOLD_DECEL_MPS2 * h);
  else if (m === "climb" || m === "descend") {
    // The advised rate, and at least that much more than the drone was already doing that way (TCAS's
    // "increase climb"): a drone already climbing fast still gains separation by following a climb.
    const r = rates.climbRateMps;
    const target = m === "climb" ? Math.max(s.vu0 + r, r) : Math.min(s.vu0 - r, -r);
    const dv = ADVISORY_VERTICAL_ACCEL_MPS2 * h;
    s.vu = s.vu < target ? Math.min(target, s.vu + dv) : Math.max(target, s.vu - dv);
  }
  const ve1 = s.speed * Math.sin(s.track);
  const vn1 = s.speed * Math.cos(s.track);
  s.e += 0.5 * (ve0 + ve1) * h;
  s.n += 0.5 * (vn0 + vn1) * h;
  s.u += 0.5 * (vu0 + s.vu) * h;
}

function sep(a: SimState, b: SimState, R: number, H: number): number {
  const hs = Math.hypot(b.e - a.e, b.n - a.n) / R;
  const vs = Math.abs(b.u - a.u) / H;
  return hs > vs ? hs : vs;
}
