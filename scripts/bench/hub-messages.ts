/**
 * Ingest hubs on and off, in one run: the 500-socket workload (single-drone sockets at 10 Hz, scripted
 * encounter pairs) against two cold edges, one with the default hub policy and one with hubs kept off
 * (HUB_THRESHOLD_PER_S out of reach). Prints socket messages into the region per 1,000 accepted
 * points, alert latency (client-measured: report sent → both drones alerted) and loss, with the ratio.
 * With --profile, each edge's isolate is CPU-profiled during its run and the samples attributed to the
 * region objects, the hubs and the gateway by call-tree root (scripts/bench/tier-profile.ts), and a third
 * edge runs the relay workload (one relay, 500 drones at 10 Hz, the same points a second) for the
 * region's CPU per point under relays: region µs per applied point, each way, and the ratio.
 *   npx tsx scripts/bench/hub-messages.ts [--drones 500] [--seconds 12] [--seed 1] [--profile] [--interval 500]
 */
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { commandLineOrExit, numberFlag } from "../lib/cli.mjs";
import { buildSnapshot, type Snapshot } from "../lib/snapshot.js";
import { runDroneSockets, type SocketsResult } from "./drone-sockets.js";
import { Edge } from "./edge.js";
import { relayMessages } from "./messages/relay.js";
import { percentile } from "./stats.js";
import { snapshotBundle, type TierProfile, withTierProfile } from "./tier-profile.js";
import { regionEdgeLatency } from "./figures/alert-latency.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const USAGE = "usage: npx tsx scripts/bench/hub-messages.ts [--drones 500] [--seconds 12] [--seed 1] [--profile] [--interval 500]";
const args = commandLineOrExit(process.argv.slice(2), {
  name: "hub-messages",
  usage: USAGE,
  options: { drones: { type: "string" }, seconds: { type: "string" }, seed: { type: "string" }, profile: { type: "boolean" }, interval: { type: "string" } },
} as const);
const drones = numberFlag(args, "drones", 500);
const seconds = numberFlag(args, "seconds", 12);
const seed = numberFlag(args, "seed", 1);
const profile = args.profile === true;
const intervalUs = numberFlag(args, "interval", 500);
const log = (l: string) => process.stderr.write(`${l}\n`);

/** Region CPU per applied point from a profile, and the whole workerd's. */
interface RegionCpu {
  regionUs: number;
  hubUs: number;
  gatewayUs: number;
  restUs: number;
  workerdUs: number;
  /** Region share of the samples the three tiers took. */
  regionShare: number;
}

function regionCpu<T>(p: TierProfile<T>, applied: number): RegionCpu {
  const per = (ms: number) => (1000 * ms) / Math.max(1, applied);
  const t = p.tiers.ms;
  return {
    regionUs: per(t.region),
    hubUs: per(t.hub),
    gatewayUs: per(t.gateway),
    restUs: per(t.gc + t.program + t.otherJs),
    workerdUs: p.cpuUs / Math.max(1, applied),
    regionShare: t.region / Math.max(1e-9, t.region + t.hub + t.gateway),
  };
}

async function onEdge<T>(
  label: string,
  vars: Record<string, string | number>,
  body: (edge: Edge, secret: string) => Promise<T>,
): Promise<{ result: T; profile: TierProfile<T> | null }> {
  const secret = randomBytes(24).toString("hex");
  const snap: Snapshot = buildSnapshot(ROOT, `hubs-${label}`);
  const edge = await Edge.start({ root: ROOT, config: snap.config, vars, secret, label: `hubs-${label}`, inspector: profile });
  try {
    if (!profile) return { result: await body(edge, secret), profile: null };
    const p = await withTierProfile(edge, snapshotBundle(snap.dir), intervalUs, () => body(edge, secret));
    return { result: p.result, profile: p };
  } finally {
    await edge.stop();
    snap.remove();
  }
}

const sockets = (label: string) => (edge: Edge, secret: string) =>
  runDroneSockets(edge, secret, { drones, pairsPerKind: 6, durationMs: seconds * 1000, seed, idPrefix: `${label}-`, log });
const offRun = await onEdge("off", { HUB_THRESHOLD_PER_S: 1_000_000 }, sockets("off"));
const onRun = await onEdge("on", {}, sockets("on"));
const off: SocketsResult = offRun.result;
const on: SocketsResult = onRun.result;
const relayRun = profile
  ? await onEdge("relay", {}, (edge, secret) => relayMessages(edge, secret, { drones, durationMs: seconds * 1000, seed, idPrefix: "relay-" }))
  : null;

const row = (r: SocketsResult) => ({
  perK: (1000 * r.regionMessages) / Math.max(1, r.accepted),
  dupPerK: (1000 * r.regionDuplicateBatches) / Math.max(1, r.accepted),
  nearP50: percentile(r.near.samples, 50),
  nearP99: percentile(r.near.samples, 99),
  farP50: percentile(r.far.samples, 50),
  farP99: percentile(r.far.samples, 99),
  loss: r.dataLoss ?? "none",
  applied: `${r.regionPoints}/${r.accepted}`,
  edge: regionEdgeLatency([r]),
  edgeNearP99: percentile(r.edge.near, 99),
  edgeFarP99: percentile(r.edge.far, 99),
});
const a = row(off);
const b = row(on);
const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "-");
const lines = [
  `hub messages: ${drones} single-drone sockets at 10 Hz, ${seconds} s measured, seed ${seed}`,
  "                                  hubs off   hubs on   on/off",
  `region messages per 1k points    ${f(a.perK).padStart(8)}  ${f(b.perK).padStart(8)}   ${f(b.perK / a.perK)}`,
  `  of which resent, dropped        ${f(a.dupPerK).padStart(8)}  ${f(b.dupPerK).padStart(8)}   (batches per 1k points the regions had applied before)`,
  `edge-side alert p50 / p99, ms    ${`${f(a.edge.p50)}/${f(a.edge.p99)}`.padStart(8)}  ${`${f(b.edge.p50)}/${f(b.edge.p99)}`.padStart(8)}   p50 +${f(b.edge.p50 - a.edge.p50)} ms (regions' own, ${a.edge.samples}/${b.edge.samples} alerts)`,
  `edge-side p99 near / window, ms  ${`${f(a.edgeNearP99)}/${f(a.edgeFarP99)}`.padStart(8)}  ${`${f(b.edgeNearP99)}/${f(b.edgeFarP99)}`.padStart(8)}   (scripted pairs per drone at the client; targets 15 / 60)`,
  `client near pair p50 / p99, ms   ${`${f(a.nearP50)}/${f(a.nearP99)}`.padStart(8)}  ${`${f(b.nearP50)}/${f(b.nearP99)}`.padStart(8)}`,
  `client far pair p50 / p99, ms    ${`${f(a.farP50)}/${f(a.farP99)}`.padStart(8)}  ${`${f(b.farP50)}/${f(b.farP99)}`.padStart(8)}`,
  `pairs missed near+far / sim alerted of due  ${`${off.near.missed}+${off.far.missed} ${off.truth.alerted}/${off.truth.due}`.padStart(8)}  ${`${on.near.missed}+${on.far.missed} ${on.truth.alerted}/${on.truth.due}`.padStart(8)}`,
  `applied / accepted               ${a.applied.padStart(8)}  ${b.applied.padStart(8)}`,
  `loss                             ${a.loss.padStart(8)}  ${b.loss.padStart(8)}`,
];
let relayLost = false;
if (relayRun?.profile && offRun.profile && onRun.profile) {
  const c0 = regionCpu(offRun.profile, off.regionPoints);
  const c1 = regionCpu(onRun.profile, on.regionPoints);
  const cr = regionCpu(relayRun.profile, relayRun.result.regionPoints);
  relayLost = relayRun.result.lost > 0 || relayRun.result.regionPoints !== relayRun.result.accepted;
  const r3 = (x: RegionCpu, k: keyof RegionCpu) => f(x[k]).padStart(8);
  lines.push(
    "",
    `CPU per applied point, µs (V8 profile of the edge's isolate every ${intervalUs} µs, samples by call-tree root; whole run)`,
    "                                  hubs off   hubs on     relay   on/relay",
    `region objects                   ${r3(c0, "regionUs")}  ${r3(c1, "regionUs")}  ${r3(cr, "regionUs")}   ${f(c1.regionUs / cr.regionUs)}`,
    `ingest hubs                      ${r3(c0, "hubUs")}  ${r3(c1, "hubUs")}  ${r3(cr, "hubUs")}`,
    `gateway                          ${r3(c0, "gatewayUs")}  ${r3(c1, "gatewayUs")}  ${r3(cr, "gatewayUs")}`,
    `GC, runtime, other JS            ${r3(c0, "restUs")}  ${r3(c1, "restUs")}  ${r3(cr, "restUs")}`,
    `workerd /proc (all, profiler in) ${r3(c0, "workerdUs")}  ${r3(c1, "workerdUs")}  ${r3(cr, "workerdUs")}`,
    `region share of the tiers' time  ${`${f(100 * c0.regionShare)}%`.padStart(8)}  ${`${f(100 * c1.regionShare)}%`.padStart(8)}  ${`${f(100 * cr.regionShare)}%`.padStart(8)}`,
    `relay: ${relayRun.result.regionPoints}/${relayRun.result.accepted} applied, ${relayRun.result.messages} region messages`,
  );
}
process.stdout.write(`${lines.join("\n")}\n`);
process.exit(off.dataLoss || on.dataLoss || relayLost ? 1 : 0);
