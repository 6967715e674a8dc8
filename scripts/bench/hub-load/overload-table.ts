/**
 * The summary of region-hub-load.ts --overload: the same fleet with shedding off and on, side by side.
 * Alert latency is split at the same instant in both runs, where the shedding run's level settled (first
 * reached its highest level), so "after" compares the same seconds of the two runs.
 */
import { alertLatency, describeLatency } from "./alert-latency.js";
import type { LoadResult } from "./run.js";

export function overloadTable(off: LoadResult, on: LoadResult): string[] {
  const f = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : "-");
  const settle = on.alertLatency.settledS;
  const lOff = alertLatency(off.alerts, settle);
  const lOn = on.alertLatency;
  const row = (name: string, a: string, b: string) => `${name.padEnd(52)}${a.padStart(24)}   ${b.padStart(24)}`;
  const staged = (r: LoadResult) =>
    `${r.stagedShed.closing}+${r.stagedShed.parting}/${r.stagedShed.conflict}/${r.stagedShed.far} (≤ ${r.stagedShed.maxPerDrone})`;
  return [
    "",
    row("overload", "shedding off", "shedding on"),
    row("edge-side alert latency p50/p99/max (samples):", "", ""),
    row("  whole run", describeLatency(lOff.all), describeLatency(lOn.all)),
    row(`  encounters started before ${f(settle, 1)} s (level climbing)`, describeLatency(lOff.before), describeLatency(lOn.before)),
    row(`  encounters started from ${f(settle, 1)} s (level settled)`, describeLatency(lOff.after), describeLatency(lOn.after)),
    row("  staged pairs only, whole run", describeLatency(lOff.staged), describeLatency(lOn.staged)),
    row("shed level course (level@s)", levels(off), levels(on)),
    row("staged drones' reports shed near/conflict/far", staged(off), staged(on)),
    row("report age p99 per second, median / worst, ms", `${f(off.ageP99Median)}/${f(off.ageP99Max)}`, `${f(on.ageP99Median)}/${f(on.ageP99Max)}`),
    row("reports held back (shed)", String(off.shed), String(on.shed)),
    row("backlog max, s / drained after, ms", `${f(off.maxBacklogS, 2)}/${off.drainMs}`, `${f(on.maxBacklogS, 2)}/${on.drainMs}`),
    row("workerd RSS warm / mid-run / peak / end, MiB", rss(off), rss(on)),
    row("staged pairs alerted on both drones", `${off.pairsAlerted}/${off.pairs}`, `${on.pairsAlerted}/${on.pairs}`),
    row("lost (sent and not applied)", String(off.lost), String(on.lost)),
    row("feeder's event-loop delay p99 / max, ms", `${f(off.feederLoopP99Ms)}/${f(off.feederLoopMaxMs)}`, `${f(on.feederLoopP99Ms)}/${f(on.feederLoopMaxMs)}`),
    row("load average (1 min) at the end", f(off.loadAvg, 2), f(on.loadAvg, 2)),
    "",
    ...courseTable(off, on),
    `staged encounters start at ${on.pairStartsS.map((s) => f(s, 1)).join(", ")} s; near: within 2R of the partner, before + after meeting; conflict: up to 5.5 s before meeting; far: before that`,
  ];
}

/**
 * Second by second: what the region applied, its live batches' wait p90 (the gauge's input) and its shed
 * level (its own metrics rows), and the worst edge-side latency of the encounters that started in that second.
 */
function courseTable(off: LoadResult, on: LoadResult): string[] {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : "-");
  const worst = (r: LoadResult, s: number) =>
    r.alerts.filter((a) => Math.floor(a.startedS) === s).reduce((m, a) => Math.max(m, a.latencyMs), Number.NEGATIVE_INFINITY);
  const at = (r: LoadResult, s: number) => r.seconds.find((x) => Math.round(x.atS) === s);
  const last = Math.max(...off.seconds.map((x) => Math.round(x.atS)), ...on.seconds.map((x) => Math.round(x.atS)), 0);
  const lines = ["second  | off: applied  wait p90  worst alert | on: applied  wait p90  level  worst alert   (region rows; ms)"];
  for (let s = 1; s <= last; s++) {
    const a = at(off, s);
    const b = at(on, s);
    lines.push(
      `${String(s).padStart(6)}  | ${f(a?.applied ?? Number.NaN).padStart(12)} ${f(a?.waitP90Ms ?? Number.NaN).padStart(9)} ${f(worst(off, s - 1)).padStart(12)} | ${f(b?.applied ?? Number.NaN).padStart(11)} ${f(b?.waitP90Ms ?? Number.NaN).padStart(9)} ${String(b?.shedLevel ?? "-").padStart(6)} ${f(worst(on, s - 1)).padStart(12)}`,
    );
  }
  return lines;
}

function levels(r: LoadResult): string {
  return r.shedLevels.length === 0 ? "none" : r.shedLevels.map((l) => `${l.level}@${l.atS.toFixed(1)}`).join(" ");
}

function rss(r: LoadResult): string {
  return `${r.rssWarmMiB.toFixed(0)}/${r.rssMidMiB.toFixed(0)}/${r.rssPeakMiB.toFixed(0)}/${r.rssEndMiB.toFixed(0)}`;
}
