/**
 * Edge-side alert latency in the lone-region bench, as the product defines it (docs/protocol.md
 * "Edge-side latency": the gateway taking in the report that starts an encounter → the gateway session
 * sending that encounter's first alert to each drone). The feeder is the gateway here, so a sample is the
 * feeder's receipt of the alert less the alert's edge_received_ms (replies.ts). Split by when the
 * encounter started: before or after the shed level settled (first reached the highest level of the
 * run), so the climb's transient and the steady state are both shown, never one hiding the other.
 */
import { percentile } from "../stats.js";

/** One edge-side sample: when its encounter started (seconds after the run's start), its latency, whether a staged pair's. */
export interface AlertSample {
  startedS: number;
  latencyMs: number;
  staged: boolean;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface AlertLatency {
  all: LatencySummary;
  /** Encounters started before / from the settle time (0 when the level never rose: then all are "after"). */
  before: LatencySummary;
  after: LatencySummary;
  /** The staged pairs' samples alone (both drones of each), whole run. */
  staged: LatencySummary;
  /** Seconds after the run's start the split is at. */
  settledS: number;
}

export function summarize(latencies: readonly number[]): LatencySummary {
  return {
    count: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.reduce((m, x) => Math.max(m, x), Number.NEGATIVE_INFINITY),
  };
}

/** When the shed level first reached the run's highest level, seconds after `t0Ms`; 0 when it never rose. */
export function settledAfterS(levels: readonly { atMs: number; level: number }[], t0Ms: number): number {
  const top = levels.reduce((m, l) => Math.max(m, l.level), 0);
  if (top === 0) return 0;
  const first = levels.find((l) => l.level === top)!;
  return Math.max(0, (first.atMs - t0Ms) / 1000);
}

/** A run's samples split at `settledS` (seconds after the start). */
export function alertLatency(samples: readonly AlertSample[], settledS: number): AlertLatency {
  const lat = (xs: readonly AlertSample[]) => summarize(xs.map((a) => a.latencyMs));
  return {
    all: lat(samples),
    before: lat(samples.filter((a) => a.startedS < settledS)),
    after: lat(samples.filter((a) => a.startedS >= settledS)),
    staged: lat(samples.filter((a) => a.staged)),
    settledS,
  };
}

export function describeLatency(s: LatencySummary): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : "-");
  return `${f(s.p50)}/${f(s.p99)}/${f(s.max)} ms (${s.count})`;
}
