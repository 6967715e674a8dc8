/**
 * The per-pair arithmetic of the conflict search, reading the drone table's arrays (and their cached
 * sin/cos) instead of building two objects per pair: a cheap horizontal filter in the region's plane,
 * then the contract's prediction. A test holds `predictPair` equal to conflicts.ts `predict`.
 */
import { enuOffsetTrig } from "../geo/enu.js";
import { type ConflictParams, type Prediction, predictRelative } from "./conflicts.js";
import type { DroneTable } from "./drone-table.js";
import { PLANE_RADIUS_PAD, type SpatialGrid } from "./grid.js";

const enu = new Float64Array(2);

/**
 * The horizontal closest approach over [0, T] in the region's plane, before any trigonometry: most
 * candidates of a dense cluster pass well clear. The plane's metres are the tangent plane's to within
 * PLANE_RADIUS_PAD (its north is true north, its east scale off by under 1 % across a region), so
 * the miss is padded by 1 % of the distance plus 1 m: a pair this rejects cannot come within R.
 * (xa, ya): a's position in the plane; d2: the squared plane distance of the pair.
 */
export function mayMeet(f: DroneTable, grid: SpatialGrid, params: ConflictParams, a: number, b: number, xa: number, ya: number, d2: number): boolean {
  const ta = f.timeMs[a]!;
  const tb = f.timeMs[b]!;
  const tRef = ta > tb ? ta : tb;
  const dtA = (tRef - ta) / 1000;
  const dtB = (tRef - tb) / 1000;
  const vx = f.ve[b]! - f.ve[a]!;
  const vy = f.vn[b]! - f.vn[a]!;
  const px = grid.x[b]! - xa + f.ve[b]! * dtB - f.ve[a]! * dtA;
  const py = grid.y[b]! - ya + f.vn[b]! * dtB - f.vn[a]! * dtA;
  const vv = vx * vx + vy * vy;
  let t = vv > 0 ? -(px * vx + py * vy) / vv : 0;
  const T = params.lookaheadS;
  if (t < 0) t = 0;
  else if (t > T) t = T;
  const cx = px + vx * t;
  const cy = py + vy * t;
  const miss = params.radiusM + (PLANE_RADIUS_PAD - 1) * (Math.sqrt(d2) + Math.sqrt(vv) * (T + dtA + dtB)) + 1;
  return cx * cx + cy * cy < miss * miss;
}

/** conflicts.ts `predict(a, b)`, step for step, into `out` (reused: no allocation per pair). */
export function predictPair(f: DroneTable, params: ConflictParams, a: number, b: number, out: Prediction): Prediction {
  const ta = f.timeMs[a]!;
  const tb = f.timeMs[b]!;
  const tRef = ta > tb ? ta : tb;
  const dtA = (tRef - ta) / 1000;
  const dtB = (tRef - tb) / 1000;
  enuOffsetTrig(f.sinLat[a]!, f.cosLat[a]!, f.lon[a]!, f.sinLat[b]!, f.cosLat[b]!, f.lon[b]!, enu);
  const pe = enu[0]! + f.ve[b]! * dtB - f.ve[a]! * dtA;
  const pn = enu[1]! + f.vn[b]! * dtB - f.vn[a]! * dtA;
  const pu = f.altM[b]! + f.vu[b]! * dtB - (f.altM[a]! + f.vu[a]! * dtA);
  return predictRelative(pe, pn, pu, f.ve[b]! - f.ve[a]!, f.vn[b]! - f.vn[a]!, f.vu[b]! - f.vu[a]!, tRef, params, out);
}
