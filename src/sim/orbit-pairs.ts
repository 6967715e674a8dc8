/**
 * Staged conflicts that last: pairs of drones circling side by side, `gapM` apart (inside the conflict
 * radius) at the same altitude, for as long as the run. Each pair is in conflict at every instant, so
 * both its drones should hold an alert all along, refreshed every second, and never a clear: what a
 * chaos run times after each region restart (src/sim/fault-plan.ts). Pure and deterministic.
 */
import { fromEnu } from "../geo/enu.js";
import type { SimPoint } from "./fleet.js";

export interface OrbitPairsOptions {
  pairs: number;
  /** Centre of the first pair's circle; the others follow `spacingM` to the east. */
  center: { lat: number; lon: number };
  /** Unix ms of time 0. */
  startTimeMs: number;
  /** Reports per second per drone. Default: 10 */
  hz?: number;
  /** Inner circle, m. Default: 150 */
  radiusM?: number;
  /** Speed on the inner circle, m/s (the outer drone keeps abreast, a little faster). Default: 8 */
  speedMps?: number;
  /** Distance between the two drones of a pair, m: under the conflict radius. Default: 8 */
  gapM?: number;
  /** Altitude of both, m above mean sea level. Default: 120 */
  altM?: number;
  /** Between the pairs' centres, m: far enough that pairs never meet. Default: 600 */
  spacingM?: number;
  /** Drone ids are `${idPrefix}${pair}a` and `…b`. Default: "orbit" */
  idPrefix?: string;
}

export class OrbitPairs {
  /** The pairs' drone ids, [inner, outer]. */
  readonly pairs: [string, string][];
  private readonly o: Required<Omit<OrbitPairsOptions, "pairs" | "center" | "startTimeMs">> & Pick<OrbitPairsOptions, "center" | "startTimeMs">;
  private readonly intervalMs: number;
  private nextReportMs = 0;
  private simMs = 0;

  constructor(opts: OrbitPairsOptions) {
    this.o = { hz: 10, radiusM: 150, speedMps: 8, gapM: 8, altM: 120, spacingM: 600, idPrefix: "orbit", ...opts };
    this.intervalMs = 1000 / this.o.hz;
    this.pairs = Array.from({ length: opts.pairs }, (_, k) => [`${this.o.idPrefix}${k}a`, `${this.o.idPrefix}${k}b`]);
  }

  /** Every drone id, pair by pair. */
  get ids(): string[] {
    return this.pairs.flat();
  }

  /** Advances by `dtMs` and returns the reports measured in (t, t + dtMs], in time order. */
  step(dtMs: number): SimPoint[] {
    const end = this.simMs + dtMs;
    const out: SimPoint[] = [];
    for (; this.nextReportMs <= end; this.nextReportMs += this.intervalMs) {
      const t = this.nextReportMs;
      for (let k = 0; k < this.pairs.length; k++) {
        out.push(this.report(k, 0, t), this.report(k, 1, t));
      }
    }
    this.simMs = end;
    return out;
  }

  private report(pair: number, side: 0 | 1, t: number): SimPoint {
    const { radiusM, gapM, speedMps, spacingM, altM, center } = this.o;
    const omega = speedMps / radiusM;
    // Pairs start at different angles so their refreshes do not all fall on the same instant.
    const th = omega * (t / 1000) + pair * 1.3;
    const r = radiusM + side * gapM;
    const pos = fromEnu(center.lat, center.lon, pair * spacingM + r * Math.cos(th), r * Math.sin(th));
    return {
      droneId: this.pairs[pair]![side],
      timeMs: this.o.startTimeMs + Math.round(t),
      lat: pos.lat,
      lon: pos.lon,
      altM,
      // Counter-clockwise: the tangent of (cos θ, sin θ) is (−sin θ, cos θ), times ω r.
      ve: -omega * r * Math.sin(th),
      vn: omega * r * Math.cos(th),
      vu: 0,
      battery: 90,
    };
  }
}
