/**
 * Region stalls (issue 9: "no region stall over 50 ms"): while a lone-region run sends, a thread of its
 * own (stall-probe-thread.mjs) asks the region's workerd inspector for its heap usage every 10 ms. The
 * lone region's workerd runs nothing else that does work, so a round trip of 50 ms or more is a region
 * object's thread that was busy that long with one event or a GC pause (a lower bound: a stall that
 * starts just after a probe returns is seen shorter).
 */
import { Worker } from "node:worker_threads";
import { listTargets } from "../../profile/cdp.js";
import { percentile } from "../stats.js";

export interface StallSummary {
  probes: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Probes that took 50 ms or more, and when (ms since epoch). */
  slow: { atMs: number; rttMs: number }[];
  /** The probe thread's own timer lateness at worst: how much of any round trip may be this machine's, not the region's. */
  ownLateMaxMs: number;
  /** The inspector stopped answering (GIVE_UP_MS): the figures cover the probes before that. */
  gaveUp: boolean;
}

export const STALL_MS = 50;
const PERIOD_MS = 10;

export interface StallProbe {
  stop(): Promise<StallSummary>;
}

/** Starts probing the isolate behind workerd's inspector on `port`; resolves once the first probe can go. */
export async function startStallProbe(port: number): Promise<StallProbe> {
  const target = (await listTargets(port)).find((t) => t.id.startsWith("core:user:"));
  if (!target) throw new Error(`no user Worker among the inspector targets on :${port}`);
  const worker = new Worker(new URL("./stall-probe-thread.mjs", import.meta.url), { workerData: { url: target.webSocketDebuggerUrl, periodMs: PERIOD_MS } });
  const done = new Promise<StallSummary>((resolve, reject) => {
    worker.on("message", (m: { ready?: boolean; error?: string; rtts?: number[]; slowAt?: StallSummary["slow"]; ownLateMaxMs?: number; gaveUp?: boolean }) => {
      if (m.error) reject(new Error(`stall probe: ${m.error}`));
      else if (m.rtts)
        resolve({
          probes: m.rtts.length,
          p50Ms: percentile(m.rtts, 50),
          p99Ms: percentile(m.rtts, 99),
          maxMs: m.rtts.reduce((a, b) => Math.max(a, b), 0),
          slow: m.slowAt ?? [],
          ownLateMaxMs: m.ownLateMaxMs ?? 0,
          gaveUp: m.gaveUp === true,
        });
    });
    worker.on("error", reject);
  });
  await new Promise<void>((resolve, reject) => {
    worker.once("message", (m: { ready?: boolean; error?: string }) => (m.ready ? resolve() : reject(new Error(`stall probe: ${m.error}`))));
  });
  return {
    async stop() {
      worker.postMessage("stop");
      const s = await done;
      await worker.terminate();
      return s;
    },
  };
}
