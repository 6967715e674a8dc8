/**
 * Ingest hubs on and off, in one run: the 500-socket workload (single-drone sockets at 10 Hz, scripted
 * encounter pairs) against two cold edges, one with the default hub policy and one with hubs kept off
 * (HUB_THRESHOLD_PER_S out of reach). Prints socket messages into the region per 1,000 accepted
 * points, alert latency (client-measured: report sent → both drones alerted) and loss, with the ratio.
 *   npx tsx scripts/bench/hub-messages.ts [--drones 500] [--seconds 12] [--seed 1]
 */
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { commandLineOrExit, numberFlag } from "../lib/cli.mjs";
import { buildSnapshot } from "../lib/snapshot.js";
import { runDroneSockets, type SocketsResult } from "./drone-sockets.js";
import { Edge } from "./edge.js";
import { percentile } from "./stats.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const args = commandLineOrExit(process.argv.slice(2), {
  name: "hub-messages",
  usage: "usage: npx tsx scripts/bench/hub-messages.ts [--drones 500] [--seconds 12] [--seed 1]",
  options: { drones: { type: "string" }, seconds: { type: "string" }, seed: { type: "string" } },
} as const);
const drones = numberFlag(args, "drones", 500);
const seconds = numberFlag(args, "seconds", 12);
const seed = numberFlag(args, "seed", 1);
const log = (l: string) => process.stderr.write(`${l}\n`);

async function run(label: string, vars: Record<string, string | number>): Promise<SocketsResult> {
  const secret = randomBytes(24).toString("hex");
  const snap = buildSnapshot(ROOT, `hubs-${label}`);
  const edge = await Edge.start({ root: ROOT, config: snap.config, vars, secret, label: `hubs-${label}` });
  try {
    return await runDroneSockets(edge, secret, { drones, pairsPerKind: 6, durationMs: seconds * 1000, seed, idPrefix: `${label}-`, log });
  } finally {
    await edge.stop();
    snap.remove();
  }
}

const off = await run("off", { HUB_THRESHOLD_PER_S: 1_000_000 });
const on = await run("on", {});
const row = (r: SocketsResult) => ({
  perK: (1000 * r.regionMessages) / Math.max(1, r.accepted),
  nearP50: percentile(r.near.samples, 50),
  nearP99: percentile(r.near.samples, 99),
  farP50: percentile(r.far.samples, 50),
  farP99: percentile(r.far.samples, 99),
  loss: r.dataLoss ?? "none",
  applied: `${r.regionPoints}/${r.accepted}`,
});
const a = row(off);
const b = row(on);
const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "-");
process.stdout.write(
  [
    `hub messages: ${drones} single-drone sockets at 10 Hz, ${seconds} s measured, seed ${seed}`,
    "                                  hubs off   hubs on   on/off",
    `region messages per 1k points    ${f(a.perK).padStart(8)}  ${f(b.perK).padStart(8)}   ${f(b.perK / a.perK)}`,
    `near pair alert p50 / p99, ms    ${`${f(a.nearP50)}/${f(a.nearP99)}`.padStart(8)}  ${`${f(b.nearP50)}/${f(b.nearP99)}`.padStart(8)}`,
    `far pair alert p50 / p99, ms     ${`${f(a.farP50)}/${f(a.farP99)}`.padStart(8)}  ${`${f(b.farP50)}/${f(b.farP99)}`.padStart(8)}`,
    `applied / accepted               ${a.applied.padStart(8)}  ${b.applied.padStart(8)}`,
    `loss                             ${a.loss.padStart(8)}  ${b.loss.padStart(8)}`,
    "",
  ].join("\n"),
);
process.exit(off.dataLoss || on.dataLoss ? 1 : 0);
