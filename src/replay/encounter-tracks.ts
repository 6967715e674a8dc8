/**
 * Continuous tracks from labelled encounters, for runtime tests and the benchmark: each pair flies straight at 10 Hz from
 * 3 s before its labelled instant to 5 s after it, the pair's midpoint on a region border, so the two
 * drones start in different regions and, in some pairs, one crosses into the other's region. The
 * truth is the analytic open cylinder evaluated at every report time over its look-ahead, as the
 * scoring tool in the team's shared data does; pairs whose answer moves under centimetre-sized
 * perturbations (wire rounding) or that are in conflict for under 1 s of reports are left unscored.
 */
import { enuOffset, fromEnu, velocityFromTrack } from "../geo/enu.js";
import type { TelemetryPoint } from "../wire/point.js";

export interface EncounterState {
  lat: number;
  lon: number;
  alt_m: number;
  speed_mps: number;
  track_deg: number;
  vs_mps: number;
}
export interface Encounter {
  id: number;
  own: EncounterState;
  intr: EncounterState;
  R: number;
  H: number;
  T: number;
}

export interface TrackPair {
  ids: [string, string];
  /** True: in conflict for ≥ 1 s of reports, both drones must be alerted; false: no alert at all; null: either. */
  conflict: boolean | null;
  /** The first report time (s after the first report) whose look-ahead sees the conflict; NaN when none does. */
  firstSeenS: number;
}

const STEP_S = 0.1;
const FROM_S = -3;
const TO_S = 5;
/** Report times relative to the labelled instant: -3.0, -2.9, … 5.0. */
export const REPORT_TIMES_S: readonly number[] = Array.from({ length: Math.round((TO_S - FROM_S) / STEP_S) + 1 }, (_, k) => +(FROM_S + k * STEP_S).toFixed(1));

type Vec = [number, number, number];

/** Entry time into the open cylinder over [0, T] at constant relative velocity, or null. */
function cylinderEntry(r: Vec, v: Vec, R: number, H: number, T: number): number | null {
  let lo = 0;
  let hi = T;
  const a = v[0] * v[0] + v[1] * v[1];
  const b = 2 * (r[0] * v[0] + r[1] * v[1]);
  const c = r[0] * r[0] + r[1] * r[1] - R * R;
  if (a < 1e-12) {
    if (c >= 0) return null;
  } else {
    const d = b * b - 4 * a * c;
    if (d <= 0) return null;
    const s = Math.sqrt(d);
    lo = Math.max(lo, (-b - s) / (2 * a));
    hi = Math.min(hi, (-b + s) / (2 * a));
  }
  if (Math.abs(v[2]) < 1e-12) {
    if (Math.abs(r[2]) >= H) return null;
  } else {
    const t1 = (-H - r[2]) / v[2];
    const t2 = (H - r[2]) / v[2];
    lo = Math.max(lo, Math.min(t1, t2));
    hi = Math.min(hi, Math.max(t1, t2));
  }
  return lo < hi ? lo : null;
}

function velocity(s: EncounterState): Vec {
  const { ve, vn } = velocityFromTrack(s.speed_mps, s.track_deg);
  return [ve, vn, s.vs_mps];
}

/** Report times (of REPORT_TIMES_S) whose look-ahead sees a conflict, with the relative state perturbed by dr, dv; `first` gets the earliest index. */
function conflictTimes(e: Encounter, dr: Vec = [0, 0, 0], dv: Vec = [0, 0, 0], first?: { index: number }): number {
  const [de, dn] = enuOffset(e.own.lat, e.own.lon, e.intr.lat, e.intr.lon);
  const vo = velocity(e.own);
  const vi = velocity(e.intr);
  const v: Vec = [vi[0] - vo[0] + dv[0], vi[1] - vo[1] + dv[1], vi[2] - vo[2] + dv[2]];
  const r0: Vec = [de + dr[0], dn + dr[1], e.intr.alt_m - e.own.alt_m + dr[2]];
  let n = 0;
  REPORT_TIMES_S.forEach((t, i) => {
    if (cylinderEntry([r0[0] + v[0] * t, r0[1] + v[1] * t, r0[2] + v[2] * t], v, e.R, e.H, e.T) === null) return;
    if (n++ === 0 && first) first.index = i;
  });
  return n;
}

function truth(e: Encounter): { conflict: boolean | null; firstSeenS: number } {
  const first = { index: -1 };
  const n = conflictTimes(e, [0, 0, 0], [0, 0, 0], first);
  const firstSeenS = first.index < 0 ? Number.NaN : first.index * STEP_S;
  const s = [-1, 0, 1];
  for (const a of s)
    for (const b of s)
      for (const c of s)
        for (const d of s) {
          if (conflictTimes(e, [0.02 * d, -0.02 * d, 0.02 * d], [0.03 * a, 0.03 * b, 0.03 * c]) > 0 !== n > 0) return { conflict: null, firstSeenS };
        }
  return { conflict: n === 0 ? false : n >= 10 ? true : null, firstSeenS };
}

/** A geohash-4 meridian border (8.0859375° E, a cell edge: 535 columns of 0.3515625° from -180°), as the team's tracks tool uses. */
export const BORDER_LON = 535 * 0.3515625 - 180;

export interface TrackLayout {
  pairs: TrackPair[];
  /** One list of points per report time (10 Hz), stamped `startMs + (t - FROM_S) s`. */
  frames(startMs: number): TelemetryPoint[][];
}

/**
 * Lays `encounters` out along the meridian `borderLon`, one pair every `spacingDeg` of latitude from
 * `lat0` (far enough apart that pairs cannot interact), ids `${prefix}${id}a` (own) and `…b`.
 */
export function layoutTracks(encounters: readonly Encounter[], borderLon: number, lat0: number, spacingDeg: number, prefix: string): TrackLayout {
  const placed = encounters.map((e, i) => {
    const [de, dn] = enuOffset(e.own.lat, e.own.lon, e.intr.lat, e.intr.lon);
    const own0 = fromEnu(lat0 + i * spacingDeg, borderLon, -de / 2, -dn / 2);
    return { e, de, dn, own0, vo: velocity(e.own), vi: velocity(e.intr), ids: [`${prefix}${e.id}a`, `${prefix}${e.id}b`] as [string, string] };
  });
  return {
    pairs: placed.map((p) => ({ ids: p.ids, ...truth(p.e) })),
    frames(startMs) {
      return REPORT_TIMES_S.map((t) => {
        const timeMs = startMs + Math.round((t - FROM_S) * 1000);
        return placed.flatMap(({ e, de, dn, own0, vo, vi, ids }) => {
          const a = fromEnu(own0.lat, own0.lon, vo[0] * t, vo[1] * t);
          const b = fromEnu(own0.lat, own0.lon, de + vi[0] * t, dn + vi[1] * t);
          const point = (droneId: string, lat: number, lon: number, altM: number, v: Vec): TelemetryPoint => ({
            droneId,
            timeMs,
            lat,
            lon,
            altM,
            ve: v[0],
            vn: v[1],
            vu: v[2],
            battery: 80,
            seq: -1,
          });
          return [point(ids[0], a.lat, a.lon, e.own.alt_m + vo[2] * t, vo), point(ids[1], b.lat, b.lon, e.intr.alt_m + vi[2] * t, vi)];
        });
      });
    },
  };
}

/** An alert as a client saw it: for whom, about whom, the level, when it arrived and what it was computed for. */
export interface ReceivedAlert {
  droneId: string;
  otherId: string;
  level: "caution" | "warning" | "clear" | "traffic_lost";
  recvMs: number;
  computedForMs: number;
}

export interface TrackScore {
  /** Pairs in conflict for ≥ 1 s of reports, those alerted on both drones, on one, on none. */
  conflicts: number;
  both: number;
  oneSided: string[];
  missed: string[];
  /** Quiet pairs (no conflict at any report time) and those alerted anyway. */
  quiet: number;
  falseAlerts: string[];
  /** Conflicts first seen within `earlyS` of the first report, and those not alerted on both drones. */
  early: number;
  earlyMissed: number;
  /** Per conflicting drone, its first alert's arrival minus the measurement time it was computed for, ms: first seen early, and later. */
  earlyLatencyMs: number[];
  laterLatencyMs: number[];
}

/**
 * Scores alerts against the layout's truth, as the shared scoring tool does: every conflict alerted on
 * both drones, no quiet pair alerted at all. `startMs` is the first report's time, `earlyS` the span
 * after it whose conflicts and latencies are reported apart (a cold start's transient).
 */
export function scoreTracks(pairs: readonly TrackPair[], alerts: readonly ReceivedAlert[], startMs: number, earlyS = 5): TrackScore {
  const first = new Map<string, ReceivedAlert>();
  for (const a of alerts) {
    if (a.level === "clear") continue;
    const key = `${a.droneId}>${a.otherId}`;
    const prev = first.get(key);
    if (!prev || a.recvMs < prev.recvMs) first.set(key, a);
  }
  const s: TrackScore = {
    conflicts: 0,
    both: 0,
    oneSided: [],
    missed: [],
    quiet: 0,
    falseAlerts: [],
    early: 0,
    earlyMissed: 0,
    earlyLatencyMs: [],
    laterLatencyMs: [],
  };
  for (const p of pairs) {
    const [a, b] = p.ids;
    const ab = first.get(`${a}>${b}`);
    const ba = first.get(`${b}>${a}`);
    if (p.conflict === false) {
      s.quiet++;
      if (ab || ba) s.falseAlerts.push(`${a}/${b}`);
      continue;
    }
    if (p.conflict !== true) continue;
    s.conflicts++;
    const isEarly = p.firstSeenS < earlyS;
    if (isEarly) s.early++;
    if (ab && ba) s.both++;
    else {
      (ab || ba ? s.oneSided : s.missed).push(`${a}/${b}`);
      if (isEarly) s.earlyMissed++;
    }
    for (const x of [ab, ba]) if (x) (x.computedForMs - startMs < earlyS * 1000 ? s.earlyLatencyMs : s.laterLatencyMs).push(x.recvMs - x.computedForMs);
  }
  return s;
}
