/**
 * Scenario 5's figures, the safety-aware stretch (STRETCH_MAX_MS) on against off in the same run: scenario
 * 2's fleet rerun with it on (messages, alert latency, misses), then the isolated/dense message workload.
 */
import type { Collected, Profile } from "../../bench.js";
import type { SocketsResult } from "../drone-sockets.js";
import type { StretchCount } from "../messages.js";
import { encounters, LATENCY_ROWS, latencyTarget, pooledLatency, runLatency } from "./alert-latency.js";
import { type FigureRow, med, medianRatio, runsOf } from "./row.js";

const perThousand = (r: SocketsResult) => (1000 * r.regionBatches) / Math.max(1, r.accepted);

function stretchSocketsFigures(c: Collected, p: Profile): FigureRow[] {
  const st = c.stretch.sockets;
  // Its baseline: scenario 2's runs of the same fleet size (stretch off).
  const base = c.sockets[p.stretch.sockets] ?? [];
  if (st.length === 0 || base.length === 0) return [];
  const label = `${p.stretch.sockets} sockets, STRETCH_MAX_MS=${p.stretch.stretchMaxMs}`;
  const out: FigureRow[] = [
    {
      key: "stretch.sockets.messages",
      figure: `${label}: messages into regions per 1,000 accepted points (scenario 2's fleet)`,
      value: med(st, perThousand),
      unit: "",
      baseline: med(base, perThousand),
      baselineLabel: "stretch off",
      ratio: medianRatio(st, base, perThousand, () => base[0]!),
      target: "",
      met: null,
      runs: runsOf(st, perThousand),
    },
  ];
  for (const row of LATENCY_ROWS) {
    const value = pooledLatency(st, row.k, row.q);
    const baseline = pooledLatency(base, row.k, row.q);
    out.push({
      key: `stretch.sockets.${row.k}P${row.q}`,
      figure: `${label}: alert latency p${row.q}, ${row.what(encounters(st, row.k))}`,
      value,
      unit: "ms",
      baseline,
      baselineLabel: "stretch off",
      ratio: value / baseline,
      ...latencyTarget(row, value),
      runs: runsOf(st, runLatency(row.k, row.q)),
    });
  }
  const missed = st.reduce((s, r) => s + r.near.missed + r.far.missed, 0);
  const truthDue = st.reduce((s, r) => s + r.truth.due, 0);
  const truthAlerted = st.reduce((s, r) => s + r.truth.alerted, 0);
  out.push({
    key: "stretch.sockets.missed",
    figure: `${label}: encounters with no alert on both drones within 3 s, plus FleetSim conflicts not alerted`,
    value: missed + (truthDue - truthAlerted),
    unit: "",
    baseline: base.reduce((s, r) => s + r.near.missed + r.far.missed + r.truth.due - r.truth.alerted, 0),
    baselineLabel: "stretch off",
    ratio: null,
    target: "0",
    met: missed + (truthDue - truthAlerted) === 0,
    note: `scripted misses ${missed}; FleetSim conflicts alerted ${truthAlerted}/${truthDue}; ${st.filter((r) => r.dataLoss).length} run(s) with loss`,
  });
  return out;
}

function stretchMessagesFigures(c: Collected, p: Profile): FigureRow[] {
  const { on, off } = c.stretch;
  if (on.length === 0 || off.length === 0) return [];
  const s0 = on[0]!;
  const row = (key: string, what: string, f: (m: StretchCount) => number): FigureRow => ({
    key: `stretch.messages.${key}`,
    figure: `stretch workload, ${what}: messages per 1,000 accepted points, STRETCH_MAX_MS=${p.stretch.stretchMaxMs}`,
    value: med(on, f),
    unit: "",
    baseline: med(off, f),
    baselineLabel: "stretch off",
    ratio: medianRatio(on, off, f, (m) => m),
    target: "",
    met: null,
    runs: runsOf(on, f),
  });
  return [
    row(
      "all",
      `${p.stretch.drones} sockets (${s0.isolatedDrones} isolated + ${p.stretch.drones - s0.isolatedDrones} in a 4 km disc)`,
      (m) => m.all.perThousandAccepted,
    ),
    row("isolated", `the ${s0.isolatedDrones} isolated drones (${(s0.spacingM / 1000).toFixed(1)} km apart)`, (m) => m.isolated.perThousandAccepted),
    row("dense", `the ${p.stretch.drones - s0.isolatedDrones} drones in the disc`, (m) => m.dense.perThousandAccepted),
  ];
}

export function stretchFigures(c: Collected, p: Profile): FigureRow[] {
  return [...stretchSocketsFigures(c, p), ...stretchMessagesFigures(c, p)];
}
