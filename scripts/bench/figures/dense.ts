/** Scenario 6's figures: dense continuous tracks on cold edges, `copies` of the public encounters against one copy. */
import type { Collected, Profile } from "../../bench.js";
import type { DenseTracksResult } from "../dense-tracks.js";
import { percentile } from "../stats.js";
import { type FigureRow, med, runsOf } from "./row.js";

const both = (d: DenseTracksResult) => d.score.both / Math.max(1, d.score.conflicts);

const latency = (ds: DenseTracksResult[], k: "earlyLatencyMs" | "laterLatencyMs", q: number) =>
  percentile(
    ds.flatMap((d) => d.score[k]),
    q,
  );

export function denseFigures(c: Collected, p: Profile): FigureRow[] {
  const { one, many } = c.dense;
  if (one.length === 0 || many.length === 0) return [];
  const n = p.dense.copies;
  const drones = many[0]!.drones;
  const out: FigureRow[] = [
    {
      key: "dense.bothRatio",
      figure: `dense tracks, ${drones} drones over one relay, cold edge: conflicts alerted to both drones (${many.reduce((x, d) => x + d.score.both, 0)}/${many.reduce((x, d) => x + d.score.conflicts, 0)})`,
      value: med(many, both),
      unit: "",
      baseline: med(one, both),
      baselineLabel: "1 copy",
      target: "1 (every conflict, every run)",
      met: many.every((d) => d.score.both === d.score.conflicts && d.score.falseAlerts.length === 0),
      note: `false alerts ${many.reduce((x, d) => x + d.score.falseAlerts.length, 0)}; no pong (edge > 5 s behind) in ${many.filter((d) => !d.counters).length} run(s); server errors ${JSON.stringify(many.map((d) => d.serverErrors))}`,
      runs: runsOf(many, both),
    },
    {
      key: "dense.earlyMissed",
      figure: `dense tracks, ${n} copies: conflicts first seen in the first 5 s after a cold start, not alerted to both`,
      value: med(many, (d) => d.score.earlyMissed),
      unit: "",
      baseline: med(one, (d) => d.score.earlyMissed),
      baselineLabel: "1 copy",
      ratio: null,
      target: "0",
      met: many.every((d) => d.score.earlyMissed === 0),
      runs: runsOf(many, (d) => d.score.earlyMissed),
    },
  ];
  for (const [k, label] of [
    ["earlyLatencyMs", "first 5 s after a cold start"],
    ["laterLatencyMs", "after the first 5 s"],
  ] as const) {
    for (const q of [50, 99]) {
      out.push({
        key: `dense.${k === "earlyLatencyMs" ? "early" : "later"}P${q}`,
        figure: `dense tracks, ${n} copies: first alert, measurement → client, p${q}, ${label}`,
        value: latency(many, k, q),
        unit: "ms",
        baseline: latency(one, k, q),
        baselineLabel: "1 copy",
        target: "",
        met: null,
      });
    }
  }
  return out;
}
