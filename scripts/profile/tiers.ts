/**
 * Which tier a V8 CPU profile's time went to, when one workerd isolate runs the gateway, the ingest hubs
 * and the region objects together (as locally): each sample goes to the first frame, from the root down,
 * whose source (through the bundle's source map) is in src/region/, src/hub/ or src/gateway/ (the
 * entry points: a region's webSocketMessage / fetch / alarm, a hub's, the gateway's hono routes and
 * session sockets), and everything those call (src/wire, src/detect, src/link, runtime calls such as
 * send or SQL) with it. Samples with no such frame are split out: garbage collection, "(program)" (the
 * runtime's own work while the isolate is locked), and other JS (e.g. a promise continuation of library
 * code). A sample is worth one sampler period (V8 drops ticks while the lock is released).
 */
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { type CpuProfile, type ProfileNode, SourceMap } from "./cpuprofile.js";

export type Tier = "region" | "hub" | "gateway" | "otherJs" | "gc" | "program" | "idle";

export interface TierTimes {
  /** Milliseconds of samples per tier. */
  ms: Record<Tier, number>;
  samples: number;
  periodUs: number;
}

const TIER_DIRS: [string, Tier][] = [
  ["src/region/", "region"],
  ["src/hub/", "hub"],
  ["src/gateway/", "gateway"],
  ["src/index.ts", "gateway"],
];

export function tierTimes(profile: CpuProfile, bundle: string, intervalUs: number): TierTimes {
  const scriptBase = basename(bundle);
  const map = existsSync(`${bundle}.map`) ? new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, "utf8"))) : null;
  if (!map) throw new Error(`no source map next to ${bundle}: tiers cannot be told apart`);
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) byId.set(n.id, n);
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const own = new Map<number, Tier | null>();
  const ownTier = (n: ProfileNode): Tier | null => {
    let t = own.get(n.id);
    if (t !== undefined) return t;
    const cf = n.callFrame;
    t = null;
    if (cf.functionName === "(garbage collector)") t = "gc";
    else if (cf.functionName === "(program)") t = "program";
    else if (cf.functionName === "(idle)") t = "idle";
    else if (cf.url === scriptBase || cf.url.endsWith(`/${scriptBase}`)) {
      const src = map.lookup(cf.lineNumber, cf.columnNumber)?.source ?? "";
      t = TIER_DIRS.find(([dir]) => src.startsWith(dir))?.[1] ?? null;
    }
    own.set(n.id, t);
    return t;
  };
  // The tier of a node: its outermost tiered ancestor's (or its own), memoised along the path.
  const tierOf = new Map<number, Tier>();
  const nodeTier = (id: number): Tier => {
    const hit = tierOf.get(id);
    if (hit) return hit;
    const path: number[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) path.push(at);
    let t: Tier = "otherJs";
    for (let i = path.length - 1; i >= 0; i--) {
      const o = ownTier(byId.get(path[i]!)!);
      if (o) {
        t = o;
        break;
      }
    }
    tierOf.set(id, t);
    return t;
  };

  const deltas = (profile.timeDeltas ?? [])
    .slice(1)
    .filter((d) => d > 0)
    .sort((x, y) => x - y);
  const near = deltas.filter((d) => d >= intervalUs * 0.5 && d < intervalUs * 2);
  const periodUs = near.length > 0 ? near[Math.floor(near.length / 2)]! : intervalUs;
  const ms: Record<Tier, number> = { region: 0, hub: 0, gateway: 0, otherJs: 0, gc: 0, program: 0, idle: 0 };
  const samples = profile.samples ?? [];
  for (const s of samples) ms[nodeTier(s)] += periodUs / 1000;
  return { ms, samples: samples.length, periodUs };
}
