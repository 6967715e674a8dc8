/**
 * The conflict contract, the product's definition of "about to collide": propagate both drones at
 * constant velocity to the newer of their two measurement times, then the pair is in conflict iff some
 * t in [0, T] has horizontal distance < R and |vertical distance| < H (an open cylinder: tangency is
 * not a conflict). Geometry is an east-north-up tangent plane centred on drone `a` (see geo/enu.ts).
 */
import { DEG, enuOffsetTrig } from "../geo/enu.js";

export interface KinematicState {
  /** Measurement time, Unix ms. */
  timeMs: number;
  lat: number;
  lon: number;
  altM: number;
  /** m/s north, east, up. */
  vn: number;
  ve: number;
  vu: number;
}

export interface ConflictParams {
  /** R, metres. */
  radiusM: number;
  /** H, metres (half-height of the cylinder). */
  heightM: number;
  /** T, seconds. */
  lookaheadS: number;
  /** Entry at or before this many seconds makes a `warning`. */
  warningTimeS: number;
}

export type ConflictLevel = "caution" | "warning";

/** What the prediction found for one pair. Reused between calls on hot paths (see `predict`'s `out`). */
export interface Prediction {
  conflict: boolean;
  level: ConflictLevel | null;
  /** Seconds from computedForMs to the first loss of separation (0 if already inside); NaN if none. */
  tEntryS: number;
  /** Seconds to the end of the conflict interval within [0, T]; NaN if none. */
  tExitS: number;
  /** Horizontal closest approach within [0, T]: time (s) and separations (m) at that time. */
  tCpaS: number;
  hsepCpaM: number;
  vsepCpaM: number;
  /** Current (t = 0) horizontal and vertical separation, m. */
  hsepNowM: number;
  vsepNowM: number;
  /** The measurement time both states were propagated to. */
  computedForMs: number;
  /** Relative position (b − a) at t = 0 and relative velocity, in a's tangent plane: for advisories. */
  relE: number;
  relN: number;
  relU: number;
  relVe: number;
  relVn: number;
  relVu: number;
}

export function emptyPrediction(): Prediction {
  return {
    conflict: false,
    level: null,
    tEntryS: NaN,
    tExitS: NaN,
    tCpaS: 0,
    hsepCpaM: NaN,
    vsepCpaM: NaN,
    hsepNowM: NaN,
    vsepNowM: NaN,
    computedForMs: 0,
    relE: 0,
    relN: 0,
    relU: 0,
    relVe: 0,
    relVn: 0,
    relVu: 0,
  };
}

const scratch = new Float64Array(2);

/**
 * Predicts whether `a` and `b` conflict. Writes into and returns `out` (a fresh object when omitted).
 * Staleness is the caller's business: this is pure geometry.
 */
export function predict(a: KinematicState, b: KinematicState, p: ConflictParams, out: Prediction = emptyPrediction()): Prediction {
  const tRef = a.timeMs > b.timeMs ? a.timeMs : b.timeMs;
  const dtA = (tRef - a.timeMs) / 1000;
  const dtB = (tRef - b.timeMs) / 1000;
  const latA = a.lat * DEG;
  const latB = b.lat * DEG;
  enuOffsetTrig(Math.sin(latA), Math.cos(latA), a.lon, Math.sin(latB), Math.cos(latB), b.lon, scratch);
  // Relative state of b with respect to a, both propagated to tRef.
  const pe = scratch[0]! + b.ve * dtB - a.ve * dtA;
  const pn = scratch[1]! + b.vn * dtB - a.vn * dtA;
  const pu = b.altM + b.vu * dtB - (a.altM + a.vu * dtA);
  const ve = b.ve - a.ve;
  const vn = b.vn - a.vn;
  const vu = b.vu - a.vu;
  return predictRelative(pe, pn, pu, ve, vn, vu, tRef, p, out);
}

/** The contract on a relative state already in one tangent plane (metres, m/s). */
export function predictRelative(
  pe: number,
  pn: number,
  pu: number,
  ve: number,
  vn: number,
  vu: number,
  computedForMs: number,
  p: ConflictParams,
  out: Prediction,
): Prediction {
  const R = p.radiusM;
  const H = p.heightM;
  const T = p.lookaheadS;
  out.computedForMs = computedForMs;
  out.relE = pe;
  out.relN = pn;
  out.relU = pu;
  out.relVe = ve;
  out.relVn = vn;
  out.relVu = vu;
  out.hsepNowM = Math.sqrt(pe * pe + pn * pn);
  out.vsepNowM = Math.abs(pu);

  // Horizontal: |p + v t|² < R²  ⇔  a t² + 2 b t + c < 0, an open interval (hLo, hHi).
  const a2 = ve * ve + vn * vn;
  const b2 = pe * ve + pn * vn;
  const c2 = pe * pe + pn * pn - R * R;
  let hLo: number;
  let hHi: number;
  if (a2 === 0) {
    if (c2 < 0) {
      hLo = -Infinity;
      hHi = Infinity;
    } else {
      hLo = Infinity;
      hHi = -Infinity;
    }
  } else {
    const disc = b2 * b2 - a2 * c2;
    if (disc <= 0) {
      hLo = Infinity;
      hHi = -Infinity;
    } else {
      const s = Math.sqrt(disc);
      hLo = (-b2 - s) / a2;
      hHi = (-b2 + s) / a2;
    }
  }

  // Vertical: |pu + vu t| < H, an open interval (vLo, vHi).
  let vLo: number;
  let vHi: number;
  if (vu === 0) {
    if (Math.abs(pu) < H) {
      vLo = -Infinity;
      vHi = Infinity;
    } else {
      vLo = Infinity;
      vHi = -Infinity;
    }
  } else {
    const t1 = (-H - pu) / vu;
    const t2 = (H - pu) / vu;
    vLo = t1 < t2 ? t1 : t2;
    vHi = t1 < t2 ? t2 : t1;
  }

  // Horizontal closest approach within [0, T].
  let tCpa = a2 === 0 ? 0 : -b2 / a2;
  if (tCpa < 0) tCpa = 0;
  else if (tCpa > T) tCpa = T;
  out.tCpaS = tCpa;
  const ce = pe + ve * tCpa;
  const cn = pn + vn * tCpa;
  out.hsepCpaM = Math.sqrt(ce * ce + cn * cn);
  out.vsepCpaM = Math.abs(pu + vu * tCpa);

  // (lo, hi) ∩ [0, T] is non-empty iff lo < hi, hi > 0 and lo < T.
  const lo = hLo > vLo ? hLo : vLo;
  const hi = hHi < vHi ? hHi : vHi;
  if (lo < hi && hi > 0 && lo < T) {
    const entry = lo > 0 ? lo : 0;
    out.conflict = true;
    out.tEntryS = entry;
    out.tExitS = hi < T ? hi : T;
    out.level = entry <= p.warningTimeS ? "warning" : "caution";
  } else {
    out.conflict = false;
    out.tEntryS = NaN;
    out.tExitS = NaN;
    out.level = null;
  }
  return out;
}
