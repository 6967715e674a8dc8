/**
 * One region object alone (its own workerd: scripts/bench/hub-load/worker.ts) under a list of loads, each
 * on a cold edge: what scripts/bench/region-hub-load.ts and `npm run bench`'s region-alone scenario run.
 */
import { rmSync } from "node:fs";
import { buildSnapshot } from "../lib/snapshot.js";
import { Edge } from "./edge.js";
import { writeHubLoadConfig } from "./hub-load/config.js";
import type { FeedShape } from "./hub-load/feeder.js";
import { type LoadResult, runRegionLoad } from "./hub-load/run.js";
import { HOME } from "./messages/layout.js";

export interface RegionLoad {
  drones: number;
  shape: FeedShape;
  pairs: number;
  /** LOAD_SHEDDING for the run (the option's default, 1, when absent). */
  shedding?: 0 | 1;
}

export interface RegionAloneOptions {
  root: string;
  secret: string;
  hz: number;
  seconds: number;
  warmupS: number;
  seed: number;
  /** Single-drone links are acked by the region's one-second checkpoint: acks further apart than this mean a late tick. */
  stallMs: number;
  /** Probe the region's thread for stalls (costs it CPU: its µs/pt is then not comparable). */
  probeStalls?: boolean;
  log: (line: string) => void;
}

export async function runRegionAlone(loads: RegionLoad[], o: RegionAloneOptions): Promise<LoadResult[]> {
  const cfg = writeHubLoadConfig(o.root);
  const snap = buildSnapshot(o.root, "hub-load", cfg.path);
  const results: LoadResult[] = [];
  try {
    for (const r of loads) {
      const edge = await Edge.start({
        root: o.root,
        config: snap.config,
        vars: r.shedding === undefined ? {} : { LOAD_SHEDDING: r.shedding },
        secret: o.secret,
        label: "hub-load",
        // For the stall probe (hub-load/stall-probe.ts): the region's thread is all this workerd runs.
        inspector: o.probeStalls === true,
      });
      try {
        results.push(
          await runRegionLoad(edge, o.secret, {
            region: HOME,
            drones: r.drones,
            hz: o.hz,
            shape: r.shape,
            seconds: o.seconds,
            warmupS: o.warmupS,
            pairs: r.pairs,
            seed: o.seed,
            stallMs: o.stallMs,
            probeStalls: o.probeStalls === true,
            log: o.log,
          }),
        );
      } finally {
        await edge.stop();
      }
    }
  } finally {
    snap.remove();
    rmSync(cfg.dir, { recursive: true, force: true });
  }
  return results;
}
