/**
 * Scenario 6's figures: one region object alone in a workerd of its own (no gateway, no hubs running JS
 * beside it), fed as ingest hubs and gateway links would feed it (scripts/bench/region-alone.ts). Its
 * CPU per point is the workerd's /proc CPU over the points it applied: the region's, measured apart.
 */
import type { Collected, Profile } from "../../bench.js";
import type { LoadResult } from "../hub-load/run.js";
import { check } from "../stats.js";
import { type FigureRow, med, medianRatio, runsOf } from "./row.js";

const usPerPoint = (r: LoadResult) => r.regionUsPerPoint;
const perThousand = (r: LoadResult) => (1000 * r.regionMessagesPerS) / Math.max(1, r.sentPerS);
const sound = (r: LoadResult) => r.lost === 0 && r.missing.length === 0 && r.unackedLinks === 0;

export function regionAloneFigures(c: Collected, p: Profile): FigureRow[] {
  const { hubs, relay, direct, full } = c.regionAlone;
  if (hubs.length === 0 || relay.length === 0) return [];
  const a = p.regionAlone;
  const ratio = medianRatio(hubs, relay, usPerPoint, () => relay[0]!);
  const value = med(hubs, usPerPoint);
  const out: FigureRow[] = [
    {
      key: "regionAlone.hubsUsPerPoint",
      figure: `one region alone: its CPU per point, ${a.drones} single-drone links at 10 Hz via ${a.hubs} hubs (workerd /proc, the runtime's work included)`,
      value,
      unit: "µs",
      baseline: med(relay, usPerPoint),
      baselineLabel: `${a.drones} drones on 1 relay link`,
      ratio,
      target: "≤ 10 µs and ≤ 2× the relay's",
      met: value <= 10 && ratio <= 2,
      runs: runsOf(hubs, usPerPoint),
      note: `zero loss and every staged pair alerted: ${[...hubs, ...relay].every(sound) ? "yes" : "NO"}`,
    },
  ];
  if (direct.length > 0) {
    const msgs = med(hubs, perThousand);
    out.push({
      key: "regionAlone.hubsMessagesPer1k",
      figure: `one region alone: messages into it per 1,000 points, ${a.drones} single-drone links via ${a.hubs} hubs (urgent flushes included)`,
      value: msgs,
      unit: "",
      baseline: med(direct, perThousand),
      baselineLabel: "hubs off: every link direct",
      target: "≤ 25",
      met: check(msgs, "<=", 25),
      runs: runsOf(hubs, perThousand),
      note: `region CPU per point with hubs off ${med(direct, usPerPoint).toFixed(1)} µs`,
    });
  }
  if (full.length > 0) {
    const offered = full[0]!.offeredPerS;
    const sent = med(full, (r) => r.sentPerS);
    out.push(
      {
        key: "regionAlone.fullPointsPerS",
        figure: `one region alone, ${a.fullDrones.toLocaleString("en-US")} drones at 10 Hz via ${Math.ceil(a.fullDrones / 100)} hubs: points a second sent and applied`,
        value: sent,
        unit: "pts/s",
        baseline: null,
        target: `${offered.toLocaleString("en-US")}, zero loss, keeping pace, every staged pair alerted on both drones`,
        met: full.every((r) => sound(r) && r.keepingPace && r.sentPerS >= 0.99 * offered),
        runs: runsOf(full, (r) => r.sentPerS),
        note: full
          .map(
            (r) =>
              `${r.applied}/${r.sentPoints} applied, backlog ≤ ${r.maxBacklogS.toFixed(2)} s, pairs ${r.pairsAlerted}/${r.pairs}, shed level ≤ ${r.maxShedLevel}`,
          )
          .join("; "),
      },
      {
        key: "regionAlone.fullUsPerPoint",
        figure: `one region alone, ${a.fullDrones.toLocaleString("en-US")} drones via hubs: its CPU per point (share of a core in note)`,
        value: med(full, usPerPoint),
        unit: "µs",
        baseline: med(hubs, usPerPoint),
        baselineLabel: `${a.drones} drones via ${a.hubs} hubs`,
        target: "≤ 10 µs",
        met: check(med(full, usPerPoint), "<=", 10),
        runs: runsOf(full, usPerPoint),
        note: full.map((r) => `${Math.round(100 * r.regionCoreShare)} % of a core`).join(", "),
      },
    );
  }
  return out;
}
