/**
 * CPU profile of the local edge's workerd isolates under the drone-sockets load of `npm run bench`
 * (scenario 2: N DroneClient sockets, one report each at 10 Hz; scripts/bench/drone-sockets.ts).
 *
 *   npx tsx scripts/profile/edge-profile.ts [--sockets 500] [--seconds 8] [--warmup 4] [--interval 200]
 *                                           [--pairs 6] [--top 30] [--out /tmp/airspace-edge-<time>] [--no-perf] [--all-targets]
 *
 * Like the bench: bundles the Worker once (frozen snapshot), runs `wrangler dev --local` on free loopback
 * ports (spawned here, not through Edge, to know its inspector port), then attaches to workerd's own
 * inspector (found among the runtime process's listening ports; wrangler's --inspector-port proxy as a
 * fallback) and runs the V8 sampling profiler (Profiler.*) on every worker target while the load runs.
 * Writes <out>.<target>.cpuprofile (+ <out>.bundle.js/.map, for `scripts/profile/cpuprofile.ts`), prints
 * per-process CPU in the window and the summary of each profile. Then, with the V8 profiler off, a second
 * window of the same length under Linux `perf record` (if installed; --no-perf skips it) for the native
 * side the V8 sampler cannot see (it samples only while the isolate lock is held). Stops everything it started by PID;
 * a watchdog ends the run after 170 s.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, copyFileSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
import { summarise, type CpuProfile } from "./cpuprofile.js";
import { perfAvailable, perfRecord, perfSummary } from "./perf.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const CLK_TCK = 100;
const WATCHDOG_MS = 170_000;

const args = parseArgs(process.argv.slice(2), ["no-perf", "all-targets"]);
const SOCKETS = numberArg(args, "sockets", 500);
const SECONDS = numberArg(args, "seconds", 8);
const WARMUP = numberArg(args, "warmup", 4);
const INTERVAL_US = numberArg(args, "interval", 200);
const PAIRS = numberArg(args, "pairs", 6);
const TOP = numberArg(args, "top", 30);
const OUT = typeof args.get("out") === "string" ? (args.get("out") as string) : `/tmp/airspace-edge-${new Date().toISOString().replace(/[:.]/g, "-")}`;

const t0 = performance.now();
const log = (s: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${s}`);

// ---------------------------------------------------------------------------------------------------
// Everything started here, stopped by PID (also on a signal, a crash or the watchdog).

let wrangler: ChildProcess | null = null;
const tempDirs: string[] = [];
const sessions: CdpSession[] = [];

function killTree(sig: NodeJS.Signals): number[] {
  const p = wrangler;
  if (!p || p.pid === undefined) return [];
  const pids = [...descendants(p.pid).map((d) => d.pid), p.pid];
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
  return pids;
}

function cleanupSync(): void {
  for (const s of sessions.splice(0)) s.close();
  killTree("SIGKILL");
  wrangler = null;
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
// Per-process / per-thread CPU from /proc.

interface CpuSnap {
  proc: Map<number, number>;
  threads: Map<string, number>;
}
function cpuSnap(pids: number[]): CpuSnap {
  const proc = new Map<number, number>();
  const threads = new Map<string, number>();
  for (const pid of pids) {
    try {
      proc.set(pid, parseProcCpuTicks(readFileSync(`/proc/${pid}/stat`, "utf8")));
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const st = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
        const comm = st.slice(st.indexOf("(") + 1, st.lastIndexOf(")"));
        threads.set(`${pid}/${tid} ${comm}`, parseProcCpuTicks(st));
      }
    } catch {
      // exited
    }
  }
  return { proc, threads };
}
const ticksMs = (t: number) => (t * 1000) / CLK_TCK;

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const secret = randomBytes(24).toString("hex");
  log(`profiling ${SOCKETS} drone sockets at 10 Hz: warm-up ${WARMUP} s, profile ${SECONDS} s, sampling every ${INTERVAL_US} µs`);

  // 1. Frozen bundle, kept next to the profiles for later re-analysis.
  const snap = buildSnapshot(ROOT, "profile");
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

  // 2. wrangler dev, as scripts/bench/edge.ts starts it (sockets scenario: no extra vars).
  const port = await freePort();
  const inspectorPort = await freePort();
  const persist = mkdtempSync(join(tmpdir(), "airspace-profile-"));
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
  const role = new Map<number, string>();
  for (const w of workerd) {
    const cmd = readFileSync(`/proc/${w.pid}/cmdline`, "utf8").split("\0");
    role.set(w.pid, cmd.some((a) => a.startsWith("--inspector-addr")) ? "runtime (user Worker + DOs)" : cmd.some((a) => a.includes(`:${port}`)) ? "wrangler proxy (entry port)" : "workerd");
  }
  log(`wrangler dev up on ${url} (pid ${wrangler.pid}); workerd: ${workerd.map((w) => `${w.pid} = ${role.get(w.pid)}`).join(", ")}`);

  // 3. Inspector targets: workerd's own inspector lists every worker of the runtime process.
  let targets: CdpTarget[] = [];
  for (const w of workerd.filter((w) => role.get(w.pid)!.startsWith("runtime"))) {
    for (const p of listeningPorts(w.pid)) {
      const t = await listTargets(p);
      if (t.some((x) => x.id.startsWith("core:user:"))) {
        targets = t;
        log(`workerd inspector of pid ${w.pid} on port ${p}: ${t.map((x) => x.id).join(", ")}`);
      }
    }
  }
  // workerd's inspector takes one session per target, and wrangler's inspector proxy already holds the
  // user Worker's: profile that one through the proxy (--inspector-port), the others directly.
  const viaProxy = await listTargets(inspectorPort);
  log(`wrangler's inspector proxy (:${inspectorPort}) lists: ${viaProxy.map((x) => `${x.id} "${x.title}"`).join(", ") || "nothing"}`);
  if (viaProxy.length > 0) {
    const proxied = { ...viaProxy[0]!, id: targets.find((t) => t.id.startsWith("core:user:"))?.id ?? "core:user (via wrangler proxy)" };
    targets = [proxied, ...targets.filter((t) => t.id !== proxied.id)];
  }
  if (targets.length === 0) throw new Error("no inspector targets");
  // By default only the user Worker (gateway + Durable Objects share its isolate): miniflare's core:entry and
  // strip-cf-connecting-ip pass WebSockets through natively and ran no JS under this load, and every profiled
  // target costs a V8 profiler thread (~0.5 core-s per 8 s at 200 µs). --all-targets adds them back.
  const wanted = args.has("all-targets") ? (t: CdpTarget) => !/^(cache:|core:local-explorer)/.test(t.id) : (t: CdpTarget) => t.id.startsWith("core:user");
  const profiled: CdpTarget[] = [];
  for (const t of targets.filter(wanted)) {
    let s: CdpSession | null = null;
    try {
      s = await CdpSession.connect(t.webSocketDebuggerUrl, t.id);
      await s.send("Profiler.enable");
      await s.send("Profiler.setSamplingInterval", { interval: INTERVAL_US });
      sessions.push(s);
      profiled.push(t);
    } catch (e) {
      s?.close();
      log(`cannot profile ${t.id} (${t.webSocketDebuggerUrl}): ${String(e)}`);
      if (t.id.startsWith("core:user")) throw e;
    }
  }
  log(`attached to ${profiled.map((t) => t.id).join(", ")}`);

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
    regionsRef = regions; // runDroneSockets' live set of regions
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
    // runDroneSockets reads the CPU right before its first report: that is "load started".
    cpuMicros: () => {
      loadStarted();
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
  const perf = args.has("no-perf") ? null : perfAvailable();
  const durationMs = (WARMUP + SECONDS + 1 + (perf ? SECONDS + 3 : 0)) * 1000;
  const load = runDroneSockets(fakeEdge, secret, { drones: SOCKETS, pairsPerKind: PAIRS, durationMs, seed: 1, idPrefix: "prof", log });
  load.catch(() => {}); // awaited below
  await withTimeout(Promise.race([started, load.then(() => Promise.reject(new Error("load ended before it started")))]), 60_000, "connecting the sockets");
  log(`${SOCKETS} sockets connected, reports flowing; warming up ${WARMUP} s`);
  await sleep(WARMUP * 1000);

  // 5a. V8 profile window.
  const pids = workerd.map((w) => w.pid);
  const st0 = await statsOf(regionsRef);
  const c0 = cpuSnap(pids);
  const w0 = performance.now();
  await Promise.all(sessions.map((s) => s.send("Profiler.start")));
  log(`V8 profiler running for ${SECONDS} s`);
  await sleep(SECONDS * 1000);
  const cMid = cpuSnap(pids); // the profiler's own threads are still alive here
  const stopped = await Promise.all(sessions.map((s) => s.send<{ profile: CpuProfile }>("Profiler.stop", {}, 60_000)));
  const wallMs = performance.now() - w0;
  const c1 = cpuSnap(pids);
  const st1 = await statsOf(regionsRef);
  const points = st1.points - st0.points;
  log(`V8 profile stopped: ${wallMs.toFixed(0)} ms, ${points} points applied by regions in ${st1.batches - st0.batches} batches`);
  await Promise.all(sessions.map((s) => s.send("Profiler.disable").catch(() => {})));

  // 5b. perf window (no V8 profiler running): the native side, and a clean CPU-per-point figure.
  let perfWin: { c0: CpuSnap; c1: CpuSnap; wallMs: number; points: number; data: string; ok: boolean } | null = null;
  if (perf) {
    const data = `${OUT}.perf.data`;
    const st2 = await statsOf(regionsRef);
    const c2 = cpuSnap(pids);
    const w2 = performance.now();
    log(`perf record for ${SECONDS} s (pids ${pids.join(",")})`);
    const rec = await perfRecord(perf, pids, SECONDS, data);
    const wall2 = performance.now() - w2;
    const c3 = cpuSnap(pids);
    const st3 = await statsOf(regionsRef);
    if (!rec.ok) log(`perf record failed: ${rec.stderr.trim().split("\n").slice(-3).join(" | ")}`);
    perfWin = { c0: c2, c1: c3, wallMs: wall2, points: st3.points - st2.points, data, ok: rec.ok };
  }

  const res = await withTimeout(load, 60_000, "the drone-sockets load");
  log(
    `load done: ${res.sent} sent, ${res.accepted} accepted, ${res.connected}/${res.drones} connected, bench-style CPU ${res.cpuUsPerPoint.toFixed(1)} µs/pt over the whole run${res.dataLoss ? `, LOSS: ${res.dataLoss}` : ""}`,
  );
  await cleanup();
  log("edge stopped");

  // 6. Report.
  const lines: string[] = [];
  lines.push(...cpuReport(`V8-profile window (profiler on, ${INTERVAL_US} µs)`, c0, c1, wallMs, points, pids, role, cMid));
  if (perfWin) lines.push(...cpuReport("perf window (no V8 profiler)", perfWin.c0, perfWin.c1, perfWin.wallMs, perfWin.points, pids, role));
  for (let i = 0; i < profiled.length; i++) {
    const t = profiled[i]!;
    const profile = stopped[i]!.profile;
    const file = `${OUT}.${t.id.replace(/[^A-Za-z0-9_.-]+/g, "_")}.cpuprofile`;
    writeFileSync(file, JSON.stringify(profile));
    const isUser = t.id.startsWith("core:user:") || profiled.length === 1;
    const text = summarise(profile, { bundle, scriptUrl: bundleName, top: isUser ? TOP : 5, points, intervalUs: INTERVAL_US, label: `${t.id} → ${file}` });
    lines.push("", isUser ? text : `${text.split("\n").slice(0, 2).join("\n")} (${(profile.samples ?? []).length} samples: no JS ran there)`);
  }
  if (perfWin?.ok) {
    log("perf report …");
    const pw = perfWin;
    const usPerPt = (pid: number) => (ticksMs((pw.c1.proc.get(pid) ?? 0) - (pw.c0.proc.get(pid) ?? 0)) * 1000) / Math.max(1, pw.points);
    const info = new Map(pids.map((p) => [p, { label: role.get(p)!, usPerPt: usPerPt(p), top: role.get(p)!.startsWith("runtime") ? TOP : 10 }]));
    lines.push("", await perfSummary(perf!, pw.data, info, TOP));
  }
  lines.push("", `re-analyse: npx tsx scripts/profile/cpuprofile.ts ${OUT}.<target>.cpuprofile ${bundle} --points ${points} --interval ${INTERVAL_US}`);
  if (perfWin?.ok) lines.push(`            perf report -i ${perfWin.data} --no-children --sort dso,sym`);
  console.log(lines.join("\n"));
  clearTimeout(watchdog);
}

function cpuReport(title: string, a: CpuSnap, b: CpuSnap, wallMs: number, points: number, pids: number[], role: Map<number, string>, mid?: CpuSnap): string[] {
  const lines = [`workerd CPU, ${title}: ${(wallMs / 1000).toFixed(2)} s, ${points} points (${((points * 1000) / wallMs).toFixed(0)}/s); /proc, 10 ms ticks`];
  let all = 0;
  for (const pid of pids) {
    const d = ticksMs((b.proc.get(pid) ?? 0) - (a.proc.get(pid) ?? 0));
    all += d;
    lines.push(`  pid ${pid} ${role.get(pid)}: ${d.toFixed(0)} ms = ${((100 * d) / wallMs).toFixed(0)}% of a core = ${((d * 1000) / Math.max(1, points)).toFixed(1)} µs/pt`);
    let named = 0;
    const keys = new Set([...(mid?.threads.keys() ?? []), ...b.threads.keys()].filter((k) => k.startsWith(`${pid}/`)));
    for (const k of keys) {
      const end = Math.max(b.threads.get(k) ?? 0, mid?.threads.get(k) ?? 0);
      const dt = ticksMs(end - (a.threads.get(k) ?? 0));
      named += dt;
      if (dt >= 20) lines.push(`     thread ${k}: ${dt.toFixed(0)} ms = ${((dt * 1000) / Math.max(1, points)).toFixed(1)} µs/pt${b.threads.has(k) ? "" : " (ended: profiler thread)"}${a.threads.has(k) ? "" : " (new)"}`);
    }
    if (d - named >= 20) lines.push(`     threads not seen: ${(d - named).toFixed(0)} ms`);
  }
  lines.push(`  all workerd: ${((all * 1000) / Math.max(1, points)).toFixed(1)} µs/pt (what the bench's cpuUsPerPoint counts)`);
  return lines;
}

main().then(
  () => process.exit(0),
  async (e) => {
    console.error(`edge-profile failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    await cleanup().catch(() => {});
    process.exit(1);
  },
);
