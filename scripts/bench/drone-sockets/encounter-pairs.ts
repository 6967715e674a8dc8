/**
 * Scenario 2's scripted encounter pairs, whose alert latency is measured exactly: two drones cruise in
 * parallel, either 25 m apart (within 2R: under proximity flush) or 150 m apart (not under it), and
 * every few seconds one report turns drone A towards B. Latency = from sending that report to the
 * moment both drones hold the pair's first alert.
 */
import type { DroneClient } from "../../../src/client/drone.js";
import type { AlertMessage } from "../../../src/client/messages.js";
import type { ClientPoint } from "../../../src/client/wire.js";
import { fromEnu } from "../../../src/geo/enu.js";

export type PairKind = "near" | "far";

/** Every drone of the scenario reports at this rate. */
export const HZ = 10;
/** Encounter period per pair and how long A keeps heading at B, ms. */
const PERIOD_MS = 4000;
const TURN_MS = 500;
const RING_M = 6000;
const CRUISE_MPS = 10;

interface Pair {
  kind: PairKind;
  a: DroneClient;
  b: DroneClient;
  e0: number;
  n0: number;
  offsetM: number;
  closureMps: number;
  phaseMs: number;
  nextReportMs: number;
  seq: number;
  /** Current trigger: send time and when each side got its alert (performance.now()). */
  trigger: { at: number; aAt: number; bAt: number } | null;
  lastTriggerK: number;
}

export interface PairsOptions {
  /** Near and far pairs alternate: pairsPerKind of each. */
  pairsPerKind: number;
  idPrefix: string;
  /** Encounters start after the warm-up, ms. */
  warmupMs: number;
  /** The point every pair's ring is laid around. */
  center: { lat: number; lon: number };
  /** Sees every point a pair sends (the scenario's region and halo bookkeeping). */
  track: (p: ClientPoint) => void;
  /** Log every alert slower than 100 ms, with when it happened. */
  verbose?: boolean;
  log: (line: string) => void;
}

export class EncounterPairs {
  /** Per-pair latency (both drones alerted), ms, by kind. */
  readonly samples: Record<PairKind, number[]> = { near: [], far: [] };
  /**
   * Edge-side latency per drone alerted, by kind, as this client sees it: arrival here − the alert's
   * edge_received_ms. The region's own figure (exact, every encounter pooled) stops at the gateway's
   * send; this one adds the last loopback hop and this process's event-loop lag, so it can only be higher.
   */
  readonly edgeSamples: Record<PairKind, number[]>;
  /** Triggers with no alert on both within 3 s. */
  readonly missed: Record<PairKind, number> = { near: 0, far: 0 };
  private startUnix = 0;
  private startPerf = 0;

  private constructor(
    private readonly pairs: Pair[],
    private readonly o: PairsOptions,
    edgeSamples: Record<PairKind, number[]>,
  ) {
    this.edgeSamples = edgeSamples;
  }

  /** The pairs on a ring around the center, their clients made by `newClient` (A, then B, pair after pair). */
  static async create(o: PairsOptions, newClient: (id: string) => Promise<DroneClient>): Promise<EncounterPairs> {
    const pairs: Pair[] = [];
    const edgeSamples: Record<PairKind, number[]> = { near: [], far: [] };
    for (let k = 0; k < 2 * o.pairsPerKind; k++) {
      const kind = k % 2 === 0 ? "near" : "far";
      const th = (2 * Math.PI * k) / (2 * o.pairsPerKind);
      const aId = `${o.idPrefix}p${k}a`;
      const bId = `${o.idPrefix}p${k}b`;
      const pair: Pair = {
        kind,
        a: await newClient(aId),
        b: await newClient(bId),
        e0: RING_M * Math.cos(th),
        n0: RING_M * Math.sin(th) - 500,
        offsetM: kind === "near" ? 25 : 150,
        // Entry in (25 - 15) / 12 ≈ 0.8 s (warning) or (150 - 15) / 50 ≈ 2.7 s (caution): both within T = 5 s.
        closureMps: kind === "near" ? 12 : 50,
        phaseMs: o.warmupMs + ((k * 397) % (PERIOD_MS - 1000)),
        nextReportMs: 0,
        seq: 0,
        trigger: null,
        lastTriggerK: -1,
      };
      const onAlert = (side: "a" | "b") => (al: AlertMessage) => {
        const t = performance.now();
        const tr = pair.trigger;
        if (!tr || al.level === "clear" || al.otherId !== (side === "a" ? bId : aId)) return;
        if (al.edgeReceivedMs > 0) edgeSamples[kind].push(performance.timeOrigin + t - al.edgeReceivedMs);
        if (side === "a" && !tr.aAt) tr.aAt = t;
        if (side === "b" && !tr.bAt) tr.bAt = t;
      };
      pair.a.on("alert", onAlert("a"));
      pair.b.on("alert", onAlert("b"));
      pairs.push(pair);
    }
    return new EncounterPairs(pairs, o, edgeSamples);
  }

  /** t = 0 of the pairs' reports: Unix ms, and performance.now() at the same moment. */
  start(startUnix: number, startPerf: number): void {
    this.startUnix = startUnix;
    this.startPerf = startPerf;
  }

  /** Settles each pair's trigger, then sends its reports due by `simMs` into the run; returns how many it sent. */
  tick(simMs: number): number {
    const { center } = this.o;
    let sent = 0;
    for (const p of this.pairs) {
      this.settle(p, performance.now());
      while (p.nextReportMs <= simMs) {
        const t = p.nextReportMs;
        p.nextReportMs += 1000 / HZ;
        const k = Math.floor((t - p.phaseMs) / PERIOD_MS);
        const inTurn = t >= p.phaseMs && t - p.phaseMs - k * PERIOD_MS < TURN_MS;
        const nB = p.n0 + (CRUISE_MPS * t) / 1000;
        const base = { timeMs: this.startUnix + t, altM: 95, vn: CRUISE_MPS, vu: 0, battery: 90, seq: p.seq++ };
        const posA = fromEnu(center.lat, center.lon, p.e0 + p.offsetM, nB);
        const posB = fromEnu(center.lat, center.lon, p.e0, nB);
        const ptA: ClientPoint = { ...base, ...posA, ve: inTurn ? -p.closureMps : 0 };
        const ptB: ClientPoint = { ...base, ...posB, ve: 0 };
        this.o.track(ptA);
        this.o.track(ptB);
        // The turning report: timed from just before it is handed to the socket.
        const turning = inTurn && k !== p.lastTriggerK && p.trigger === null;
        if (turning) {
          p.lastTriggerK = k;
          p.trigger = { at: performance.now(), aAt: 0, bAt: 0 };
        }
        p.a.send(ptA);
        p.a.flush();
        p.b.send(ptB);
        p.b.flush();
        sent += 2;
      }
    }
    return sent;
  }

  /** Whether a trigger still waits for its alerts. */
  get pending(): boolean {
    return this.pairs.some((p) => p.trigger !== null);
  }

  /** Settles every pair's trigger that has its alerts, or has waited 3 s for them. */
  settleAll(now: number): void {
    for (const p of this.pairs) this.settle(p, now);
  }

  /** Counts every trigger still waiting as missed (the run is over). */
  giveUp(): void {
    for (const p of this.pairs) if (p.trigger) this.missed[p.kind]++;
  }

  private settle(p: Pair, now: number): void {
    const tr = p.trigger;
    if (!tr) return;
    if (tr.aAt && tr.bAt) {
      const ms = Math.max(tr.aAt, tr.bAt) - tr.at;
      this.samples[p.kind].push(ms);
      if (this.o.verbose && ms > 100)
        this.o.log(
          `  slow alert: ${p.kind} pair at t=${((tr.at - this.startPerf) / 1000).toFixed(1)} s took ${ms.toFixed(0)} ms (a ${(tr.aAt - tr.at).toFixed(0)}, b ${(tr.bAt - tr.at).toFixed(0)})`,
        );
    } else if (now - tr.at > 3000) this.missed[p.kind]++;
    else return; // still waiting
    p.trigger = null;
  }
}
