/**
 * Allocation profile of the local edge's user-Worker isolate (gateway + Durable Objects share it) under the
 * drone-sockets load of `npm run bench` (N DroneClient sockets, one report each at 10 Hz; scripts/bench/drone-sockets.ts).
 *
 *   npx tsx scripts/profile/heap-profile.ts [--sockets 500] [--seconds 10] [--warmup 4] [--interval 8192]
 *                                           [--survivors 8] [--poll 250] [--drop-mib 1] [--major-mib 4] [--top 25] [--pairs 6]
 *                                           [--out /tmp/airspace-heap-<time>]
 *
 * Same edge as scripts/profile/edge-profile.ts (scripts/profile/profiled-edge.ts: frozen bundle, `wrangler dev --local`
 * with an inspector port, attached through wrangler's inspector proxy to core:user:airspace). After the warm-up it runs V8's sampling
 * heap profiler (HeapProfiler.startSampling, mean interval --interval bytes, objects later collected by minor and
 * major GCs included: the profile is what was *allocated* in the window, not what survived) and polls
 * Runtime.getHeapUsage every --poll ms, during the warm-up (no sampler) and the window. Heap drops between polls
 * of at least --drop-mib are counted as GCs (several scavenges inside one poll interval net out); one that lands at least
 * --major-mib below the previous post-GC level is counted as a major GC. The poll is answered on the isolate thread
 * (after the inspector's queue), so a long round trip bounds a stall from below.
 * Frames (function start positions: the sampling heap profiler has no line ticks) are mapped to src/ through the
 * bundle's source map (SourceMap of scripts/profile/cpuprofile.ts; the summary is heap-summary.ts, the heap usage
 * report heap-usage.ts). Writes <out>.heapprofile, <out>.heapusage.json and
 * <out>.bundle.js(.map). Stops everything it started by PID; a watchdog ends the run after 170 s.
 * A second window (--survivors S, default 8; 0 skips it) samples with objects that died in a scavenge dropped:
 * what is left was promoted (or was still young at the stop), i.e. what fills the old generation between major GCs.
 *
 * Re-analyse a saved profile: npx tsx scripts/profile/heap-profile.ts --analyse <out>.heapprofile [--bundle <out>.bundle.js]
 *                                                                     [--seconds S] [--points N] [--top N]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { sleep } from "../bench/processes.js";
import { commandLineOrExit, numberFlag } from "../lib/cli.mjs";
import { type SamplingHeapProfile, summariseHeap } from "./heap-summary.js";
import { heapUsageReport, PHASE_TITLE, type Phase, pollHeapUsage } from "./heap-usage.js";
import { ProfiledEdge, withTimeout } from "./profiled-edge.js";

const args = commandLineOrExit(process.argv.slice(2), {
  name: "heap-profile",
  usage:
    "usage: npx tsx scripts/profile/heap-profile.ts [--sockets 500] [--seconds 10] [--warmup 4] [--interval 8192] [--survivors 8] [--poll 250] [--drop-mib 1] [--major-mib 4] [--top 25] [--pairs 6] [--out /tmp/airspace-heap-<time>]\n       npx tsx scripts/profile/heap-profile.ts --analyse <out>.heapprofile [--bundle <out>.bundle.js] [--seconds S] [--points N] [--top N] [--url index.js]",
  options: {
    sockets: { type: "string" },
    seconds: { type: "string" },
    warmup: { type: "string" },
    interval: { type: "string" },
    poll: { type: "string" },
    survivors: { type: "string" },
    "drop-mib": { type: "string" },
    "major-mib": { type: "string" },
    top: { type: "string" },
    pairs: { type: "string" },
    out: { type: "string" },
    analyse: { type: "string" },
    bundle: { type: "string" },
    points: { type: "string" },
    url: { type: "string" },
  },
} as const);
const SOCKETS = numberFlag(args, "sockets", 500);
const SECONDS = numberFlag(args, "seconds", 10);
const WARMUP = numberFlag(args, "warmup", 4);
const INTERVAL_B = numberFlag(args, "interval", 8192);
const POLL_MS = numberFlag(args, "poll", 250);
const SURVIVOR_SECONDS = numberFlag(args, "survivors", 8);
const DROP_MIB = numberFlag(args, "drop-mib", 1);
const MAJOR_MIB = numberFlag(args, "major-mib", 4);
const TOP = numberFlag(args, "top", 25);
const PAIRS = numberFlag(args, "pairs", 6);
const OUT = args.out !== undefined ? args.out : `/tmp/airspace-heap-${new Date().toISOString().replace(/[:.]/g, "-")}`;

async function main(edge: ProfiledEdge): Promise<void> {
  const log = edge.log;
  log(`heap-profiling ${SOCKETS} drone sockets at 10 Hz: warm-up ${WARMUP} s, sampling ${SECONDS} s every ~${INTERVAL_B} B, heap usage every ${POLL_MS} ms`);

  // 1-2. Frozen bundle (kept next to the profile for re-analysis), wrangler dev.
  await edge.start();
  const { bundle, bundleName } = edge;

  // 3. The user Worker's target. wrangler's inspector proxy holds workerd's one session for it: go through the proxy.
  const { targets, proxied } = await edge.targets();
  if (!proxied) throw new Error(`wrangler's inspector proxy (:${edge.inspectorPort}) lists no target`);
  const target = targets[0]!;
  const session = await edge.attach(target);
  await session.send("HeapProfiler.enable");
  log(`attached to ${target.id} via wrangler's proxy (${target.title})`);

  // Heap usage poller (runs from the warm-up to the end of the window).
  let phase: Phase = "connect";
  const usage = pollHeapUsage(session, POLL_MS, () => phase, log);
  const { polls } = usage;

  // 4. The bench's drone-sockets load.
  const durationMs = (WARMUP + SECONDS + SURVIVOR_SECONDS + 2) * 1000;
  const { load, stats } = await edge.startLoad({ sockets: SOCKETS, pairs: PAIRS, durationMs, idPrefix: "heap" });
  phase = "warmup";
  log(`${SOCKETS} sockets connected, reports flowing; warming up ${WARMUP} s (heap usage polled, no sampler)`);
  await sleep(WARMUP * 1000);

  // 5. Sampling windows. 1: every allocation (objects later collected by minor and major GCs kept): the
  // allocation rate by site. 2 (unless --survivors 0): samples of objects that died in a scavenge dropped, so
  // what is left survived at least one scavenge: promoted to the old generation (what fills it between major
  // GCs) or still young at the stop.
  const windows: { phase: Phase; seconds: number; minor: boolean }[] = [{ phase: "alloc", seconds: SECONDS, minor: true }];
  if (SURVIVOR_SECONDS > 0) windows.push({ phase: "survivors", seconds: SURVIVOR_SECONDS, minor: false });
  const results: { phase: Phase; profile: SamplingHeapProfile; wallMs: number; points: number; startMs: number }[] = [];
  let w0 = 0;
  for (const w of windows) {
    const st0 = await stats();
    await session.send("HeapProfiler.startSampling", {
      samplingInterval: INTERVAL_B,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: w.minor,
    });
    const start = performance.now();
    if (results.length === 0) w0 = start;
    phase = w.phase;
    log(`sampling heap profiler running for ${w.seconds} s: ${PHASE_TITLE[w.phase]}`);
    await sleep(w.seconds * 1000);
    const stopped = await session.send<{ profile: SamplingHeapProfile }>("HeapProfiler.stopSampling", {}, 60_000);
    const wallMs = performance.now() - start;
    const st1 = await stats();
    results.push({ phase: w.phase, profile: stopped.profile, wallMs, points: st1.points - st0.points, startMs: start - w0 });
    log(`sampling stopped: ${wallMs.toFixed(0)} ms, ${st1.points - st0.points} points applied by regions in ${st1.batches - st0.batches} batches`);
  }
  await usage.stop();
  await session.send("HeapProfiler.disable").catch(() => {});
  for (const p of polls) p.t -= w0; // ms from window 1's start

  const res = await withTimeout(load, 60_000, "the drone-sockets load");
  log(`load done: ${res.sent} sent, ${res.accepted} accepted, ${res.connected}/${res.drones} connected${res.dataLoss ? `, LOSS: ${res.dataLoss}` : ""}`);
  await edge.stop();

  // 6. Outputs.
  const alloc = results[0]!;
  writeFileSync(`${OUT}.heapprofile`, JSON.stringify(alloc.profile));
  if (results[1]) writeFileSync(`${OUT}.survivors.heapprofile`, JSON.stringify(results[1].profile));
  writeFileSync(`${OUT}.heapusage.json`, JSON.stringify(polls));
  const text = [
    heapUsageReport(polls, results, { pollMs: POLL_MS, dropMiB: DROP_MIB, majorMiB: MAJOR_MIB }),
    "",
    summariseHeap(alloc.profile, {
      bundle,
      scriptUrl: bundleName,
      top: TOP,
      seconds: alloc.wallMs / 1000,
      points: alloc.points,
      title: "window 1, all allocations (incl. objects later collected)",
    }),
  ];
  if (results[1])
    text.push(
      "",
      summariseHeap(results[1].profile, {
        bundle,
        scriptUrl: bundleName,
        top: 15,
        seconds: results[1].wallMs / 1000,
        points: results[1].points,
        title: "window 2, scavenge survivors (promoted or still young at the stop; objects of major GCs kept)",
        brief: true,
      }),
    );
  text.push(
    "",
    `raw: ${OUT}.heapprofile${results[1] ? `, ${OUT}.survivors.heapprofile` : ""} (Chrome DevTools › Memory › Load), ${OUT}.heapusage.json, bundle ${bundle}(.map)`,
  );
  console.log(text.join("\n"));
}

if (args.analyse !== undefined) {
  // Re-analysis of a saved profile, no edge started.
  const file = args.analyse;
  const bundle = args.bundle !== undefined ? args.bundle : file.replace(/(\.survivors)?\.heapprofile$/, ".bundle.js");
  const profile = JSON.parse(readFileSync(file, "utf8")) as SamplingHeapProfile;
  const points = numberFlag(args, "points", 0);
  console.log(
    summariseHeap(profile, {
      bundle,
      scriptUrl: args.url !== undefined ? args.url : "index.js",
      top: TOP,
      seconds: SECONDS,
      points: points || undefined,
      title: file,
    }),
  );
} else {
  const edge = new ProfiledEdge({ out: OUT, label: "heap", name: "heap-profile" });
  edge.run(() => main(edge));
}
