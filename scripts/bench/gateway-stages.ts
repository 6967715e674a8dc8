/**
 * Seeded benchmark of the gateway's pure stages: cost per point (ns) of the rate limiter, dedupe, region
 * routing + halo, micro-batcher, frame decode and batch codec (gateway-stages/stages.ts), each next to a
 * naive baseline (gateway-stages/baselines.ts) run on the same points (gateway-stages/workload.ts).
 * Run: npx tsx scripts/bench/gateway-stages.ts [points] [seed]
 */
import { runFromBinary, runNaiveBatcher, runNaiveCodec, runNaiveDedupe, runNaiveLimiter, runNaiveRegions } from "./gateway-stages/baselines.js";
import { runBatcher, runCodec, runDedupe, runLimiter, runReader, runRegions } from "./gateway-stages/stages.js";
import { DRONES, HZ, makePoints } from "./gateway-stages/workload.js";
import type { TelemetryPoint } from "../../src/wire/point.js";
import { commandLineOrExit, numberFlag } from "../lib/cli.mjs";

const REPS = 5;

export interface StageFigure {
  stage: string;
  nsPerPoint: number;
  baseline: string;
  baselineNsPerPoint: number;
  /** baseline ÷ ours: how many times cheaper the real stage is. */
  ratio: number;
}

/** Best of REPS runs, ns per point; `run` returns a value that is summed so no work is dead code. */
function time(points: TelemetryPoint[], run: (pts: TelemetryPoint[]) => number): number {
  run(points.slice(0, Math.min(points.length, 20_000))); // warm-up for the JIT
  let best = Infinity;
  let sink = 0;
  for (let r = 0; r < REPS; r++) {
    const t = performance.now();
    sink += run(points);
    best = Math.min(best, performance.now() - t);
  }
  if (sink === -1) console.log(sink);
  return (best * 1e6) / points.length;
}

export async function benchGatewayStages(opts: { points: number; seed: number }): Promise<StageFigure[]> {
  const pts = makePoints(opts.points, opts.seed);
  const rows: [string, (p: TelemetryPoint[]) => number, string, (p: TelemetryPoint[]) => number][] = [
    ["rate limiter (per-drone bucket)", runLimiter, "sliding-window log per drone", runNaiveLimiter],
    ["dedupe", runDedupe, "array of forwarded points, backward scan", runNaiveDedupe],
    ["regions + halo", runRegions, "bisection geohash of 9 offset points", runNaiveRegions],
    ["batcher (+ regionOf)", runBatcher, "one pending array, rescanned per point", runNaiveBatcher],
    ["client frame decode (telemetry reader)", runReader, "protobuf-es fromBinary", runFromBinary],
    ["batch codec encode+decode", runCodec, "JSON.stringify + JSON.parse", runNaiveCodec],
  ];
  const out: StageFigure[] = [];
  for (const [stage, run, baseline, naive] of rows) {
    const ns = time(pts, run);
    const baseNs = time(pts, naive);
    out.push({ stage, nsPerPoint: ns, baseline, baselineNsPerPoint: baseNs, ratio: baseNs / ns });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { points, seed } = commandLineOrExit(process.argv.slice(2), {
    name: "gateway-stages",
    usage:
      "usage: npx tsx scripts/bench/gateway-stages.ts [points] [seed]\n\nCost per point of the gateway's pure stages next to naive baselines (default 200000 points, seed 1).",
    options: {},
    positionals: { min: 0, max: 2 },
    check: (_v, [points, seed]) => ({
      points: numberFlag({ points }, "points", 200_000, { min: 1, integer: true }),
      seed: numberFlag({ seed }, "seed", 1, { integer: true }),
    }),
  });
  const rows = await benchGatewayStages({ points, seed });
  console.log(`gateway stages, ${points} points, ${DRONES} drones at ${HZ} Hz, seed ${seed}, best of ${REPS}`);
  console.log(`${"stage".padEnd(40)}${"ns/pt".padStart(9)}  ${"baseline".padEnd(42)}${"ns/pt".padStart(9)}${"ratio".padStart(8)}`);
  for (const r of rows)
    console.log(
      `${r.stage.padEnd(40)}${r.nsPerPoint.toFixed(0).padStart(9)}  ${r.baseline.padEnd(42)}${r.baselineNsPerPoint.toFixed(0).padStart(9)}${`${r.ratio.toFixed(1)}×`.padStart(8)}`,
    );
}
