/**
 * Allocation profile of the local edge's user-Worker isolate (gateway + Durable Objects share it) under the
 * drone-sockets load of `npm run bench` (N DroneClient sockets, one report each at 10 Hz; scripts/bench/drone-sockets.ts).
 *
 *   npx tsx scripts/profile/heap-profile.ts [--sockets 500] [--seconds 10] [--warmup 4] [--interval 8192]
 *                                           [--poll 250] [--drop-mib 1] [--top 25] [--pairs 6] [--out /tmp/airspace-heap-<time>]
 *
 * Same edge as scripts/profile/edge-profile.ts (frozen bundle, `wrangler dev --local` with an inspector port,
 * attached through wrangler's inspector proxy to core:user:airspace). After the warm-up it runs V8's sampling
 * heap profiler (HeapProfiler.startSampling, mean interval --interval bytes, objects later collected by minor and
 * major GCs included: the profile is what was *allocated* in the window, not what survived) and polls
 * Runtime.getHeapUsage every --poll ms, during the warm-up (no sampler) and the window. Heap drops between polls
 * of at least --drop-mib are counted as GCs (scavenges inside one poll interval net out; a drop of several MiB is a
 * major GC or a large scavenge). The poll's round trip is answered on the isolate thread, so its max is a stall bound.
 * Frames (function start positions: the sampling heap profiler has no line ticks) are mapped to src/ through the
 * bundle's source map (SourceMap of scripts/profile/cpuprofile.ts). Writes <out>.heapprofile, <out>.heapusage.json and
 * <out>.bundle.js(.map). Stops everything it started by PID; a watchdog ends the run after 170 s.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { mintToken } from "../../src/client/token.js";
import { runDroneSockets } from "../bench/drone-sockets.js";
import { descendants, freePort, sleep, stopProcessTree, type Edge, type RegionStats } from "../bench/edge.js";
import { buildSnapshot } from "../bench/snapshot.js";
import { parseProcCpuTicks } from "../bench/stats.js";
import { numberArg, parseArgs } from "../lib/args.js";
import { CdpSession, listeningPorts, listTargets, type CdpTarget } from "./cdp.js";
import { SourceMap, type CallFrame } from "./cpuprofile.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const CLK_TCK = 100;
const WATCHDOG_MS = 170_000;
const MiB = 1024 * 1024;

const args = parseArgs(process.argv.slice(2));
const SOCKETS = numberArg(args, "sockets", 500);
const SECONDS = numberArg(args, "seconds", 10);
const WARMUP = numberArg(args, "warmup", 4);
const INTERVAL_B = numberArg(args, "interval", 8192);
const POLL_MS = numberArg(args, "poll", 250);
const DROP_MIB = numberArg(args, "drop-mib", 1);
const TOP = numberArg(args, "top", 25);
const PAIRS = numberArg(args, "pairs", 6);
const OUT = typeof args.get("out") === "string" ? (args.get("out") as string) : `/tmp/airspace-heap-${new Date().toISOString().replace(/[:.]/g, "-")}`;

const t0 = performance.now();
const log = (s: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${s}`);

// ---------------------------------------------------------------------------------------------------
// Everything started here, stopped by PID (also on a signal, a crash or the watchdog).

let wrangler: ChildProcess | null = null;
const tempDirs: string[] = [];
const sessions: CdpSession[] = [];

function cleanupSync(): void {
  for (const s of sessions.splice(0)) s.close();
  const p = wrangler;
  wrangler = null;
  if (p?.pid !== undefined && p.exitCode === null && p.signalCode === null) {
    for (const pid of [...descendants(p.pid).map((d) => d.pid), p.pid]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

async function cleanup(): Promise<void> {
  for (const s of sessions.splice(0)) s.close();
  if (wrangler) await stopProcessTree(wrangler);
  wrangler = null;
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

process.on("exit", cleanupSync);
for (const sig of ["SIGINT", "SIGTERM"] as const)
  process.once(sig, () => {
    cleanupSync();
    process.exit(sig === "SIGINT" ? 130 : 143);
  });
const watchdog = setTimeout(() => {
  console.error(`watchdog: run exceeded ${WATCHDOG_MS / 1000} s, stopping`);
  cleanupSync();
  process.exit(3);
}, WATCHDOG_MS);

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`${what}: no result within ${ms / 1000} s`)))]);
}

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
interface Poll {
  /** performance.now() at the request; after the window, ms since the window's start (negative: warm-up). */
  t: number;
  rttMs: number;
  used: number;
  total: number;
  phase: "warmup" | "window";
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const secret = randomBytes(24).toString("hex");
  log(`heap-profiling ${SOCKETS} drone sockets at 10 Hz: warm-up ${WARMUP} s, sampling ${SECONDS} s every ~${INTERVAL_B} B, heap usage every ${POLL_MS} ms`);

  // 1. Frozen bundle, kept next to the profile for re-analysis.
  const snap = buildSnapshot(ROOT, "heap");
  tempDirs.push(snap.dir);
  const bundleName = readdirSync(join(snap.dir, "dist")).find((f) => f.endsWith(".js"))!;
  const bundle = `${OUT}.bundle.js`;
  copyFileSync(join(snap.dir, "dist", bundleName), bundle);
  try {
    copyFileSync(join(snap.dir, "dist", `${bundleName}.map`), `${bundle}.map`);
  } catch {
    log("no source map next to the bundle: locations stay bundle lines");
  }
  log(`bundled ${bundleName} → ${bundle}`);

  // 2. wrangler dev, as edge-profile.ts starts it.
  const port = await freePort();
  const inspectorPort = await freePort();
  const persist = mkdtempSync(join(tmpdir(), "airspace-heap-"));
  tempDirs.push(persist);
  const logPath = `${OUT}.wrangler.log`;
  const logFd = openSync(logPath, "a");
  wrangler = spawn(
    process.execPath,
    [
      join(ROOT, "node_modules/wrangler/bin/wrangler.js"),
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--local",
      "--show-interactive-dev-session=false",
      "--persist-to",
      join(persist, "state"),
      "--var",
      `AIRSPACE_JWT_SECRET:${secret}`,
      "--config",
      snap.config,
    ],
    { cwd: ROOT, stdio: ["ignore", logFd, logFd], env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" } },
  );
  closeSync(logFd);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (wrangler.exitCode !== null) throw new Error(`wrangler exited with ${wrangler.exitCode}; see ${logPath}`);
    if (Date.now() > deadline) throw new Error(`no /healthz within 60 s; see ${logPath}`);
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })).ok) break;
    } catch {
      // not up yet
    }
    await sleep(250);
  }
  const workerd = descendants(wrangler.pid!).filter((d) => d.comm.startsWith("workerd"));
  const runtimePids = workerd.filter((w) => readFileSync(`/proc/${w.pid}/cmdline`, "utf8").split("\0").some((a) => a.startsWith("--inspector-addr"))).map((w) => w.pid);
  log(`wrangler dev up on ${url} (pid ${wrangler.pid}); workerd pids ${workerd.map((w) => w.pid).join(", ")}; runtime ${runtimePids.join(", ")}`);

  // 3. The user Worker's target. wrangler's inspector proxy holds workerd's one session for it: go through the proxy.
  let userId = "core:user:airspace";
  for (const pid of runtimePids)
    for (const p of listeningPorts(pid)) {
      const t = await listTargets(p);
      const u = t.find((x) => x.id.startsWith("core:user:"));
      if (u) userId = u.id;
    }
  const viaProxy = await listTargets(inspectorPort);
  if (viaProxy.length === 0) throw new Error(`wrangler's inspector proxy (:${inspectorPort}) lists no target`);
  const target: CdpTarget = viaProxy[0]!;
  const session = await CdpSession.connect(target.webSocketDebuggerUrl, userId);
  sessions.push(session);
  await session.send("HeapProfiler.enable");
  log(`attached to ${userId} via wrangler's proxy (${target.title})`);

  // Heap usage poller (runs from the warm-up to the end of the window).
  const polls: Poll[] = [];
  let phase: Poll["phase"] = "warmup";
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

  // 4. The bench's drone-sockets load, through a stand-in for Edge (only what runDroneSockets uses).
  const opsToken = await mintToken(secret, { sub: "profile", role: "ops" as "relay" }, { ttlS: 86_400 });
  let regionsRef: Iterable<string> = [];
  let loadStarted!: () => void;
  const started = new Promise<void>((r) => (loadStarted = r));
  const regionStats = async (region: string): Promise<RegionStats> => {
    const r = await fetch(`${url}/v1/regions/${region}/stats`, { headers: { Authorization: `Bearer ${opsToken}`, Connection: "close" }, signal: AbortSignal.timeout(5000) });
    if (!r.ok) throw new Error(`stats ${region}: ${r.status}`);
    const j = (await r.json()) as Partial<RegionStats>;
    return { batches: j.batches ?? 0, duplicateBatches: j.duplicateBatches ?? 0, badBatches: j.badBatches ?? 0, points: j.points ?? 0, links: j.links ?? 0, activeAlerts: j.activeAlerts ?? 0 };
  };
  const statsOf = async (regions: Iterable<string>): Promise<RegionStats> => {
    regionsRef = regions;
    const sum: RegionStats = { batches: 0, duplicateBatches: 0, badBatches: 0, points: 0, links: 0, activeAlerts: 0 };
    for (const k of [...regions]) {
      const s = await regionStats(k);
      for (const f of Object.keys(sum) as (keyof RegionStats)[]) sum[f] += s[f];
    }
    return sum;
  };
  const fakeEdge = {
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    regionStats,
    statsOf,
    cpuMicros: () => {
      loadStarted(); // runDroneSockets reads the CPU right before its first report
      let ticks = 0;
      for (const w of workerd) {
        try {
          ticks += parseProcCpuTicks(readFileSync(`/proc/${w.pid}/stat`, "utf8"));
        } catch {
          // exited
        }
      }
      return (ticks * 1e6) / CLK_TCK;
    },
  } as unknown as Edge;
  const durationMs = (WARMUP + SECONDS + 1) * 1000;
  const load = runDroneSockets(fakeEdge, secret, { drones: SOCKETS, pairsPerKind: PAIRS, durationMs, seed: 1, idPrefix: "heap", log });
  load.catch(() => {}); // awaited below
  await withTimeout(Promise.race([started, load.then(() => Promise.reject(new Error("load ended before it started")))]), 60_000, "connecting the sockets");
  log(`${SOCKETS} sockets connected, reports flowing; warming up ${WARMUP} s (heap usage polled, no sampler)`);
  await sleep(WARMUP * 1000);

  // 5. Sampling window.
  const st0 = await statsOf(regionsRef);
  await session.send("HeapProfiler.startSampling", { samplingInterval: INTERVAL_B, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  const w0 = performance.now();
  phase = "window";
  log(`sampling heap profiler running for ${SECONDS} s`);
  await sleep(SECONDS * 1000);
  const stopped = await session.send<{ profile: SamplingHeapProfile }>("HeapProfiler.stopSampling", {}, 60_000);
  const wallMs = performance.now() - w0;
  polling = false;
  await poller;
  const st1 = await statsOf(regionsRef);
  const points = st1.points - st0.points;
  log(`sampling stopped: ${wallMs.toFixed(0)} ms, ${points} points applied by regions in ${st1.batches - st0.batches} batches`);
  await session.send("HeapProfiler.disable").catch(() => {});
  for (const p of polls) p.t -= w0; // ms from the window's start

  const res = await withTimeout(load, 60_000, "the drone-sockets load");
  log(`load done: ${res.sent} sent, ${res.accepted} accepted, ${res.connected}/${res.drones} connected${res.dataLoss ? `, LOSS: ${res.dataLoss}` : ""}`);
  await cleanup();
  log("edge stopped");

  // 6. Outputs.
  const profile = stopped.profile;
  writeFileSync(`${OUT}.heapprofile`, JSON.stringify(profile));
  writeFileSync(`${OUT}.heapusage.json`, JSON.stringify(polls));
  const text = [
    heapUsageReport(polls, wallMs),
    "",
    summariseHeap(profile, { bundle, scriptUrl: bundleName, top: TOP, seconds: wallMs / 1000, points }),
    "",
    `raw: ${OUT}.heapprofile (open in Chrome DevTools › Memory), ${OUT}.heapusage.json, bundle ${bundle}(.map)`,
  ].join("\n");
  console.log(text);
  clearTimeout(watchdog);
}

// ---------------------------------------------------------------------------------------------------
// Heap usage: min/max, GC drops, poll round trips.

function heapUsageReport(polls: Poll[], wallMs: number): string {
  const out: string[] = [];
  const mib = (b: number) => `${(b / MiB).toFixed(1)} MiB`;
  for (const ph of ["warmup", "window"] as const) {
    const ps = polls.filter((p) => p.phase === ph);
    if (ps.length < 2) continue;
    const used = ps.map((p) => p.used);
    const total = ps.map((p) => p.total);
    const rtts = ps.map((p) => p.rttMs).sort((a, b) => a - b);
    const q = (f: number) => rtts[Math.min(rtts.length - 1, Math.floor(f * rtts.length))]!;
    const spanS = (ps.at(-1)!.t - ps[0]!.t) / 1000;
    out.push(`== heap usage, ${ph === "warmup" ? "warm-up (no sampler)" : `sampling window (${(wallMs / 1000).toFixed(1)} s)`}: ${ps.length} polls over ${spanS.toFixed(1)} s`);
    out.push(`   usedSize  min ${mib(Math.min(...used))}  max ${mib(Math.max(...used))}   totalSize  min ${mib(Math.min(...total))}  max ${mib(Math.max(...total))}`);
    out.push(`   poll round trip (answered on the isolate thread): p50 ${q(0.5).toFixed(1)} ms, p90 ${q(0.9).toFixed(1)} ms, max ${rtts.at(-1)!.toFixed(1)} ms`);
    let rise = 0;
    const drops: { t: number; from: number; to: number; rtt: number }[] = [];
    let smallDrops = 0;
    for (let i = 1; i < ps.length; i++) {
      const d = ps[i]!.used - ps[i - 1]!.used;
      if (d > 0) rise += d;
      else if (-d >= DROP_MIB * MiB) drops.push({ t: ps[i]!.t, from: ps[i - 1]!.used, to: ps[i]!.used, rtt: ps[i]!.rttMs });
      else if (d < 0) smallDrops++;
    }
    out.push(`   net growth between polls ${mib(rise)} = ${(rise / MiB / Math.max(0.001, spanS)).toFixed(1)} MiB/s (a floor on what survives scavenges)`);
    const sizes = drops.map((d) => (d.from - d.to) / MiB);
    const sum = sizes.reduce((a, b) => a + b, 0);
    out.push(
      `   GC drops ≥ ${DROP_MIB} MiB: ${drops.length} (${(drops.length / Math.max(0.001, spanS)).toFixed(2)}/s, one every ${drops.length > 0 ? (spanS / drops.length).toFixed(1) : "-"} s), freed ${sum.toFixed(1)} MiB, mean ${drops.length ? (sum / drops.length).toFixed(1) : "-"} MiB; smaller drops: ${smallDrops}`,
    );
    for (const d of drops) out.push(`     t=${(d.t / 1000).toFixed(2).padStart(6)} s  ${mib(d.from)} → ${mib(d.to)}  (−${((d.from - d.to) / MiB).toFixed(1)} MiB)  poll rtt ${d.rtt.toFixed(0)} ms`);
    const slow = ps.filter((p) => p.rttMs >= 20);
    if (slow.length) out.push(`   polls ≥ 20 ms: ${slow.map((p) => `${(p.t / 1000).toFixed(2)} s:${p.rttMs.toFixed(0)}ms`).join(", ")}`);
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
}

/** V8's pseudo-frames of the sampling heap profiler: allocations with no JS frame on the stack. */
const PSEUDO = /^\((root|V8 API|GC|PARSER|BYTECODE_COMPILER|COMPILER|EXTERNAL|IDLE|JS|LOGGING|OTHER|PROGRAM)\)$/;

export function summariseHeap(profile: SamplingHeapProfile, o: HeapSummaryOptions): string {
  const top = o.top ?? 25;
  let map: SourceMap | null = null;
  if (o.bundle && existsSync(`${o.bundle}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${o.bundle}.map`, "utf8")));
  const bundleBase = o.scriptUrl ?? "index.js";

  const frameInfo = new Map<string, { key: string; name: string; where: string; file: string }>();
  const info = (cf: CallFrame) => {
    const key = `${cf.functionName}|${cf.url}|${cf.lineNumber}|${cf.columnNumber}`;
    let i = frameInfo.get(key);
    if (i) return i;
    const name = cf.functionName || "(anonymous)";
    if (cf.url === "" && PSEUDO.test(cf.functionName)) i = { key, name, where: "", file: name };
    else if (cf.url === "") i = { key, name, where: "[native/builtin]", file: "(native/builtin, no url)" };
    else if (cf.url === bundleBase || cf.url.endsWith(`/${bundleBase}`)) {
      const orig = map?.lookup(cf.lineNumber, cf.columnNumber) ?? null;
      i = orig
        ? { key, name, where: `${orig.source}:${orig.line}`, file: orig.source }
        : { key, name, where: `bundle:${cf.lineNumber + 1}`, file: "(bundle, unmapped: esbuild helpers)" };
    } else i = { key, name, where: `${cf.url}:${cf.lineNumber + 1}`, file: cf.url };
    frameInfo.set(key, i);
    return i;
  };

  // Walk the tree: self bytes per leaf function, callers per site, inclusive per function, per file.
  interface Site {
    name: string;
    where: string;
    file: string;
    self: number;
    total: number;
    sampledBytes: number;
    samples: number;
    callers: Map<string, number>;
  }
  const sites = new Map<string, Site>();
  const files = new Map<string, number>();
  const nodeSite = new Map<number, string>();
  const site = (i: ReturnType<typeof info>) => {
    let s = sites.get(i.key);
    if (!s) sites.set(i.key, (s = { name: i.name, where: i.where, file: i.file, self: 0, total: 0, sampledBytes: 0, samples: 0, callers: new Map() }));
    return s;
  };
  let all = 0;
  const walk = (n: HeapNode, stack: ReturnType<typeof info>[]): number => {
    const i = info(n.callFrame);
    const isRoot = n.callFrame.functionName === "(root)" && stack.length === 0;
    let sub = n.selfSize;
    const st = isRoot ? stack : [...stack, i];
    for (const c of n.children ?? []) sub += walk(c, st);
    if (!isRoot) {
      nodeSite.set(n.id, i.key);
      const s = site(i);
      s.self += n.selfSize;
      if (!stack.some((x) => x.key === i.key)) s.total += sub; // recursion counted once
      if (n.selfSize > 0) {
        files.set(i.file, (files.get(i.file) ?? 0) + n.selfSize);
        const caller = stack.at(-1);
        const ck = caller ? `${caller.name} ${caller.where}` : "(no JS caller)";
        s.callers.set(ck, (s.callers.get(ck) ?? 0) + n.selfSize);
      }
      all += n.selfSize;
    }
    return sub;
  };
  walk(profile.head, []);
  for (const smp of profile.samples ?? []) {
    const k = nodeSite.get(smp.nodeId);
    const s = k ? sites.get(k) : undefined;
    if (s) {
      s.samples++;
      s.sampledBytes += smp.size;
    }
  }

  const sec = Math.max(0.001, o.seconds);
  const rate = (b: number) => `${(b / sec / MiB).toFixed(2).padStart(6)} MiB/s`;
  const pct = (b: number) => `${((100 * b) / Math.max(1, all)).toFixed(1).padStart(5)}%`;
  const perPt = (b: number) => (o.points ? `${(b / o.points).toFixed(0).padStart(5)} B/pt` : "");
  const out: string[] = [];
  const nSamples = profile.samples?.length ?? 0;
  out.push(
    `== sampling heap profile (incl. objects later collected): ${(all / MiB).toFixed(1)} MiB in ${sec.toFixed(2)} s = ${(all / sec / MiB).toFixed(2)} MiB/s, ${nSamples} samples${o.points ? `; ${o.points} points → ${(all / o.points).toFixed(0)} B/pt (${((o.points / sec) | 0)} pt/s)` : ""}`,
  );
  out.push(`-- top ${top} allocation sites by self size (rate, share, per point, samples, mean sampled object B; function  src:line of the function; ← heaviest caller)`);
  const list = [...sites.values()];
  for (const s of [...list].sort((a, b) => b.self - a.self).slice(0, top)) {
    if (s.self <= 0) break;
    const [callerName, callerBytes] = [...s.callers].sort((a, b) => b[1] - a[1])[0] ?? ["", 0];
    const avg = s.samples ? (s.sampledBytes / s.samples).toFixed(0) : "-";
    out.push(
      `  ${rate(s.self)} ${pct(s.self)} ${perPt(s.self)} ${String(s.samples).padStart(6)} ${String(avg).padStart(6)} B  ${s.name}  ${s.where}${callerName ? `   ← ${callerName} (${((100 * callerBytes) / s.self).toFixed(0)}%)` : ""}`,
    );
  }
  out.push(`-- top 15 by source file (self)`);
  for (const [f, b] of [...files].sort((a, b) => b[1] - a[1]).slice(0, 15)) out.push(`  ${rate(b)} ${pct(b)} ${perPt(b)}  ${f}`);
  out.push(`-- top 15 functions by inclusive size (self + callees)`);
  for (const s of [...list].filter((x) => !PSEUDO.test(x.name)).sort((a, b) => b.total - a.total).slice(0, 15)) out.push(`  ${rate(s.total)} ${pct(s.total)} ${perPt(s.total)}  ${s.name}  ${s.where}`);
  return out.join("\n");
}

main().then(
  () => process.exit(0),
  async (e) => {
    console.error(`heap-profile failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    await cleanup().catch(() => {});
    process.exit(1);
  },
);
