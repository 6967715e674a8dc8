/**
 * Soak: the 500-socket benchmark's load at half its size, minute after minute on one edge, with a row a
 * minute (workerd memory, scripted-encounter alert latency, points accepted and applied, staged
 * conflicts alerted, loss). Ends with the verdict of scripts/soak/verdict.ts; exits 1 when it fails.
 *   npm run soak -- [--minutes 30] [--drones 250] [--seed 1]
 */
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runDroneSockets, WARMUP_MS } from "./bench/drone-sockets.js";
import { Edge } from "./bench/edge.js";
import { percentile } from "./bench/stats.js";
import { commandLineOrExit, numberFlag } from "./lib/cli.mjs";
import { buildSnapshot } from "./lib/snapshot.js";
import { type SoakRow, soakVerdict } from "./soak/verdict.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = commandLineOrExit(process.argv.slice(2), {
  name: "soak",
  usage: "usage: npm run soak -- [--minutes 30] [--drones 250] [--seed 1]",
  options: { minutes: { type: "string" }, drones: { type: "string" }, seed: { type: "string" } },
} as const);
const minutes = numberFlag(args, "minutes", 30);
const drones = numberFlag(args, "drones", 250);
const seed = numberFlag(args, "seed", 1);
const out = (line: string) => process.stdout.write(`${line}\n`);

const secret = randomBytes(24).toString("hex");
const snap = buildSnapshot(ROOT, "soak");
const edge = await Edge.start({ root: ROOT, config: snap.config, secret, label: "soak" });
const rows: SoakRow[] = [];
let stopping = false;
process.once("SIGINT", () => {
  stopping = true; // finish the current minute, then judge what ran
  out("stopping after this minute (Ctrl-C again quits at once)");
  process.once("SIGINT", () => process.exit(130));
});
out(`soak: ${drones} drone sockets at 10 Hz for ${minutes} min on ${edge.url}`);
out("minute  rss MiB  p50 ms  p99 ms  accepted  applied  conflicts  loss");
try {
  for (let m = 1; m <= minutes && !stopping; m++) {
    const r = await runDroneSockets(edge, secret, {
      drones,
      pairsPerKind: 4,
      durationMs: 60_000 - WARMUP_MS,
      seed: seed + m,
      // The same fleet every minute, reconnecting: what a real fleet's state looks like over an hour
      // (fresh ids each minute would grow the tables until eviction, by construction).
      idPrefix: "soak-",
      log: (l) => process.stderr.write(`${l}\n`),
    });
    const samples = [...r.near.samples, ...r.far.samples];
    const missed = r.near.missed + r.far.missed;
    const row: SoakRow = {
      minute: m,
      rssMiB: edge.rssBytes() / 2 ** 20,
      p50Ms: percentile(samples, 50),
      p99Ms: percentile(samples, 99),
      accepted: r.accepted,
      applied: r.regionPoints,
      due: r.truth.due + samples.length + missed,
      alerted: r.truth.alerted + samples.length,
      loss: r.dataLoss,
    };
    rows.push(row);
    const f = (x: number, w: number) => (Number.isFinite(x) ? x.toFixed(0) : "-").padStart(w);
    out(
      `${String(m).padStart(6)}  ${f(row.rssMiB, 7)}  ${f(row.p50Ms, 6)}  ${f(row.p99Ms, 6)}  ${f(row.accepted, 8)}  ${f(row.applied, 7)}  ${`${row.alerted}/${row.due}`.padStart(9)}  ${row.loss ?? "0"}`,
    );
  }
} finally {
  await edge.stop();
  snap.remove();
}
const v = soakVerdict(rows);
out(v.ok ? `soak passed: ${rows.length} min, nothing lost, memory and latency flat` : `soak FAILED:\n  ${v.problems.join("\n  ")}`);
process.exit(v.ok ? 0 : 1);
