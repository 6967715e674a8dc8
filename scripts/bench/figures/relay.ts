/** Scenario 1's figures: the relay's highest sustained rate with zero loss, against the bare transport. */
import type { Collected, Profile } from "../../bench.js";
import { type FigureRow, med, runsOf } from "./row.js";

export function relayFigures(c: Collected, p: Profile): FigureRow[] {
  if (c.throughput.length === 0) return [];
  const full = med(c.throughput, (t) => t.full.best);
  const bare = med(c.throughput, (t) => t.bare.best);
  const ratio = med(c.throughput, (t) => (t.bare.best > 0 ? t.full.best / t.bare.best : NaN));
  return [
    {
      key: "relay.maxPointsPerS",
      figure: `relay: max sustained points/s, zero loss (${p.throughput.relays} sockets, ${p.throughput.framePoints}-pt frames)`,
      value: full,
      unit: "pts/s",
      baseline: bare,
      baselineLabel: "bare transport",
      ratio,
      target: "≥ 200,000; ≥ 0.5 × bare",
      met: full >= 200_000 && ratio >= 0.5,
      runs: runsOf(c.throughput, (t) => t.full.best),
    },
    {
      key: "relay.cpuUsPerPoint",
      figure: "relay: workerd CPU per point at that rate",
      value: med(c.throughput, (t) => t.full.bestProbe?.cpuUsPerPoint ?? NaN),
      unit: "µs",
      baseline: med(c.throughput, (t) => t.bare.bestProbe?.cpuUsPerPoint ?? NaN),
      baselineLabel: "bare",
      target: "",
      met: null,
    },
  ];
}
