/**
 * Scenario 1 alone (relay throughput of the full pipeline, no bare baseline), for iterating:
 *   npx tsx scripts/bench/relay-only.ts [--runs 1] [--probe-ms 1500] [--seed 1]
 */
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { commandLineOrExit, numberFlag } from "../lib/cli.mjs";
import { Edge } from "./edge.js";
import { RelayLoad, runRelayThroughput, throughputVars } from "./relay-throughput.js";
import { buildSnapshot } from "../lib/snapshot.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const args = commandLineOrExit(process.argv.slice(2), {
  name: "relay-only",
  usage: "usage: npx tsx scripts/bench/relay-only.ts [--runs 1] [--probe-ms 1500] [--seed 1]",
  options: { runs: { type: "string" }, "probe-ms": { type: "string" }, seed: { type: "string" } },
} as const);
const seed = numberFlag(args, "seed", 1);
const drones = 10_000;
const secret = randomBytes(24).toString("hex");
const snap = buildSnapshot(ROOT, "relay-only");
const edge = await Edge.start({ root: ROOT, config: snap.config, vars: throughputVars(drones), secret, label: "relay" });
try {
  const load = new RelayLoad({ drones, framePoints: 500, relays: 4, seed });
  const o = {
    drones,
    relays: 4,
    framePoints: 500,
    probeMs: numberFlag(args, "probe-ms", 1500),
    startRate: 100_000,
    maxRate: 1_600_000,
    refine: 1,
    maxProbes: 5,
    seed,
    log: (l: string) => process.stderr.write(`${l}\n`),
  };
  for (let r = 0; r < numberFlag(args, "runs", 1); r++) {
    const t = await runRelayThroughput(edge, secret, o, load);
    process.stderr.write(`run ${r + 1}: best ${t.best} pts/s\n`);
  }
} finally {
  await edge.stop();
  snap.remove();
}
