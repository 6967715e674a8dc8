/**
 * The drone-socket workloads of scenario 3 (hovering, stretch): two groups of sockets, each in a region
 * cell of its own, reporting at HZ on their own phases; each cell's messages counted.
 */
import type { DroneClient } from "../../../src/client/drone.js";
import type { Edge } from "../edge.js";
import { connectInWaves } from "../fleet-clients.js";
import { sleep } from "../processes.js";
import { finish, groupCount, type MessageCount, settle } from "./count.js";
import { HZ } from "./layout.js";

export interface PacedDrone {
  c: DroneClient;
  /** When in each period of 1000 / HZ ms it reports, ms. */
  phase: number;
}

/** A drone that flies straight at (ve, vn) m/s from (e, n) m off its cell's center, at `alt` m. */
export interface CellDrone extends PacedDrone {
  id: string;
  e: number;
  n: number;
  alt: number;
  ve: number;
  vn: number;
  seq: number;
}

/** Sends each drone's reports at HZ on its own phase for `durationMs`, flushing each client once per pass. */
async function paced<T extends PacedDrone>(drones: T[], durationMs: number, report: (d: T, tsMs: number, startMs: number) => void): Promise<void> {
  const start = Date.now();
  const next = drones.map((d) => d.phase);
  while (Date.now() < start + durationMs) {
    await sleep(10);
    const t = Math.min(Date.now(), start + durationMs) - start;
    for (let i = 0; i < drones.length; i++) {
      const d = drones[i]!;
      let any = false;
      while (next[i]! <= t) {
        const ts = next[i]!;
        next[i]! += 1000 / HZ;
        report(d, ts, start);
        any = true;
      }
      if (any) d.c.flush();
    }
  }
}

export interface TwoCells<T> {
  /** The first group's cell and the second's. */
  cells: [string, string];
  inFirst: (d: T) => boolean;
  durationMs: number;
  /** Sends drone `d`'s report `tsMs` into the run that started at `startMs` (Unix ms). */
  report: (d: T, tsMs: number, startMs: number) => void;
}

/** Connects `drones`, runs them paced for `durationMs` and counts each group; closes every socket at the end. */
export async function countTwoCells<T extends PacedDrone>(edge: Edge, drones: T[], o: TwoCells<T>): Promise<[MessageCount, MessageCount]> {
  try {
    await connectInWaves(drones.map((d) => d.c));
    const [a, b] = o.cells;
    const s0 = [await edge.regionStats(a), await edge.regionStats(b)] as const;
    const sent = [0, 0];
    await paced(drones, o.durationMs, (d, ts, start) => {
      o.report(d, ts, start);
      sent[o.inFirst(d) ? 0 : 1]!++;
    });
    const first = await finish(drones.filter((d) => o.inFirst(d)).map((d) => d.c));
    const second = await finish(drones.filter((d) => !o.inFirst(d)).map((d) => d.c));
    await settle(edge, o.cells, { points: s0[0].points + s0[1].points }, first.accepted + second.accepted);
    const s1 = [await edge.regionStats(a), await edge.regionStats(b)] as const;
    return [groupCount(sent[0]!, first, s0[0], s1[0]), groupCount(sent[1]!, second, s0[1], s1[1])];
  } finally {
    for (const d of drones) d.c.close();
  }
}
