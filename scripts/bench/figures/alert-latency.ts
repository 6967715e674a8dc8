/**
 * The four alert-latency figures of a drone-sockets run (scenario 2, and the stretch's rerun of it):
 * near and far pairs, p50 and p99, each percentile over every encounter of every run.
 */
import type { SocketsResult } from "../drone-sockets.js";
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
