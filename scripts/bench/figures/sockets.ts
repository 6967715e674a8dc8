/** Scenario 2's figures, per fleet size: alert latency, the load generator's own lag, zero loss, CPU per point. */
import type { Collected, Profile } from "../../bench.js";
import { EDGE_ROWS, encounters, LATENCY_ROWS, latencyTarget, pooledEdge, pooledLatency, regionEdgeLatency, runLatency } from "./alert-latency.js";
import { type FigureRow, med, runsOf } from "./row.js";
import { percentile } from "../stats.js";

export function socketsFigures(c: Collected, p: Profile): FigureRow[] {
  const out: FigureRow[] = [];
  for (const n of p.sockets.sizes) {
    const rs = c.sockets[n] ?? [];
    if (rs.length === 0) continue;
    const edge = regionEdgeLatency(rs);
    for (const q of [50, 99] as const) {
      out.push({
        key: `sockets${n}.edgeP${q}`,
        figure: `${n} sockets: edge-side alert latency p${q}, the regions' own (${edge.samples} alerts, every encounter)`,
        value: q === 50 ? edge.p50 : edge.p99,
        unit: "ms",
        baseline: null,
        target: "",
        met: null,
        runs: runsOf(rs, (r) => regionEdgeLatency([r])[q === 50 ? "p50" : "p99"]),
      });
    }
    for (const row of EDGE_ROWS) {
      const value = pooledEdge(rs, row.k, row.q);
      out.push({
        key: `sockets${n}.edge.${row.k}P${row.q}`,
        figure: `${n} sockets: edge-side alert latency p${row.q}, ${row.what(rs.reduce((s, r) => s + r.edge[row.k].length, 0))}`,
        value,
        unit: "ms",
        baseline: null,
        ...latencyTarget(row, value),
        runs: runsOf(rs, (r) => percentile(r.edge[row.k], row.q)),
      });
    }
    for (const row of LATENCY_ROWS) {
      const value = pooledLatency(rs, row.k, row.q);
      out.push({
        key: `sockets${n}.${row.k}P${row.q}`,
        figure: `${n} sockets: client-measured alert latency p${row.q}, ${row.what(encounters(rs, row.k))}`,
        value,
        unit: "ms",
        baseline: null,
        ...latencyTarget(row, value),
        runs: runsOf(rs, runLatency(row.k, row.q)),
      });
    }
    out.push({
      key: `sockets${n}.loadGenLag`,
      figure: `${n} sockets: the load generator's own event-loop delay, p99 (part of every latency above)`,
      value: med(rs, (r) => r.loadGenLoopDelayP99Ms),
      unit: "ms",
      baseline: null,
      target: "",
      met: null,
      runs: runsOf(rs, (r) => r.loadGenLoopDelayP99Ms),
    });
    const missed = rs.reduce((s, r) => s + r.near.missed + r.far.missed, 0);
    const lost = rs.reduce((s, r) => s + (r.dataLoss ? 1 : 0), 0);
    const sustained = rs.every((r) => r.connected === r.drones && r.reconnects === 0 && !r.dataLoss) && pooledLatency(rs, "far", 50) <= 100 && missed === 0;
    out.push({
      key: `sockets${n}.sustained`,
      figure: `${n} sockets at 10 Hz: connected at the end, zero loss, no missed alert, p50 ≤ 100 ms`,
      value: med(rs, (r) => r.connected),
      unit: "sockets",
      baseline: null,
      target: n >= 1000 ? "1,000 sustained" : "zero loss",
      met: n >= 1000 ? sustained : lost === 0,
      note: `${lost} run(s) with loss, ${missed} missed encounter alerts, truth conflicts alerted ${rs.reduce((s, r) => s + r.truth.alerted, 0)}/${rs.reduce((s, r) => s + r.truth.due, 0)}`,
    });
    out.push({
      key: `sockets${n}.cpuUsPerPoint`,
      figure: `${n} sockets: workerd CPU per accepted point`,
      value: med(rs, (r) => r.cpuUsPerPoint),
      unit: "µs",
      baseline: null,
      target: "",
      met: null,
    });
  }
  return out;
}
