/**
 * The fleet simulator core: N drones flying delivery missions over a city, some on converging paths
 * (recorded as ground truth), some hovering for long stretches, some losing their link for a few
 * seconds. `step(dtMs)` advances time and returns the reports due; no sockets, no wall clock.
 */
import { fromEnu } from "../geo/enu.js";
import type { ClientPoint } from "../client/wire.js";
import { FlightPlan, type FlightState } from "./flight-plan.js";
import { DEFAULT_MISSION, planConvergingPair, planDelivery, randomInDisc, type MissionParams, type PlannedConflict } from "./missions.js";
import { Rng } from "./prng.js";

export interface FleetOptions {
  /** Number of drones. Default: 100 */
  drones?: number;
  /** Reports per second per drone. Default: 10 */
  hz?: number;
  /** Fraction of drones flown in converging pairs. Default: 0.02 */
  conflicts?: number;
  /** Fraction of (non-converging) drones that hover for minutes at their drop-off. Default: 0.05 */
  longHover?: number;
  /** Fraction of (non-converging) drones whose link drops now and then for 2-8 s. Default: 0.05 */
  linkDrops?: number;
  seed?: number;
  /** Centre of the city area, degrees. Default: 48.8566, 2.3522 */
  center?: { lat: number; lon: number };
  /** Ground elevation above mean sea level, m (reports are AMSL). Default: 35 */
  groundAltM?: number;
  /** Unix ms of sim time 0. Default: 1_700_000_000_000 (fixed, for determinism; scripts pass Date.now()) */
  startTimeMs?: number;
  /** Window (sim ms) in which planned conflicts start. Default: [8000, 50000] */
  conflictWindowMs?: [number, number];
  /** The conflict contract the truth is computed against. Default: R 15 m, H 5 m, T 5 s */
  contract?: { radiusM: number; heightM: number; lookaheadS: number };
  /** GPS noise, m (1σ, horizontal and vertical). Default: 0.3 */
  gpsNoiseM?: number;
  /** Drone ids are `${idPrefix}${index padded to 4}`. Default: "d" */
  idPrefix?: string;
  mission?: Partial<MissionParams>;
}

/** A ground-truth conflict with Unix times, as written to --truth files. */
export interface TruthConflict extends PlannedConflict {
  meetTimeMs: number;
  conflictStartTimeMs: number;
  alertFromTimeMs: number;
}

export interface StepResult {
  /** Sim time after the step, ms. */
  simMs: number;
  /** Reports measured during the step, in time order. */
  points: SimPoint[];
  /** Links that went down or came back during the step. */
  links: { droneId: string; up: boolean }[];
}

export type SimPoint = ClientPoint & { droneId: string };

interface Drone {
  id: string;
  plan: FlightPlan;
  mission: Rng;
  noise: Rng;
  link: Rng;
  longHover: boolean;
  converging: boolean;
  nextReportMs: number;
  seq: number;
  linkUp: boolean;
  /** Next link drop: [start, end) sim ms; Infinity when this drone never drops. */
  dropStart: number;
  dropEnd: number;
}

/** How far ahead of the current time flight plans are kept extended, ms. */
const PLAN_HORIZON_MS = 60_000;

export class FleetSim {
  readonly truth: TruthConflict[] = [];
  readonly ids: string[];
  private readonly drones: Drone[] = [];
  private readonly mission: MissionParams;
  private readonly intervalMs: number;
  private readonly noiseM: number;
  private readonly center: { lat: number; lon: number };
  private readonly groundAltM: number;
  private readonly startTimeMs: number;
  private simMs = 0;
  private readonly scratch: FlightState = { phase: "ground", e: 0, n: 0, u: 0, ve: 0, vn: 0, vu: 0, battery: 0 };

  constructor(opts: FleetOptions = {}) {
    const n = opts.drones ?? 100;
    const seed = opts.seed ?? 1;
    this.mission = { ...DEFAULT_MISSION, ...opts.mission };
    this.intervalMs = 1000 / (opts.hz ?? 10);
    this.noiseM = opts.gpsNoiseM ?? 0.3;
    this.center = opts.center ?? { lat: 48.8566, lon: 2.3522 };
    this.groundAltM = opts.groundAltM ?? 35;
    this.startTimeMs = opts.startTimeMs ?? 1_700_000_000_000;
    const contract = opts.contract ?? { radiusM: 15, heightM: 5, lookaheadS: 5 };
    const window = opts.conflictWindowMs ?? [8000, 50_000];
    const prefix = opts.idPrefix ?? "d";
    this.ids = Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, "0")}`);

    const fleet = new Rng(seed, 0x7fff_ffff);
    const order = fleet.shuffle(Array.from({ length: n }, (_, i) => i));
    const pairs = Math.min(Math.floor(n / 2), Math.round((n * (opts.conflicts ?? 0.02)) / 2));
    const converging = new Set(order.slice(0, 2 * pairs));

    for (let i = 0; i < n; i++) {
      const mission = new Rng(seed, i, 1);
      const link = new Rng(seed, i, 3);
      const conv = converging.has(i);
      const longHover = !conv && mission.chance(opts.longHover ?? 0.05);
      const drops = !conv && link.chance(opts.linkDrops ?? 0.05);
      const plan = new FlightPlan(0, 0, 0, 0, mission.range(40, 100));
      const d: Drone = {
        id: this.ids[i]!,
        plan,
        mission,
        noise: new Rng(seed, i, 2),
        link,
        longHover,
        converging: conv,
        nextReportMs: mission.range(0, this.intervalMs),
        seq: 0,
        linkUp: true,
        dropStart: drops ? link.range(3000, 30_000) : Infinity,
        dropEnd: Infinity,
      };
      if (drops) d.dropEnd = d.dropStart + link.range(2000, 8000);
      if (!conv) {
        // Start mid-history so the fleet is spread over every phase at t = 0, not all on the ground.
        const home = randomInDisc(mission, this.mission.areaRadiusM);
        plan.t = -Math.round(mission.range(0, 400_000));
        plan.e = home.e;
        plan.n = home.n;
        plan.hold("ground", mission.range(0, 20_000));
      }
      this.drones.push(d);
    }
    for (let k = 0; k < pairs; k++) {
      const a = this.drones[order[2 * k]!]!;
      const b = this.drones[order[2 * k + 1]!]!;
      const meetMs = Math.round(fleet.range(window[0], Math.max(window[0], window[1])));
      // Cruising from t = 0 with enough lead for a look-ahead of T plus a few reports.
      const c = planConvergingPair(a.plan, b.plan, fleet, this.mission, 0, meetMs, contract);
      this.truth.push({
        a: a.id,
        b: b.id,
        ...c,
        meetTimeMs: this.startTimeMs + c.meetMs,
        conflictStartTimeMs: this.startTimeMs + c.conflictStartMs,
        alertFromTimeMs: this.startTimeMs + c.alertFromMs,
      });
    }
    for (const d of this.drones) this.extend(d, 0);
  }

  /** Current sim time, ms since start; and the Unix time it maps to. */
  get timeMs(): number {
    return this.simMs;
  }
  get unixMs(): number {
    return this.startTimeMs + this.simMs;
  }

  /** Advances by `dtMs` and returns the reports measured in (t, t + dtMs]. */
  step(dtMs: number): StepResult {
    const end = this.simMs + dtMs;
    const points: SimPoint[] = [];
    const links: { droneId: string; up: boolean }[] = [];
    for (const d of this.drones) {
      this.extend(d, end);
      while (d.nextReportMs <= end) {
        const t = d.nextReportMs;
        d.nextReportMs += this.intervalMs;
        this.updateLink(d, t, links);
        const s = d.plan.at(t, this.scratch);
        // On the ground a drone is disarmed and silent; with its link down, its reports are lost.
        if (!s || s.phase === "ground" || !d.linkUp) continue;
        points.push(this.report(d, t, s));
      }
      d.plan.trimBefore(end);
    }
    points.sort((x, y) => x.timeMs - y.timeMs);
    this.simMs = end;
    return { simMs: end, points, links };
  }

  private report(d: Drone, t: number, s: FlightState): SimPoint {
    const nz = this.noiseM;
    const e = s.e + nz * d.noise.normal();
    const n = s.n + nz * d.noise.normal();
    const pos = fromEnu(this.center.lat, this.center.lon, e, n);
    return {
      droneId: d.id,
      timeMs: this.startTimeMs + Math.round(t),
      lat: pos.lat,
      lon: pos.lon,
      altM: this.groundAltM + s.u + nz * d.noise.normal(),
      vn: s.vn + 0.1 * nz * d.noise.normal(),
      ve: s.ve + 0.1 * nz * d.noise.normal(),
      vu: s.vu,
      battery: Math.round(s.battery),
      seq: d.seq++,
    };
  }

  private updateLink(d: Drone, t: number, links: { droneId: string; up: boolean }[]): void {
    if (d.linkUp && t >= d.dropStart) {
      d.linkUp = false;
      links.push({ droneId: d.id, up: false });
    }
    if (!d.linkUp && t >= d.dropEnd) {
      d.linkUp = true;
      links.push({ droneId: d.id, up: true });
      // Next outage 20-60 s later, from the drone's own link stream (independent of call order).
      d.dropStart = d.dropEnd + d.link.range(20_000, 60_000);
      d.dropEnd = d.dropStart + d.link.range(2000, 8000);
    }
  }

  /** Keeps the plan extended past `t` with further delivery missions. */
  private extend(d: Drone, t: number): void {
    while (d.plan.t < t + PLAN_HORIZON_MS) planDelivery(d.plan, d.mission, this.mission, d.longHover);
  }
}
