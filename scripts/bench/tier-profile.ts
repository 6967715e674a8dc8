/**
 * Region CPU apart from the gateway and the hubs, in the same workerd: a V8 CPU profile of the edge's
 * isolate (workerd's inspector, Edge started with `inspector`) taken while `body` runs a workload, its
 * samples attributed to tiers by call-tree root (scripts/profile/tiers.ts), next to the workerd
 * process's /proc CPU over the same time. The sampler sees only time with the isolate locked; the
 * runtime's unlocked work (socket reads and writes, framing) is in the /proc figure and in no tier.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { CdpSession, listTargets } from "../profile/cdp.js";
import type { CpuProfile } from "../profile/cpuprofile.js";
import { type TierTimes, tierTimes } from "../profile/tiers.js";
import type { Edge } from "./edge.js";

export interface TierProfile<T> {
  result: T;
  tiers: TierTimes;
  /** workerd /proc CPU over the profile (the profiler's own thread included), µs. */
  cpuUs: number;
}

/** The bundle a snapshot serves (its .map beside it). */
export function snapshotBundle(snapshotDir: string): string {
  const name = readdirSync(join(snapshotDir, "dist")).find((f) => f.endsWith(".js"));
  if (!name) throw new Error(`no bundle in ${snapshotDir}/dist`);
  return join(snapshotDir, "dist", name);
}

export async function withTierProfile<T>(edge: Edge, bundle: string, intervalUs: number, body: () => Promise<T>): Promise<TierProfile<T>> {
  if (!edge.inspectorPort) throw new Error("the edge was started without its inspector");
  const target = (await listTargets(edge.inspectorPort)).find((t) => t.id.startsWith("core:user:"));
  if (!target) throw new Error(`no user Worker among the inspector targets on :${edge.inspectorPort}`);
  const s = await CdpSession.connect(target.webSocketDebuggerUrl, target.id);
  try {
    await s.send("Profiler.enable");
    await s.send("Profiler.setSamplingInterval", { interval: intervalUs });
    const cpu0 = edge.cpuMicros();
    await s.send("Profiler.start");
    const result = await body();
    const { profile } = await s.send<{ profile: CpuProfile }>("Profiler.stop", {}, 60_000);
    const cpuUs = edge.cpuMicros() - cpu0;
    return { result, tiers: tierTimes(profile, bundle, intervalUs), cpuUs };
  } finally {
    s.close();
  }
}
