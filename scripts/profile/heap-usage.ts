/**
 * The isolate's heap usage through a profiling run: Runtime.getHeapUsage polled at a fixed period on the
 * run's phases, and the report of it (min/max, GC drops, poll round trips). The poll is answered on the
 * isolate thread (after the inspector's queue), so a long round trip bounds a stall from below.
 */
import { sleep } from "../bench/processes.js";
import type { CdpSession } from "./cdp.js";

const MiB = 1024 * 1024;

export type Phase = "connect" | "warmup" | "alloc" | "survivors";
export const PHASE_TITLE: Record<Phase, string> = {
  connect: "connecting the sockets (no sampler)",
  warmup: "warm-up, load running (no sampler)",
  alloc: "window 1, sampling all allocations",
  survivors: "window 2, sampling scavenge survivors",
};

interface HeapUsage {
  usedSize: number;
  totalSize: number;
  embedderHeapUsedSize?: number;
  backingStorageSize?: number;
}

export interface Poll {
  /** performance.now() at the request; after the window, ms since the window's start (negative: warm-up). */
  t: number;
  rttMs: number;
  used: number;
  total: number;
  phase: Phase;
}

/** Polls every `pollMs` (no catch-up burst after a stalled poll), each poll tagged with `phase()`, until `stop()`. */
export function pollHeapUsage(session: CdpSession, pollMs: number, phase: () => Phase, log: (s: string) => void): { polls: Poll[]; stop: () => Promise<void> } {
  const polls: Poll[] = [];
  let polling = true;
  const poller = (async () => {
    let next = performance.now();
    while (polling) {
      const a = performance.now();
      try {
        const u = await session.send<HeapUsage>("Runtime.getHeapUsage", {}, 10_000);
        const b = performance.now();
        polls.push({ t: a, rttMs: b - a, used: u.usedSize, total: u.totalSize, phase: phase() });
      } catch (e) {
        log(`Runtime.getHeapUsage failed: ${String(e)}`);
      }
      next += pollMs;
      const now = performance.now();
      if (next < now) next = now;
      await sleep(next - now);
    }
  })();
  return {
    polls,
    stop: () => {
      polling = false;
      return poller;
    },
  };
}

export interface HeapUsageOptions {
  pollMs: number;
  /** A drop between polls of at least this much is counted as a GC. */
  dropMiB: number;
  /** A GC that lands at least this much below the previous post-GC level is counted as a major GC. */
  majorMiB: number;
}

/** Per phase: usedSize and totalSize min/max, poll round trips and, once the load runs, the rise and the GC drops between polls. */
export function heapUsageReport(polls: Poll[], windows: { phase: Phase; wallMs: number }[], o: HeapUsageOptions): string {
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
      else if (-d >= o.dropMiB * MiB) {
        // Scavenges leave the heap at a level that creeps up with what they promote; a drop to well below
        // the previous post-GC level freed old-generation objects: a major GC (heuristic, --major-mib).
        drops.push({ t: ps[i]!.t, from: ps[i - 1]!.used, to: ps[i]!.used, rtt: ps[i]!.rttMs, major: ps[i]!.used < floor - o.majorMiB * MiB });
        floor = ps[i]!.used;
      } else if (d < 0) smallDrops++;
    }
    const sizes = drops.map((d) => (d.from - d.to) / MiB);
    const sum = sizes.reduce((a, b) => a + b, 0);
    const majors = drops.filter((d) => d.major);
    out.push(
      `   rises between polls ${mib(rise)} = ${(rise / MiB / Math.max(0.001, spanS)).toFixed(1)} MiB/s (net of the GCs inside each ${o.pollMs} ms interval)`,
    );
    out.push(
      `   GC drops ≥ ${o.dropMiB} MiB: ${drops.length} (one every ${drops.length > 0 ? (spanS / drops.length).toFixed(2) : "-"} s), freed ${sum.toFixed(1)} MiB, mean ${drops.length ? (sum / drops.length).toFixed(1) : "-"} MiB, sizes [${sizes.map((x) => x.toFixed(1)).join(", ")}]; smaller drops: ${smallDrops}`,
    );
    out.push(
      `   of which ≥ ${o.majorMiB} MiB below the previous post-GC level (major GC, heuristic): ${majors.length}: ${majors.map((d) => `t=${(d.t / 1000).toFixed(2)} s ${mib(d.from)}→${mib(d.to)} (rtt ${d.rtt.toFixed(0)} ms)`).join(", ") || "none"}`,
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
