/**
 * The alert-latency figures of a drone-sockets run (scenario 2, and the stretch's rerun of it). The
 * headline is edge-side (issue 9: gateway receives the report that starts an encounter → each drone's
 * session sends that alert): the regions' own histogram over every encounter, then the scripted near and
 * far pairs per drone as the client sees them. The client-measured latency (report handed to the socket
 * → both drones hold the alert) keeps its four rows: near and far pairs, p50 and p99.
 */
import type { SocketsResult } from "../drone-sockets.js";
import { DelayHistogram } from "../../../src/detect/metrics.js";
import { addBuckets } from "../region-stats.js";
import { check, percentile } from "../stats.js";

type Kind = "near" | "far";

export interface LatencyRow {
  k: Kind;
  q: 50 | 99;
  /** The figure's text after "alert latency pQ, ". */
  what: (encounters: number) => string;
  /** The target, ms (none: null). */
  bound: number | null;
}

export const LATENCY_ROWS: readonly LatencyRow[] = [
  { k: "near", q: 50, what: (n) => `under proximity flush (${n} encounters)`, bound: null },
  { k: "near", q: 99, what: () => "under proximity flush", bound: 15 },
  { k: "far", q: 50, what: (n) => `50 ms window (${n} encounters)`, bound: null },
  { k: "far", q: 99, what: () => "50 ms window", bound: 60 },
];

/** Pooled over every run's encounters: a run has too few for a p99 of its own. */
export const pooledLatency = (rs: SocketsResult[], k: Kind, q: number) =>
  percentile(
    rs.flatMap((r) => r[k].samples),
    q,
  );

export const encounters = (rs: SocketsResult[], k: Kind) => rs.reduce((s, r) => s + r[k].samples.length, 0);

/** One run's own percentile, for a figure's `runs`. */
export const runLatency = (k: Kind, q: number) => (r: SocketsResult) => percentile(r[k].samples, q);

export const latencyTarget = (row: LatencyRow, value: number) => ({
  target: row.bound === null ? "" : `≤ ${row.bound} ms`,
  met: row.bound === null ? null : check(value, "<=", row.bound),
});

/** The regions' edge-side histogram summed over runs: p50/p99 (bucket upper edge, ≤ 9 % high) and samples. */
export function regionEdgeLatency(rs: SocketsResult[]): { p50: number; p99: number; samples: number } {
  const h = DelayHistogram.of(rs.reduce<number[]>((sum, r) => addBuckets(sum, r.edge.regionBuckets), []));
  return { p50: h.quantile(0.5), p99: h.quantile(0.99), samples: h.total };
}

/** Edge-side, per drone as the client sees it, pooled over runs (the targets: near p99 ≤ 15 ms, window p99 ≤ 60 ms). */
export const EDGE_ROWS: readonly LatencyRow[] = [
  { k: "near", q: 50, what: (n) => `under proximity flush, per drone at the client (${n} alerts)`, bound: null },
  { k: "near", q: 99, what: () => "under proximity flush, per drone at the client", bound: 15 },
  { k: "far", q: 50, what: (n) => `50 ms window, per drone at the client (${n} alerts)`, bound: null },
  { k: "far", q: 99, what: () => "50 ms window, per drone at the client", bound: 60 },
];

export const pooledEdge = (rs: SocketsResult[], k: Kind, q: number) =>
  percentile(
    rs.flatMap((r) => r.edge[k]),
    q,
  );
