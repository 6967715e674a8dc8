/**
 * CPU profile of the local edge's workerd isolates under the drone-sockets load of `npm run bench`
 * (scenario 2: N DroneClient sockets, one report each at 10 Hz; scripts/bench/drone-sockets.ts).
 *
 *   npx tsx scripts/profile/edge-profile.ts [--sockets 500] [--seconds 8] [--warmup 4] [--interval 200]
 *                                           [--pairs 6] [--top 30] [--out /tmp/airspace-edge-<time>] [--no-perf] [--all-targets]
 *
 * Like the bench: bundles the Worker once (frozen snapshot), runs `wrangler dev --local` on free loopback
 * ports (scripts/profile/profiled-edge.ts, not through Edge, to know its inspector port), then attaches to workerd's own
 * inspector (found among the runtime process's listening ports; wrangler's --inspector-port proxy as a
 * fallback) and runs the V8 sampling profiler (Profiler.*) on every worker target while the load runs.
 * Writes <out>.<target>.cpuprofile (+ <out>.bundle.js/.map, for `scripts/profile/cpuprofile.ts`), prints
 * per-process CPU in the window and the summary of each profile. Then, with the V8 profiler off, a second
 * window of the same length under Linux `perf record` (if installed; --no-perf skips it) for the native
 * side the V8 sampler cannot see (it samples only while the isolate lock is held). Stops everything it started by PID;
 * a watchdog ends the run after 170 s.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { CLK_TCK, sleep } from "../bench/processes.js";
import { parseProcCpuTicks } from "../bench/stats.js";
import { commandLineOrExit, numberFlag } from "../lib/cli.mjs";
import type { CdpSession, CdpTarget } from "./cdp.js";
import { summarise, type CpuProfile } from "./cpuprofile.js";
import { perfAvailable, perfRecord, perfSummary } from "./perf.js";
import { ProfiledEdge, withTimeout } from "./profiled-edge.js";

const args = commandLineOrExit(process.argv.slice(2), {
  name: "edge-profile",
  usage:
    "usage: npx tsx scripts/profile/edge-profile.ts [--sockets 500] [--seconds 8] [--warmup 4] [--interval 200] [--pairs 6] [--top 30] [--out /tmp/airspace-edge-<time>] [--no-perf] [--all-targets]",
  options: {
    sockets: { type: "string" },
    seconds: { type: "string" },
    warmup: { type: "string" },
    interval: { type: "string" },
    pairs: { type: "string" },
    top: { type: "string" },
    out: { type: "string" },
    "no-perf": { type: "boolean" },
    "all-targets": { type: "boolean" },
  },
} as const);
const SOCKETS = numberFlag(args, "sockets", 500);
const SECONDS = numberFlag(args, "seconds", 8);
const WARMUP = numberFlag(args, "warmup", 4);
const INTERVAL_US = numberFlag(args, "interval", 200);
const PAIRS = numberFlag(args, "pairs", 6);
const TOP = numberFlag(args, "top", 30);
const OUT = args.out !== undefined ? args.out : `/tmp/airspace-edge-${new Date().toISOString().replace(/[:.]/g, "-")}`;

const edge = new ProfiledEdge({ out: OUT, label: "profile", name: "edge-profile" });
const log = edge.log;

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
  log(`profiling ${SOCKETS} drone sockets at 10 Hz: warm-up ${WARMUP} s, profile ${SECONDS} s, sampling every ${INTERVAL_US} µs`);

  // 1-2. Frozen bundle (kept next to the profiles for later re-analysis), wrangler dev.
  await edge.start();
  const { bundle, bundleName, workerd } = edge;
  const role = new Map(workerd.map((w) => [w.pid, w.role]));

  // 3. Inspector targets. By default only the user Worker (gateway + Durable Objects share its isolate): miniflare's
  // core:entry and strip-cf-connecting-ip pass WebSockets through natively and ran no JS under this load, and every
  // profiled target costs a V8 profiler thread (~0.5 core-s per 8 s at 200 µs). --all-targets adds them back.
  const { targets } = await edge.targets();
  if (targets.length === 0) throw new Error("no inspector targets");
  const wanted = args["all-targets"] === true ? (t: CdpTarget) => !/^(cache:|core:local-explorer)/.test(t.id) : (t: CdpTarget) => t.id.startsWith("core:user");
  const sessions: CdpSession[] = [];
  const profiled: CdpTarget[] = [];
  for (const t of targets.filter(wanted)) {
    let s: CdpSession | null = null;
    try {
      s = await edge.attach(t);
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

  // 4. The bench's drone-sockets load.
  const perf = args["no-perf"] === true ? null : perfAvailable();
  const durationMs = (WARMUP + SECONDS + 1 + (perf ? SECONDS + 3 : 0)) * 1000;
  const { load, stats } = await edge.startLoad({ sockets: SOCKETS, pairs: PAIRS, durationMs, idPrefix: "prof" });
  log(`${SOCKETS} sockets connected, reports flowing; warming up ${WARMUP} s`);
  await sleep(WARMUP * 1000);

  // 5a. V8 profile window.
  const pids = workerd.map((w) => w.pid);
  const st0 = await stats();
  const c0 = cpuSnap(pids);
  const w0 = performance.now();
  await Promise.all(sessions.map((s) => s.send("Profiler.start")));
  log(`V8 profiler running for ${SECONDS} s`);
  await sleep(SECONDS * 1000);
  const cMid = cpuSnap(pids); // the profiler's own threads are still alive here
  const stopped = await Promise.all(sessions.map((s) => s.send<{ profile: CpuProfile }>("Profiler.stop", {}, 60_000)));
  const wallMs = performance.now() - w0;
  const c1 = cpuSnap(pids);
  const st1 = await stats();
  const points = st1.points - st0.points;
  log(`V8 profile stopped: ${wallMs.toFixed(0)} ms, ${points} points applied by regions in ${st1.batches - st0.batches} batches`);
  await Promise.all(sessions.map((s) => s.send("Profiler.disable").catch(() => {})));

  // 5b. perf window (no V8 profiler running): the native side, and a clean CPU-per-point figure.
  let perfWin: { c0: CpuSnap; c1: CpuSnap; wallMs: number; points: number; data: string; ok: boolean } | null = null;
  if (perf) {
    const data = `${OUT}.perf.data`;
    const st2 = await stats();
    const c2 = cpuSnap(pids);
    const w2 = performance.now();
    log(`perf record for ${SECONDS} s (pids ${pids.join(",")})`);
    const rec = await perfRecord(perf, pids, SECONDS, data);
    const wall2 = performance.now() - w2;
    const c3 = cpuSnap(pids);
    const st3 = await stats();
    if (!rec.ok) log(`perf record failed: ${rec.stderr.trim().split("\n").slice(-3).join(" | ")}`);
    perfWin = { c0: c2, c1: c3, wallMs: wall2, points: st3.points - st2.points, data, ok: rec.ok };
  }

  const res = await withTimeout(load, 60_000, "the drone-sockets load");
  log(
    `load done: ${res.sent} sent, ${res.accepted} accepted, ${res.connected}/${res.drones} connected, bench-style CPU ${res.cpuUsPerPoint.toFixed(1)} µs/pt over the whole run${res.dataLoss ? `, LOSS: ${res.dataLoss}` : ""}`,
  );
  await edge.stop();

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
}

function cpuReport(title: string, a: CpuSnap, b: CpuSnap, wallMs: number, points: number, pids: number[], role: Map<number, string>, mid?: CpuSnap): string[] {
  const lines = [`workerd CPU, ${title}: ${(wallMs / 1000).toFixed(2)} s, ${points} points (${((points * 1000) / wallMs).toFixed(0)}/s); /proc, 10 ms ticks`];
  let all = 0;
  for (const pid of pids) {
    const d = ticksMs((b.proc.get(pid) ?? 0) - (a.proc.get(pid) ?? 0));
    all += d;
    lines.push(
      `  pid ${pid} ${role.get(pid)}: ${d.toFixed(0)} ms = ${((100 * d) / wallMs).toFixed(0)}% of a core = ${((d * 1000) / Math.max(1, points)).toFixed(1)} µs/pt`,
    );
    let named = 0;
    const keys = new Set([...(mid?.threads.keys() ?? []), ...b.threads.keys()].filter((k) => k.startsWith(`${pid}/`)));
    for (const k of keys) {
      const end = Math.max(b.threads.get(k) ?? 0, mid?.threads.get(k) ?? 0);
      const dt = ticksMs(end - (a.threads.get(k) ?? 0));
      named += dt;
      if (dt >= 20)
        lines.push(
          `     thread ${k}: ${dt.toFixed(0)} ms = ${((dt * 1000) / Math.max(1, points)).toFixed(1)} µs/pt${b.threads.has(k) ? "" : " (ended: profiler thread)"}${a.threads.has(k) ? "" : " (new)"}`,
        );
    }
    if (d - named >= 20) lines.push(`     threads not seen: ${(d - named).toFixed(0)} ms`);
  }
  lines.push(`  all workerd: ${((all * 1000) / Math.max(1, points)).toFixed(1)} µs/pt (what the bench's cpuUsPerPoint counts)`);
  return lines;
}

edge.run(main);
