/**
 * Scenario 4's Node micro-benchmarks: the region core against a naive all-pairs one, the region's batch
 * intake via hubs against a relay's, each gateway stage against a naive baseline.
 */
import type { Collected } from "../../bench.js";
import { check } from "../stats.js";
import { type FigureRow, med } from "./row.js";

function regionCoreFigures(c: Collected): FigureRow[] {
  const rc = c.regionCore;
  if (rc.length === 0) return [];
  const drones = rc[0]!.drones.toLocaleString("en-US");
  const usPerPoint = med(rc, (r) => r.usPerPoint);
  const tickMs = med(rc, (r) => r.tickMeanMs);
  const bytesPerDrone = med(rc, (r) => r.typedBytesPerDrone);
  return [
    {
      key: "core.regionUsPerPoint",
      figure: `region core: cost per point, ${drones} drones, conflicts on`,
      value: usPerPoint,
      unit: "µs",
      baseline: med(rc, (r) => r.naiveUsPerPoint),
      baselineLabel: "naive all-pairs",
      target: "≤ 2 µs",
      met: check(usPerPoint, "<=", 2),
    },
    {
      key: "core.regionTickMs",
      figure: `region core: per-second tick, ${drones} drones`,
      value: tickMs,
      unit: "ms",
      baseline: med(rc, (r) => r.naiveTickMs),
      baselineLabel: "naive all-pairs sweep",
      target: "≤ 10 ms",
      met: check(tickMs, "<=", 10),
    },
    {
      key: "core.regionBytesPerDrone",
      figure: "region core: typed-array bytes per drone",
      value: bytesPerDrone,
      unit: "B",
      baseline: null,
      target: "≤ 256 B",
      met: check(bytesPerDrone, "<=", 256),
    },
  ];
}

function intakeFigures(c: Collected): FigureRow[] {
  const it = c.intake;
  if (it.length === 0) return [];
  return [
    {
      key: "core.intakeHubsUsPerPoint",
      figure: `region batch intake: ${it[0]!.drones} drones' one-point batches via ${it[0]!.hubs} hubs, per point (JavaScript, Node)`,
      value: med(it, (r) => r.hubsUsPerPoint),
      unit: "µs",
      baseline: med(it, (r) => r.relayUsPerPoint),
      baselineLabel: "the same drones on one relay link",
      // The bound (within 2× of the relay) is on the region object's whole CPU: scenario 7.
      target: "",
      met: null,
    },
  ];
}

function stageFigures(c: Collected): FigureRow[] {
  // Every run measures the same stages in the same order: the first run names them.
  return (c.stages[0] ?? []).map((s, i) => ({
    key: `core.stage.${s.stage.split(" ")[0]}`,
    figure: `gateway stage: ${s.stage}`,
    value: med(c.stages, (x) => x[i]!.nsPerPoint),
    unit: "ns/pt",
    baseline: med(c.stages, (x) => x[i]!.baselineNsPerPoint),
    baselineLabel: s.baseline,
    target: "",
    met: null,
  }));
}

export function microFigures(c: Collected): FigureRow[] {
  return [...regionCoreFigures(c), ...intakeFigures(c), ...stageFigures(c)];
}
