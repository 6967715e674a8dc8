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
 * bundle's source map (SourceMap of scripts/profile/cpuprofile.ts). Writes <out>.heapprofile, <out>.heapusage.json and
 * <out>.bundle.js(.map). Stops everything it started by PID; a watchdog ends the run after 170 s.
 * A second window (--survivors S, default 8; 0 skips it) samples with objects that died in a scavenge dropped:
 * what is left was promoted (or was still young at the stop), i.e. what fills the old generation between major GCs.
 *
 * Re-analyse a saved profile: npx tsx scripts/profile/heap-profile.ts --analyse <out>.heapprofile [--bundle <out>.bundle.js]
 *                                                                     [--seconds S] [--points N] [--top N]
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { sleep } from "../bench/edge.js";
import { commandLineOrExit, numberFlag } from "../lib/cli.mjs";
import { SourceMap, type CallFrame } from "./cpuprofile.js";
import { ProfiledEdge, withTimeout } from "./profiled-edge.js";

const MiB = 1024 * 1024;

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

// ---------------------------------------------------------------------------------------------------
// CDP shapes.

interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  id: number;
  children: HeapNode[];
}
interface HeapSample {
  size: number;
  nodeId: number;
  ordinal: number;
}
interface SamplingHeapProfile {
  head: HeapNode;
  samples?: HeapSample[];
}
interface HeapUsage {
  usedSize: number;
  totalSize: number;
  embedderHeapUsedSize?: number;
  backingStorageSize?: number;
}
type Phase = "connect" | "warmup" | "alloc" | "survivors";
const PHASE_TITLE: Record<Phase, string> = {
  connect: "connecting the sockets (no sampler)",
  warmup: "warm-up, load running (no sampler)",
  alloc: "window 1, sampling all allocations",
  survivors: "window 2, sampling scavenge survivors",
};
interface Poll {
  /** performance.now() at the request; after the window, ms since the window's start (negative: warm-up). */
  t: number;
  rttMs: number;
  used: number;
  total: number;
  phase: Phase;
}

// ---------------------------------------------------------------------------------------------------

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
  const polls: Poll[] = [];
  let phase: Phase = "connect";
  let polling = true;
  const poller = (async () => {
    let next = performance.now();
    while (polling) {
      const a = performance.now();
      try {
        const u = await session.send<HeapUsage>("Runtime.getHeapUsage", {}, 10_000);
        const b = performance.now();
        polls.push({ t: a, rttMs: b - a, used: u.usedSize, total: u.totalSize, phase });
      } catch (e) {
        log(`Runtime.getHeapUsage failed: ${String(e)}`);
      }
      next += POLL_MS;
      const now = performance.now();
      if (next < now) next = now; // a stalled poll: no catch-up burst
      await sleep(next - now);
    }
  })();

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
  polling = false;
  await poller;
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
    heapUsageReport(polls, results),
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

// ---------------------------------------------------------------------------------------------------
// Heap usage: min/max, GC drops, poll round trips.

function heapUsageReport(polls: Poll[], windows: { phase: Phase; wallMs: number }[]): string {
  const out: string[] = [];
  const mib = (b: number) => `${(b / MiB).toFixed(1)} MiB`;
  let floor = Number.POSITIVE_INFINITY; // heap right after the last drop (carried across phases)
  for (const ph of ["connect", "warmup", "alloc", "survivors"] as const) {
    const ps = polls.filter((p) => p.phase === ph);
    if (ps.length < 2) continue;
    const used = ps.map((p) => p.used);
    const total = ps.map((p) => p.total);
    const rtts = ps.map((p) => p.rttMs).sort((a, b) => a - b);
    const q = (f: number) => rtts[Math.min(rtts.length - 1, Math.floor(f * rtts.length))]!;
    const spanS = (ps.at(-1)!.t - ps[0]!.t) / 1000;
    const win = windows.find((w) => w.phase === ph);
    out.push(`== heap usage, ${PHASE_TITLE[ph]}${win ? ` (${(win.wallMs / 1000).toFixed(1)} s)` : ""}: ${ps.length} polls over ${spanS.toFixed(1)} s`);
    out.push(
      `   usedSize  min ${mib(Math.min(...used))}  max ${mib(Math.max(...used))}   totalSize  min ${mib(Math.min(...total))}  max ${mib(Math.max(...total))}`,
    );
    out.push(
      `   poll round trip (inspector queue + isolate thread): p50 ${q(0.5).toFixed(1)} ms, p90 ${q(0.9).toFixed(1)} ms, max ${rtts.at(-1)!.toFixed(1)} ms`,
    );
    if (ph === "connect") continue;
    let rise = 0;
    const drops: { t: number; from: number; to: number; rtt: number; major: boolean }[] = [];
    let smallDrops = 0;
    for (let i = 1; i < ps.length; i++) {
      const d = ps[i]!.used - ps[i - 1]!.used;
      if (d > 0) rise += d;
      else if (-d >= DROP_MIB * MiB) {
        // Scavenges leave the heap at a level that creeps up with what they promote; a drop to well below
        // the previous post-GC level freed old-generation objects: a major GC (heuristic, --major-mib).
        drops.push({ t: ps[i]!.t, from: ps[i - 1]!.used, to: ps[i]!.used, rtt: ps[i]!.rttMs, major: ps[i]!.used < floor - MAJOR_MIB * MiB });
        floor = ps[i]!.used;
      } else if (d < 0) smallDrops++;
    }
    const sizes = drops.map((d) => (d.from - d.to) / MiB);
    const sum = sizes.reduce((a, b) => a + b, 0);
    const majors = drops.filter((d) => d.major);
    out.push(
      `   rises between polls ${mib(rise)} = ${(rise / MiB / Math.max(0.001, spanS)).toFixed(1)} MiB/s (net of the GCs inside each ${POLL_MS} ms interval)`,
    );
    out.push(
      `   GC drops ≥ ${DROP_MIB} MiB: ${drops.length} (one every ${drops.length > 0 ? (spanS / drops.length).toFixed(2) : "-"} s), freed ${sum.toFixed(1)} MiB, mean ${drops.length ? (sum / drops.length).toFixed(1) : "-"} MiB, sizes [${sizes.map((x) => x.toFixed(1)).join(", ")}]; smaller drops: ${smallDrops}`,
    );
    out.push(
      `   of which ≥ ${MAJOR_MIB} MiB below the previous post-GC level (major GC, heuristic): ${majors.length}: ${majors.map((d) => `t=${(d.t / 1000).toFixed(2)} s ${mib(d.from)}→${mib(d.to)} (rtt ${d.rtt.toFixed(0)} ms)`).join(", ") || "none"}`,
    );
    const floors = drops.map((d) => d.to / MiB);
    if (floors.length) out.push(`   post-GC levels (MiB): ${floors.map((x) => x.toFixed(1)).join(" ")}`);
    const slow = ps.filter((p) => p.rttMs >= 50);
    if (slow.length)
      out.push(
        `   polls ≥ 50 ms: ${slow.map((p) => `t=${(p.t / 1000).toFixed(2)}:${p.rttMs.toFixed(0)}ms${drops.some((d) => d.t === p.t) ? "(drop)" : ""}`).join(", ")}`,
      );
  }
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------------------
// Sampling heap profile summary.

interface HeapSummaryOptions {
  bundle?: string;
  scriptUrl?: string;
  top?: number;
  seconds: number;
  points?: number;
  title: string;
  /** Only the site list and the per-file totals. */
  brief?: boolean;
}

/** V8's pseudo-frames of the sampling heap profiler: allocations with no JS frame on the stack. */
const PSEUDO = /^\((root|V8 API|GC|PARSER|BYTECODE_COMPILER|COMPILER|EXTERNAL|IDLE|JS|LOGGING|OTHER|PROGRAM)\)$/;

interface FrameInfo {
  key: string;
  name: string;
  where: string;
  file: string;
  kind: "pseudo" | "native" | "js";
}

/**
 * Printable summary of a sampling heap profile. An allocation site is the innermost JS frame (the function's own
 * start line: V8 records no allocation positions), with the builtin that allocated when the leaf is one
 * (`Map`, `slice`, `Uint8Array` …, attributed to the JS function that called it, and to that function's file).
 */
export function summariseHeap(profile: SamplingHeapProfile, o: HeapSummaryOptions): string {
  const top = o.top ?? 25;
  let map: SourceMap | null = null;
  if (o.bundle && existsSync(`${o.bundle}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${o.bundle}.map`, "utf8")));
  const bundleBase = o.scriptUrl ?? "index.js";

  const frameInfo = new Map<string, FrameInfo>();
  const info = (cf: CallFrame): FrameInfo => {
    const key = `${cf.functionName}|${cf.url}|${cf.lineNumber}|${cf.columnNumber}`;
    let i = frameInfo.get(key);
    if (i) return i;
    const name = cf.functionName || "(anonymous)";
    if (cf.url === "" && PSEUDO.test(cf.functionName)) i = { key, name, where: "", file: name, kind: "pseudo" };
    else if (cf.url === "") i = { key, name, where: "[builtin]", file: "(builtin, no JS caller)", kind: "native" };
    else if (cf.url === bundleBase || cf.url.endsWith(`/${bundleBase}`)) {
      const orig = map?.lookup(cf.lineNumber, cf.columnNumber) ?? null;
      i = orig
        ? { key, name, where: `${orig.source}:${orig.line}`, file: orig.source, kind: "js" }
        : { key, name, where: `bundle:${cf.lineNumber + 1}`, file: "(bundle, unmapped: esbuild helpers)", kind: "js" };
    } else i = { key, name, where: `${cf.url}:${cf.lineNumber + 1}`, file: cf.url, kind: "js" };
    frameInfo.set(key, i);
    return i;
  };

  interface Site {
    label: string;
    file: string;
    self: number;
    samples: number;
    callers: Map<string, number>;
  }
  const sites = new Map<string, Site>();
  const files = new Map<string, number>();
  const inclusive = new Map<string, { label: string; total: number }>();
  const nodeSite = new Map<number, string>();
  let all = 0;
  const walk = (n: HeapNode, stack: FrameInfo[]): number => {
    const i = info(n.callFrame);
    const isRoot = stack.length === 0 && n.callFrame.functionName === "(root)";
    const st = isRoot ? stack : [...stack, i];
    let sub = n.selfSize;
    for (const c of n.children ?? []) sub += walk(c, st);
    if (isRoot) return sub;
    if (i.kind === "js" && !stack.some((x) => x.key === i.key)) {
      const f = inclusive.get(i.key) ?? { label: `${i.name}  ${i.where}`, total: 0 };
      f.total += sub; // recursion counted once
      inclusive.set(i.key, f);
    }
    if (n.selfSize === 0 && !(n.callFrame.functionName && PSEUDO.test(n.callFrame.functionName))) return sub;
    // The allocating JS frame: the leaf, or the nearest JS frame above a builtin leaf (builtins may nest: Map › set).
    let j = st.length - 1;
    while (j >= 0 && st[j]!.kind === "native") j--;
    const js = j >= 0 ? st[j]! : null;
    const natives = st.slice(j + 1).map((x) => x.name);
    const key = `${js?.key ?? ""}›${natives.join("›")}`;
    let site = sites.get(key);
    if (!site) {
      const label = js ? `${js.name}${natives.length ? ` › ${natives.join(" › ")}` : ""}  ${js.where}` : `${natives.join(" › ")} [builtin]`;
      site = { label, file: js?.file ?? "(builtin, no JS caller)", self: 0, samples: 0, callers: new Map() };
      sites.set(key, site);
    }
    site.self += n.selfSize;
    const caller = j > 0 ? st[j - 1]! : null;
    const ck = caller ? `${caller.name} ${caller.where}` : "";
    site.callers.set(ck, (site.callers.get(ck) ?? 0) + n.selfSize);
    files.set(site.file, (files.get(site.file) ?? 0) + n.selfSize);
    nodeSite.set(n.id, key);
    all += n.selfSize;
    return sub;
  };
  walk(profile.head, []);
  for (const smp of profile.samples ?? []) {
    const k = nodeSite.get(smp.nodeId);
    const site = k !== undefined ? sites.get(k) : undefined;
    if (site) site.samples++;
  }

  const sec = Math.max(0.001, o.seconds);
  const rate = (b: number) => `${(b / sec / MiB).toFixed(2).padStart(5)} MiB/s`;
  const pct = (b: number) => `${((100 * b) / Math.max(1, all)).toFixed(1).padStart(4)}%`;
  const perPt = (b: number) => (o.points ? `${(b / o.points).toFixed(0).padStart(5)} B/pt` : "");
  const out: string[] = [];
  const nSamples = profile.samples?.length ?? 0;
  out.push(
    `== ${o.title}: ${(all / MiB).toFixed(1)} MiB in ${sec.toFixed(2)} s = ${(all / sec / MiB).toFixed(2)} MiB/s, ${nSamples} samples${o.points ? `; ${o.points} points (${(o.points / sec).toFixed(0)}/s) → ${(all / o.points).toFixed(0)} B/pt` : ""}`,
  );
  out.push(
    `-- top ${top} allocation sites by self size (rate, share, per point, samples; JS function [› builtin]  src:line of the function;  ← heaviest caller)`,
  );
  for (const site of [...sites.values()].sort((a, b) => b.self - a.self).slice(0, top)) {
    if (site.self <= 0) break;
    const [cn, cb] = [...site.callers].sort((a, b) => b[1] - a[1])[0] ?? ["", 0];
    out.push(
      `  ${rate(site.self)} ${pct(site.self)} ${perPt(site.self)} ${String(site.samples).padStart(5)}  ${site.label}${cn ? `   ← ${cn}${cb < site.self * 0.995 ? ` (${((100 * cb) / site.self).toFixed(0)}%)` : ""}` : ""}`,
    );
  }
  out.push(`-- top 15 source files by self size (builtins counted in their JS caller's file)`);
  for (const [f, b] of [...files].sort((a, b) => b[1] - a[1]).slice(0, 15)) out.push(`  ${rate(b)} ${pct(b)} ${perPt(b)}  ${f}`);
  if (!o.brief) {
    out.push(`-- top 15 functions by inclusive size (self + callees)`);
    for (const f of [...inclusive.values()].sort((a, b) => b.total - a.total).slice(0, 15))
      out.push(`  ${rate(f.total)} ${pct(f.total)} ${perPt(f.total)}  ${f.label}`);
  }
  return out.join("\n");
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
