/**
 * The lone-region benchmark's drones: a population flying circles inside one region cell (every drone
 * airborne, so N drones at Hz make exactly N × Hz reports a second, at a cost of a few cosines each:
 * the feeder shares two cores with the region it measures), and staged head-on pairs above them, each
 * meeting at a planned time, whose alerts the run must see on both drones.
 */
import { fromEnu } from "../../../src/geo/enu.js";
import { regionBounds } from "../../../src/geo/regions.js";
import { seededRandom } from "../../../src/sim/seeded-random.js";
import { fleetKey } from "../../../src/wire/fleet-key.js";
import type { TelemetryPoint } from "../../../src/wire/point.js";

/** The staged pairs fly here, above the population's 30-120 m: their alerts are theirs alone. */
const PAIR_ALT_M = 150;
const PAIR_SPEED_MPS = 15;
/**
 * The edge's conflict geometry (wrangler.toml CONFLICT_RADIUS_M 15, LOOKAHEAD_S 5): a head-on pair closing
 * at 30 m/s is within 2R (the region's proximity) 1 s either side of meeting, and predicted in conflict
 * from about (R + 30 m/s × 5 s) / 30 m/s = 5.5 s before it.
 */
const RADIUS_M = 15;
const LOOKAHEAD_S = 5;
/** Seconds before meeting that a pair's encounter starts. */
export const PAIR_LEAD_S = LOOKAHEAD_S + RADIUS_M / (2 * PAIR_SPEED_MPS);

export interface StagedPair {
  a: number;
  b: number;
  /** When the two meet, ms after the fleet's start. */
  meetMs: number;
}

export class LoadFleet {
  /** Edge keys (`fleet/id`), as a gateway puts them in batches. */
  readonly keys: string[];
  /** Local ids, as alerts name them. */
  readonly ids: string[];
  readonly pairs: StagedPair[] = [];
  /** Unix ms of the fleet's time 0 (the feeder sets it when it starts sending). */
  startMs: number;
  private readonly lat0: number;
  private readonly lon0: number;
  /** Per drone: circle centre (e, n, m), radius m, angular speed rad/s (signed), phase, altitude; or a pair's line. */
  private readonly ce: Float64Array;
  private readonly cn: Float64Array;
  private readonly r: Float64Array;
  private readonly w: Float64Array;
  private readonly phase: Float64Array;
  private readonly alt: Float64Array;
  /** Pair drones: unit direction (e, n) times speed, and meet time; NaN for the population. */
  private readonly ve: Float64Array;
  private readonly vn: Float64Array;
  private readonly meet: Float64Array;
  private readonly seq: Uint32Array;

  /**
   * `drones` in region cell `region`, `pairs` of them staged head-on, meeting evenly spread over
   * [firstMeetMs, lastMeetMs] after `startMs` (Unix ms of the fleet's time 0).
   */
  constructor(
    region: string,
    drones: number,
    o: { pairs: number; firstMeetMs: number; lastMeetMs: number; seed: number; fleet: string; idPrefix: string; startMs: number },
  ) {
    this.startMs = o.startMs;
    const rnd = seededRandom(o.seed);
    const b = regionBounds(region);
    this.lat0 = (b.south + b.north) / 2;
    this.lon0 = (b.west + b.east) / 2;
    // Half the cell's extent less 1.5 km, so no circle and no pair leaves the cell.
    const halfE = ((b.east - b.west) / 2) * 111_320 * Math.cos((this.lat0 * Math.PI) / 180) - 1500;
    const halfN = ((b.north - b.south) / 2) * 110_540 - 1500;
    this.ids = Array.from({ length: drones }, (_, i) => `${o.idPrefix}${i.toString().padStart(5, "0")}`);
    this.keys = this.ids.map((id) => fleetKey(o.fleet, id));
    const f = () => new Float64Array(drones);
    this.ce = f();
    this.cn = f();
    this.r = f();
    this.w = f();
    this.phase = f();
    this.alt = f();
    this.ve = f().fill(Number.NaN);
    this.vn = f().fill(Number.NaN);
    this.meet = f();
    this.seq = new Uint32Array(drones);
    for (let i = 0; i < drones; i++) {
      const radius = 200 + 1300 * rnd();
      const speed = 3 + 17 * rnd();
      this.r[i] = radius;
      this.ce[i] = (2 * rnd() - 1) * (halfE - radius);
      this.cn[i] = (2 * rnd() - 1) * (halfN - radius);
      this.w[i] = ((rnd() < 0.5 ? -1 : 1) * speed) / radius;
      this.phase[i] = 2 * Math.PI * rnd();
      this.alt[i] = 30 + 90 * rnd();
    }
    const pairs = Math.min(o.pairs, Math.floor(drones / 2));
    // Pairs take every (drones / pairs)-th index, so they spread over links, hubs and report slots.
    const stride = pairs > 0 ? Math.floor(drones / pairs) : 0;
    for (let k = 0; k < pairs; k++) {
      const a = k * stride;
      const bIdx = a + 1;
      const meetMs = pairs === 1 ? o.firstMeetMs : o.firstMeetMs + ((o.lastMeetMs - o.firstMeetMs) * k) / (pairs - 1);
      const th = 2 * Math.PI * rnd();
      const me = (2 * rnd() - 1) * (halfE - 1000);
      const mn = (2 * rnd() - 1) * (halfN - 1000);
      for (const [i, sign] of [
        [a, 1],
        [bIdx, -1],
      ] as const) {
        this.ce[i] = me;
        this.cn[i] = mn;
        this.ve[i] = sign * PAIR_SPEED_MPS * Math.sin(th);
        this.vn[i] = sign * PAIR_SPEED_MPS * Math.cos(th);
        this.meet[i] = meetMs;
        this.alt[i] = PAIR_ALT_M;
      }
      this.pairs.push({ a, b: bIdx, meetMs });
    }
  }

  get size(): number {
    return this.keys.length;
  }

  /**
   * Where staged drone `i` is at Unix ms `timeMs` relative to its partner: within 2R (the region's
   * proximity) before meeting ("closing") or after ("parting"), "conflict" from PAIR_LEAD_S before
   * meeting, "far" otherwise; null for the population.
   */
  pairPhase(i: number, timeMs: number): "closing" | "parting" | "conflict" | "far" | null {
    if (Number.isNaN(this.ve[i]!)) return null;
    const toMeetS = (this.meet[i]! - (timeMs - this.startMs)) / 1000;
    if (2 * PAIR_SPEED_MPS * Math.abs(toMeetS) < 2 * RADIUS_M) return toMeetS >= 0 ? "closing" : "parting";
    return toMeetS > 0 && toMeetS <= PAIR_LEAD_S ? "conflict" : "far";
  }

  /** Drone `i`'s report measured at Unix ms `timeMs`. */
  pointAt(i: number, timeMs: number): TelemetryPoint {
    const t = (timeMs - this.startMs) / 1000;
    let e: number;
    let n: number;
    let ve: number;
    let vn: number;
    if (Number.isNaN(this.ve[i]!)) {
      const a = this.phase[i]! + this.w[i]! * t;
      const r = this.r[i]!;
      e = this.ce[i]! + r * Math.cos(a);
      n = this.cn[i]! + r * Math.sin(a);
      ve = -r * this.w[i]! * Math.sin(a);
      vn = r * this.w[i]! * Math.cos(a);
    } else {
      const dt = t - this.meet[i]! / 1000;
      ve = this.ve[i]!;
      vn = this.vn[i]!;
      e = this.ce[i]! + ve * dt;
      n = this.cn[i]! + vn * dt;
    }
    const { lat, lon } = fromEnu(this.lat0, this.lon0, e, n);
    return { droneId: this.keys[i]!, timeMs, lat, lon, altM: this.alt[i]!, vn, ve, vu: 0, battery: 80, seq: ++this.seq[i]! };
  }
}
