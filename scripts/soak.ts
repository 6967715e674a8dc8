/**
 * Soak: the 500-socket benchmark's load at half its size, minute after minute on one edge, with a row a
 * minute (workerd memory, scripted-encounter alert latency, points accepted and applied, staged
 * conflicts alerted, loss). Ends with the verdict of scripts/soak/verdict.ts; exits 1 when it fails.
 *   npm run soak -- [--minutes 30] [--drones 250] [--seed 1] [--isolate-mib 128] [--round-s 60] [--gap-s 0] [--heap] [--snapshots 2,7] [--via-entry]
 * The drone sockets reach the Worker on a socket of its own, as in production; --via-entry sends them
 * through Miniflare's entry Worker instead (a local proxy per socket).
 * workerd runs with V8's heap held to --isolate-mib (production holds an isolate to 128 MB; 0: V8's
 * default for this machine's memory, under which garbage piles up far longer before a major GC). The
 * v8 and native columns split RSS by mapping (scripts/soak/memory-split.ts): the isolate's heap pages
 * and workerd's allocator.
 * --heap adds a column: the isolate's JS heap after a forced full GC (workerd's inspector); --snapshots
 * takes heap snapshots after those minutes (in the temp directory) and prints what grew from the first to the last.
 */
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runDroneSockets, WARMUP_MS } from "./bench/drone-sockets.js";
import { Edge } from "./bench/edge.js";
import { percentile } from "./bench/stats.js";
import { commandLineOrExit } from "./lib/cli.mjs";
import { buildSnapshot } from "./lib/snapshot.js";
import { SOAK_CLI } from "./soak/command-line.js";
import { compareSnapshots, type SnapshotSummary, watchHeap } from "./soak/heap-watch.js";
import { memorySplit } from "./soak/memory-split.js";
import { type SoakRow, soakVerdict } from "./soak/verdict.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { minutes, roundMs, gapMs, drones, seed, isolateMiB, snapshotMinutes, heap, viaEntry } = commandLineOrExit(process.argv.slice(2), SOAK_CLI);
const out = (line: string) => process.stdout.write(`${line}\n`);

const secret = randomBytes(24).toString("hex");
const snap = buildSnapshot(ROOT, "soak");
const edge = await Edge.start({
  root: ROOT,
  config: snap.config,
  secret,
  label: "soak",
  inspector: heap,
  // Production has no entry Worker in front of the gateway: locally Miniflare's relays every socket,
  // memory that is not the product's (docs/reliability.md §9: 10-23 MiB more over 10 minutes).
  direct: !viaEntry,
  // young and old generation together, as production's limit counts the whole heap
  v8Flags: isolateMiB > 0 ? [`--max-heap-size=${isolateMiB}`] : [],
});
const watch = heap ? await watchHeap(edge) : null;
const snapshots: SnapshotSummary[] = [];
const rows: SoakRow[] = [];
let stopping = false;
process.once("SIGINT", () => {
  stopping = true; // finish the current minute, then judge what ran
  out("stopping after this minute (Ctrl-C again quits at once)");
  process.once("SIGINT", () => process.exit(130));
});
out(
  `soak: ${drones} drone sockets at 10 Hz for ${minutes} min on ${edge.url} (${viaEntry ? "through Miniflare's entry Worker" : "the Worker's own socket"}), V8 heap ${isolateMiB > 0 ? `held to ${isolateMiB} MiB` : "unlimited"}`,
);
out(`minute  rss MiB  (low-high)   v8  native${watch ? "  heap MiB (committed, buffers)" : ""}  p50 ms  p99 ms  accepted  applied  shed  conflicts  loss`);
try {
  for (let m = 1; m <= minutes && !stopping; m++) {
    // RSS over the minute, every 2 s: the V8 heap's garbage comes and goes with its GCs, so one sample
    // at the minute's end lands anywhere between the two.
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(edge.rssBytes() / 2 ** 20), 2000);
    const r = await runDroneSockets(edge, secret, {
      drones,
      pairsPerKind: 4,
      durationMs: roundMs - WARMUP_MS,
      seed: seed + m,
      // The same fleet every minute, reconnecting: what a real fleet's state looks like over an hour
      // (fresh ids each minute would grow the tables until eviction, by construction).
      idPrefix: "soak-",
      log: (l) => process.stderr.write(`${l}\n`),
    });
    clearInterval(sampler);
    const samples = [...r.near.samples, ...r.far.samples];
    const missed = r.near.missed + r.far.missed;
    const row: SoakRow = {
      minute: m,
      rssMiB: edge.rssBytes() / 2 ** 20,
      p50Ms: percentile(samples, 50),
      p99Ms: percentile(samples, 99),
      accepted: r.accepted,
      applied: r.regionPoints,
      shed: r.shed,
      due: r.truth.due + samples.length + missed,
      alerted: r.truth.alerted + samples.length,
      loss: r.dataLoss,
    };
    rows.push(row);
    const f = (x: number, w: number) => (Number.isFinite(x) ? x.toFixed(0) : "-").padStart(w);
    const split = memorySplit(edge.pids);
    const h = await watch?.live();
    const heapCol = h ? `  ${f(h.used / 2 ** 20, 8)} (${f(h.total / 2 ** 20, 3)}, ${f(h.backing / 2 ** 20, 3)})` : "";
    out(
      `${String(m).padStart(6)}  ${f(row.rssMiB, 7)}  ${`(${f(Math.min(...rss), 0)}-${f(Math.max(...rss), 0)})`.padEnd(10)}  ${f(split.v8CageMiB, 3)}  ${f(split.nativeMiB, 6)}${heapCol}  ${f(row.p50Ms, 6)}  ${f(row.p99Ms, 6)}  ${f(row.accepted, 8)}  ${f(row.applied, 7)}  ${f(row.shed, 4)}  ${`${row.alerted}/${row.due}`.padStart(9)}  ${row.loss ?? "0"}`,
    );
    if (watch && snapshotMinutes.includes(m)) {
      const path = join(tmpdir(), `airspace-soak-${process.pid}-m${m}.heapsnapshot`);
      snapshots.push(await watch.snapshot(path));
      process.stderr.write(`heap snapshot after minute ${m}: ${path}\n`);
    }
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
  }
  if (snapshots.length >= 2) out(compareSnapshots(snapshots[0]!, snapshots.at(-1)!));
} finally {
  watch?.close();
  await edge.stop();
  snap.remove();
}
const v = soakVerdict(rows);
out(v.ok ? `soak passed: ${rows.length} min, nothing lost, memory and latency flat` : `soak FAILED:\n  ${v.problems.join("\n  ")}`);
process.exit(v.ok ? 0 : 1);
