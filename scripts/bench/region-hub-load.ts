/**
 * One region object alone under hub-shaped load (issue 9): the region in a workerd of its own (no
 * gateway sessions, no hubs: scripts/bench/hub-load/worker.ts), fed through K hub-like sockets with
 * the bundles K ingest hubs would send for N single-drone links at 10 Hz, staged head-on pairs among
 * them. Prints what was sent and applied (loss must be 0), whether the region kept pace (backlog, ack
 * lag, stalls, drain), the staged pairs alerted on both drones, edge-side alert latency (the feeder is the
 * gateway: hub-load/alert-latency.ts), workerd memory, and the region's CPU per point (the
 * workerd process's /proc CPU over the points it applied). Exits 1 on loss or a missed staged alert.
 *   npx tsx scripts/bench/region-hub-load.ts [--drones 10000] [--hz 10] [--hubs K] [--seconds 20] [--warmup 4]
 *                                            [--pairs 20] [--seed 1] [--relay-links L] [--compare] [--overload [--only on|off]] [--stalls]
 * --drones: a comma-separated list runs each (a sweep, each on a cold edge) and ends with a summary table.
 * --hubs: default what the region's policy picks, ceil(drones × hz / HUB_MSGS_PER_S 1000).
 * --relay-links L: the relay shape instead (L direct gateway links, batches of ≤ 256 points a window).
 * --overload: issue 12's overload, the same fleet (default 6,000 drones: twice what one region keeps pace with
 *            here) with LOAD_SHEDDING 0 then 1, each on a cold edge; the sessions the feeder plays hold back
 *            reports by the product's own rule (src/ingest/load-shed.ts) when the region asks. Ends with both side by
 *            side (hub-load/overload-table.ts): edge-side alert latency over the whole run and split where the
 *            shed level settled, staged drones' reports shed, workerd RSS. --only on|off: that run alone (for
 *            before/after comparisons of the shedding rule, alternated).
 * --stalls: probe the region's thread every 10 ms (hub-load/stall-probe.ts) and print its stalls of 50 ms or
 *            more; the probe costs the region CPU, so its µs/pt is then not comparable with a run without it.
 * --compare: the 500-socket workload's shape next to the relay workload's, in one sitting, each on a
 *            cold edge: 500 drones via 5 hubs, then 500 drones on one relay link; prints the ratio.
 */
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { commandLineOrExit, numberFlag } from "../lib/cli.mjs";
import { describeLatency } from "./hub-load/alert-latency.js";
import { overloadTable } from "./hub-load/overload-table.js";
import { lateReports } from "./hub-load/run.js";
import { type RegionLoad, runRegionAlone } from "./region-alone.js";
import { STALL_MS as STALL_PROBE_MS, type StallSummary } from "./hub-load/stall-probe.js";
import { HOME } from "./messages/layout.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const USAGE =
  "usage: npx tsx scripts/bench/region-hub-load.ts [--drones 10000] [--hz 10] [--hubs K] [--seconds 20] [--warmup 4] [--pairs 20] [--seed 1] [--relay-links L] [--compare] [--overload [--only on|off]] [--stalls]";
const args = commandLineOrExit(process.argv.slice(2), {
  name: "region-hub-load",
  usage: USAGE,
  options: {
    drones: { type: "string" },
    hz: { type: "string" },
    hubs: { type: "string" },
    seconds: { type: "string" },
    warmup: { type: "string" },
    pairs: { type: "string" },
    seed: { type: "string" },
    "relay-links": { type: "string" },
    compare: { type: "boolean" },
    overload: { type: "boolean" },
    only: { type: "string" },
    stalls: { type: "boolean" },
  },
} as const);
const hz = numberFlag(args, "hz", 10);
const seconds = numberFlag(args, "seconds", 20);
const warmupS = numberFlag(args, "warmup", 4);
const pairs = numberFlag(args, "pairs", 20);
const seed = numberFlag(args, "seed", 1);
/** Single-drone links are acked by the region's one-second checkpoint: acks further apart than this mean a late tick. */
const STALL_MS = 1500;
const log = (l: string) => process.stderr.write(`${l}\n`);

const runs: RegionLoad[] = [];
if (args.overload === true) {
  // Issue 12's overload: the same fleet with load shedding off, then on, at (by default) twice the rate one
  // region keeps pace with on this machine (~30,000 points/s, docs/scaling.md).
  const drones = Number(args.drones ?? "6000");
  const hubs = numberFlag(args, "hubs", Math.max(1, Math.ceil((drones * hz) / 1000)));
  const only = args.only === "on" ? 1 : args.only === "off" ? 0 : null;
  if (args.only !== undefined && only === null) {
    process.stderr.write(`--only takes on or off\n${USAGE}\n`);
    process.exit(2);
  }
  for (const shedding of [0, 1] as const) if (only === null || only === shedding) runs.push({ drones, shape: { kind: "hubs", hubs }, pairs, shedding });
} else if (args.compare === true) {
  runs.push({ drones: 500, shape: { kind: "hubs", hubs: 5 }, pairs: Math.min(pairs, 6) });
  runs.push({ drones: 500, shape: { kind: "relay", links: 1 }, pairs: Math.min(pairs, 6) });
} else {
  const relayLinks = numberFlag(args, "relay-links", 0);
  for (const drones of (args.drones ?? "10000").split(",").map(Number)) {
    if (!Number.isInteger(drones) || drones < 2) {
      process.stderr.write(`--drones takes whole numbers ≥ 2, comma-separated\n${USAGE}\n`);
      process.exit(2);
    }
    const hubs = numberFlag(args, "hubs", Math.max(1, Math.ceil((drones * hz) / 1000)));
    runs.push({ drones, shape: relayLinks > 0 ? { kind: "relay", links: relayLinks } : { kind: "hubs", hubs }, pairs });
  }
}

const secret = randomBytes(24).toString("hex");
const results = await runRegionAlone(runs, { root: ROOT, secret, hz, seconds, warmupS, seed, stallMs: STALL_MS, probeStalls: args.stalls === true, log });

const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "-");
const lines = [`region alone (its own workerd: no gateway, no hubs), region ${HOME}, ${hz} Hz, ${seconds} s sent (${warmupS} s warm-up), seed ${seed}`];
for (const r of results) {
  lines.push(
    `${r.label}:`,
    `  offered ${r.offeredPerS} pts/s, sent ${r.sentPoints} (${f(r.sentPerS, 0)}/s; feeder up to ${f(r.lateSlotsMs, 0)} ms late), applied ${r.applied}, lost ${r.lost}, duplicates ${r.duplicateBatches}, bad ${r.badBatches}`,
    `  region messages in ${f(r.regionMessagesPerS, 0)}/s (${r.urgentBatches} urgent batches), out ${f(r.regionMessagesOutPerS, 0)}/s`,
    `  keeping pace: ${r.keepingPace ? "yes" : "NO"} (backlog max ${f(r.maxBacklogS, 2)} s, ${lateReports(r.errors)} reports the region counted late (> 1 s), drained ${r.drainMs} ms after the last send, ${r.unackedLinks} links unacked, ${r.closedSockets} sockets closed)`,
    `  ack lag p50 / p99 / max ${f(r.ackLagP50)} / ${f(r.ackLagP99)} / ${f(r.ackLagMax)} ms; stalls (> ${STALL_MS} ms without an ack) ${r.stalls}, longest gap ${f(r.maxAckGapMs, 0)} ms`,
    `  stats request round trip p50 / max ${f(r.statsRttP50, 0)} / ${f(r.statsRttMax, 0)} ms${r.unpatched ? "; bundles encoded in full (a layout changed under the feeder's patch)" : ""}`,
    `  staged pairs alerted on both drones: ${r.pairsAlerted} of ${r.pairs} (${r.alertFrames} alert frames in all)${r.missing.length > 0 ? `; missing ${r.missing.join(", ")}` : ""}`,
    `  load shedding: level up to ${r.maxShedLevel} (${r.shedLevels.map((l) => `${l.level}@${f(l.atS)}`).join(" ") || "never raised"}), ${r.shed} reports held back by the sessions; report age at the region p99 per second: median ${f(r.ageP99Median, 0)} ms, worst ${f(r.ageP99Max, 0)} ms`,
    `  edge-side alert latency p50/p99/max (samples): whole run ${describeLatency(r.alertLatency.all)}${r.maxShedLevel > 0 ? `; encounters started before the shed level settled (${f(r.alertLatency.settledS)} s) ${describeLatency(r.alertLatency.before)}, from then ${describeLatency(r.alertLatency.after)}` : ""}; staged pairs ${describeLatency(r.alertLatency.staged)}`,
    `  staged drones' reports shed: ${r.stagedShed.closing + r.stagedShed.parting} within 2R of the partner (${r.stagedShed.closing} before meeting, ${r.stagedShed.parting} after), ${r.stagedShed.conflict} in the conflict's lead, ${r.stagedShed.far} before (at most ${r.stagedShed.maxPerDrone} of one drone)`,
    `  workerd RSS warm / mid-run / peak / end ${r.rssWarmMiB.toFixed(0)} / ${r.rssMidMiB.toFixed(0)} / ${r.rssPeakMiB.toFixed(0)} / ${r.rssEndMiB.toFixed(0)} MiB`,
    ...(r.regionStalls === null
      ? []
      : [
          `  region stalls (its thread busy ≥ ${STALL_PROBE_MS} ms with one event or a GC pause; probed every 10 ms after the warm-up): ${describeStalls(r.regionStalls)}`,
        ]),
    `  errors to drones: ${Object.keys(r.errors).length > 0 ? JSON.stringify(r.errors) : "none"}`,
    `  region CPU ${f(r.regionUsPerPoint, 2)} µs/pt (workerd /proc over the points applied after warm-up), ${f(100 * r.regionCoreShare, 0)} % of a core; feeder (Node) ${f(r.feederUsPerPoint, 2)} µs/pt, its event loop delayed p99 / max ${f(r.feederLoopP99Ms, 0)} / ${f(r.feederLoopMaxMs, 0)} ms; load average ${f(r.loadAvg)}`,
  );
}
if (results.length > 1) {
  lines.push("", "offered pts/s      sent/s   region µs/pt   core share   backlog max s   drain ms   ack p99 ms   pairs   keeping pace");
  for (const r of results)
    lines.push(
      `${String(r.offeredPerS).padStart(13)}  ${f(r.sentPerS, 0).padStart(10)}  ${f(r.regionUsPerPoint, 2).padStart(13)}  ${`${f(100 * r.regionCoreShare, 0)} %`.padStart(11)}  ${f(r.maxBacklogS, 2).padStart(14)}  ${String(r.drainMs).padStart(9)}  ${f(r.ackLagP99, 0).padStart(11)}  ${`${r.pairsAlerted}/${r.pairs}`.padStart(6)}   ${r.keepingPace ? "yes" : "NO"}`,
    );
}
if (args.overload === true && results.length === 2) lines.push(...overloadTable(results[0]!, results[1]!));
if (args.compare === true) lines.push(`hubs / relay region CPU per point: ${f(results[0]!.regionUsPerPoint / results[1]!.regionUsPerPoint, 2)}`);
process.stdout.write(`${lines.join("\n")}\n`);
function describeStalls(s: StallSummary | null): string {
  if (s === null) return "not probed";
  const slow = s.slow.map((x) => `${x.rttMs.toFixed(0)} ms`).slice(0, 12);
  return `${s.slow.length} of ${s.probes} probes (${slow.join(", ") || "none"}${s.slow.length > 12 ? ", …" : ""}); round trip p50 / p99 / max ${f(s.p50Ms)} / ${f(s.p99Ms)} / ${f(s.maxMs)} ms; the probe's own timer late by up to ${f(s.ownLateMaxMs)} ms${s.gaveUp ? "; the inspector stopped answering, so only the probes before that" : ""}`;
}

const failed = results.some((r) => r.lost !== 0 || r.missing.length > 0 || r.unackedLinks > 0);
process.exit(failed ? 1 : 0);
