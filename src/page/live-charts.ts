/**
 * Live charts of a region's one-second metrics over the last 10 minutes (uPlot): points per second
 * accepted and dropped by reason (deduped, rate-limited, rejected, lost upstream, shed), drones and conflicts, processing delay p50/p99, edge-side alert
 * latency p50/p99, mean battery.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { chartRow, RollingSeries } from "./rolling-series.js";

interface ChartSpec {
  title: string;
  series: { key: string; label: string; colour: string }[];
  /** Draw each value as a dot too: for sparse series (most seconds start no encounter). */
  dots?: boolean;
}

const CHARTS: ChartSpec[] = [
  {
    title: "points / s",
    series: [
      { key: "accepted", label: "accepted", colour: "#3fb950" },
      { key: "deduped", label: "deduped", colour: "#8b949e" },
      { key: "rateLimited", label: "rate-limited", colour: "#d29922" },
      { key: "rejected", label: "rejected", colour: "#f85149" },
      { key: "droppedOverflow", label: "lost upstream", colour: "#a371f7" },
      { key: "shed", label: "shed (overload)", colour: "#db61a2" },
    ],
  },
  {
    title: "drones and conflicts",
    series: [
      { key: "active", label: "active drones", colour: "#58a6ff" },
      { key: "conflictsCaution", label: "caution", colour: "#d29922" },
      { key: "conflictsWarning", label: "warning", colour: "#f85149" },
    ],
  },
  {
    title: "processing delay, ms",
    series: [
      { key: "delayP50Ms", label: "p50", colour: "#3fb950" },
      { key: "delayP99Ms", label: "p99", colour: "#f85149" },
    ],
  },
  {
    title: "edge-side alert latency, ms",
    dots: true,
    series: [
      { key: "alertLatencyP50Ms", label: "p50", colour: "#3fb950" },
      { key: "alertLatencyP99Ms", label: "p99", colour: "#f85149" },
    ],
  },
  { title: "mean battery, %", series: [{ key: "batteryMeanPct", label: "battery", colour: "#a371f7" }] },
];

export class LiveCharts {
  private readonly plots: { plot: uPlot; series: RollingSeries }[] = [];

  constructor(private readonly host: HTMLElement) {
    for (const spec of CHARTS) {
      const series = new RollingSeries(spec.series.map((s) => s.key));
      const box = document.createElement("div");
      box.className = "chart";
      host.append(box);
      const plot = new uPlot(
        {
          title: spec.title,
          width: 360,
          height: 150,
          series: [
            {},
            ...spec.series.map((s) => ({
              label: s.label,
              stroke: s.colour,
              width: 1.5,
              spanGaps: false,
              ...(spec.dots ? { points: { show: true, fill: s.colour } } : {}),
            })),
          ],
          axes: [
            { stroke: "#8b949e", grid: { stroke: "#21262d" } },
            { stroke: "#8b949e", grid: { stroke: "#21262d" }, size: 50 },
          ],
          scales: { x: { time: true } },
          legend: { live: false },
        },
        series.data(),
        box,
      );
      this.plots.push({ plot, series });
    }
  }

  /** Adds one metrics row (unix ms, the row's fields); rows not newer than the last are ignored. */
  add(tsMs: number, metrics: Readonly<Record<string, number | null>>): void {
    const row = chartRow(metrics);
    let changed = false;
    for (const p of this.plots) if (p.series.push(tsMs / 1000, row)) changed = true;
    if (!changed) return;
    for (const p of this.plots) p.plot.setData(p.series.data());
    this.host.dataset.points = String(this.plots[0]?.series.xs.length ?? 0);
  }
}
