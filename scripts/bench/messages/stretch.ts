/**
 * Scenario 3 (c), for the safety-aware stretch (STRETCH_MAX_MS): cruising drone sockets at 10 Hz, a few
 * of them isolated (farther from every other drone than the region's far-verdict radius) in a cell of
 * their own, the rest in a dense 4 km disc in another cell; run on an edge with the stretch on and one
 * with it off.
 */
import { DEFAULTS } from "../../../src/config.js";
import { farRadiusM as regionFarRadiusM } from "../../../src/detect/far-verdict.js";
import { fromEnu } from "../../../src/geo/enu.js";
import { haloRegions, regionCenter, regionOf } from "../../../src/geo/regions.js";
import { Rng } from "../../../src/sim/prng.js";
import type { Edge } from "../edge.js";
import { droneClient } from "../fleet-clients.js";
import { type MessageCount, sumCounts } from "./count.js";
import { DENSE_HOME, HZ, ISOLATED_HOME } from "./layout.js";
import { type CellDrone, countTwoCells } from "./two-cells.js";

export interface StretchCount {
  all: MessageCount;
  /** Drones farther than the far-verdict radius from every other (their own cell). */
  isolated: MessageCount;
  /** Drones in a 4 km disc (never provably far at the default MAX_SPEED_MPS). */
  dense: MessageCount;
  isolatedDrones: number;
  spacingM: number;
}

interface StretchDrone extends CellDrone {
  iso: boolean;
}

/** The region's far-verdict radius with the grid's 1 % query pad (src/detect/far-verdict.ts), m. */
export function farRadiusM(o: Parameters<typeof regionFarRadiusM>[0]): number {
  return regionFarRadiusM(o) * 1.01 + 1;
}

/**
 * `drones` cruising sockets at 10 Hz (8-12 m/s, so dedupe forwards every point): `isolated` of them
 * on a grid `spacingM` apart in ISOLATED_HOME, the rest in a 4 km disc in DENSE_HOME. Spacing minus the
 * closing distance over the run must exceed the far radius, and the grid must stay clear of the cell's
 * halo band: both are checked, the workload throws otherwise.
 */
export async function stretchMessages(
  edge: Edge,
  secret: string,
  o: { drones: number; isolated: number; spacingM: number; farRadiusM: number; durationMs: number; seed: number; idPrefix: string },
): Promise<StretchCount> {
  const rng = new Rng(o.seed, 4343);
  const isoCenter = regionCenter(ISOLATED_HOME);
  const denseCenter = regionCenter(DENSE_HOME);
  const maxSpeed = 12;
  const closing = 2 * maxSpeed * (o.durationMs / 1000 + 5);
  if (o.spacingM - closing <= o.farRadiusM)
    throw new Error(`stretch workload: spacing ${o.spacingM} m - closing ${closing} m is within the far radius ${Math.round(o.farRadiusM)} m`);
  const cols = Math.ceil(Math.sqrt(o.isolated * 1.3));
  const rows = Math.ceil(o.isolated / cols);
  const drones: StretchDrone[] = [];
  for (let i = 0; i < o.drones; i++) {
    const id = `${o.idPrefix}x${i}`;
    const c = await droneClient(edge.wsUrl, secret, id);
    const iso = i < o.isolated;
    const speed = rng.range(8, maxSpeed);
    const tr = rng.range(0, 2 * Math.PI);
    let e: number;
    let n: number;
    if (iso) {
      e = ((i % cols) - (cols - 1) / 2) * o.spacingM;
      n = (Math.floor(i / cols) - (rows - 1) / 2) * o.spacingM;
    } else {
      const r = 4000 * Math.sqrt(rng.next());
      const th = rng.range(0, 2 * Math.PI);
      e = r * Math.cos(th);
      n = r * Math.sin(th);
    }
    const d: StretchDrone = {
      id,
      c,
      iso,
      e,
      n,
      alt: rng.range(40, 120),
      ve: speed * Math.sin(tr),
      vn: speed * Math.cos(tr),
      seq: 0,
      phase: rng.range(0, 1000 / HZ),
    };
    // Start and end of the run stay in the home cell and out of its halo band (no ghost messages).
    const home = iso ? ISOLATED_HOME : DENSE_HOME;
    const ctr = iso ? isoCenter : denseCenter;
    for (const t of [0, o.durationMs / 1000 + 1]) {
      const p = fromEnu(ctr.lat, ctr.lon, d.e + d.ve * t, d.n + d.vn * t);
      if (regionOf(p.lat, p.lon, 4) !== home || haloRegions(p.lat, p.lon, 4, DEFAULTS.haloM, []).length > 0)
        throw new Error("stretch workload leaves its cell or enters its halo band");
    }
    drones.push(d);
  }
  const noise = new Rng(o.seed, 4344);
  const [isolated, dense] = await countTwoCells(edge, drones, {
    cells: [ISOLATED_HOME, DENSE_HOME],
    inFirst: (d) => d.iso,
    durationMs: o.durationMs,
    report: (d, ts, start) => {
      const c = d.iso ? isoCenter : denseCenter;
      const pos = fromEnu(c.lat, c.lon, d.e + (d.ve * ts) / 1000 + 0.3 * noise.normal(), d.n + (d.vn * ts) / 1000 + 0.3 * noise.normal());
      d.c.send({ timeMs: start + Math.round(ts), ...pos, altM: d.alt, vn: d.vn, ve: d.ve, vu: 0, battery: 80, seq: d.seq++ });
    },
  });
  return { all: sumCounts(isolated, dense), isolated, dense, isolatedDrones: o.isolated, spacingM: o.spacingM };
}
