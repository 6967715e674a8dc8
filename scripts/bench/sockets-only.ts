/**
 * Scenario 2 alone (drone sockets), for iterating on socket latency without the full bench:
 *   npx tsx scripts/bench/sockets-only.ts [--drones 500] [--seconds 15] [--pairs 12] [--seed 1] [--vars K=V,K=V] [--wrangler]
 * Prints the same per-run line as `npm run bench` and the raw result as JSON on stdout.
 */
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { commandLineOrExit, numberFlag } from "../lib/cli.mjs";
import { runDroneSockets } from "./drone-sockets.js";
import { Edge } from "./edge.js";
import { buildSnapshot } from "../lib/snapshot.js";
import { percentile } from "./stats.js";
import { regionEdgeLatency } from "./figures/alert-latency.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const args = commandLineOrExit(process.argv.slice(2), {
  name: "sockets-only",
  usage: "usage: npx tsx scripts/bench/sockets-only.ts [--drones 500] [--seconds 15] [--pairs 12] [--seed 1] [--vars K=V,K=V] [--wrangler]",
  options: {
    drones: { type: "string" },
    seconds: { type: "string" },
    pairs: { type: "string" },
    seed: { type: "string" },
    vars: { type: "string" },
    wrangler: { type: "boolean" },
  },
} as const);
const drones = numberFlag(args, "drones", 500);
const vars = Object.fromEntries(
  String(args.vars ?? "")
    .split(",")
    .filter(Boolean)
    .map((kv: string) => kv.split("=") as [string, string]),
);
const secret = randomBytes(24).toString("hex");
const snap = buildSnapshot(ROOT, "sockets-only");
const edge = await Edge.start({
  root: ROOT,
  config: snap.config,
  vars,
  secret,
  label: `sockets${drones}`,
  runtime: args.wrangler === true ? "wrangler" : "miniflare",
});
try {
  const s = await runDroneSockets(edge, secret, {
    drones,
    pairsPerKind: numberFlag(args, "pairs", 12),
    durationMs: numberFlag(args, "seconds", 15) * 1000,
    seed: numberFlag(args, "seed", 1),
    idPrefix: `so${drones}`,
    verbose: true,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  const f = (x: number) => x.toFixed(1);
  process.stderr.write(
    `${drones} sockets: ${s.accepted} accepted, near p50/p99 ${f(percentile(s.near.samples, 50))}/${f(percentile(s.near.samples, 99))} ms, far ${f(percentile(s.far.samples, 50))}/${f(percentile(s.far.samples, 99))} ms, ${f(s.cpuUsPerPoint)} µs CPU/pt, missed ${s.near.missed + s.far.missed}${s.dataLoss ? `, LOSS: ${s.dataLoss}` : ""}\n`,
  );
  const top = (xs: number[]) =>
    [...xs]
      .sort((a, b) => b - a)
      .slice(0, 8)
      .map((x) => x.toFixed(0))
      .join(" ");
  process.stderr.write(`slowest near: ${top(s.near.samples)} (of ${s.near.samples.length}); slowest far: ${top(s.far.samples)} (of ${s.far.samples.length})\n`);
  const side = regionEdgeLatency([s]);
  process.stderr.write(
    `edge-side alert latency: regions' own p50/p99 ${f(side.p50)}/${f(side.p99)} ms (${side.samples} alerts); per drone at the client near ${f(percentile(s.edge.near, 50))}/${f(percentile(s.edge.near, 99))} ms, far ${f(percentile(s.edge.far, 50))}/${f(percentile(s.edge.far, 99))} ms\n`,
  );
  process.stderr.write(`load generator event-loop delay p99 ${f(s.loadGenLoopDelayP99Ms)} ms, max ${f(s.loadGenLoopDelayMaxMs)} ms\n`);
  console.log(JSON.stringify({ ...s, near: { ...s.near, samples: undefined }, far: { ...s.far, samples: undefined } }));
} finally {
  await edge.stop();
  snap.remove();
}
