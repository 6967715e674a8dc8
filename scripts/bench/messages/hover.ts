/**
 * Scenario 3 (b): drone sockets at 10 Hz, half of them hovering in a cell of their own (so that cell's
 * count is exactly the hovering drones' share), half cruising in HOME.
 */
import type { ClientPoint } from "../../../src/client/wire.js";
import { fromEnu } from "../../../src/geo/enu.js";
import { regionCenter } from "../../../src/geo/regions.js";
import { Rng } from "../../../src/sim/prng.js";
import type { Edge } from "../edge.js";
import { droneClient } from "../fleet-clients.js";
import { type MessageCount, sumCounts } from "./count.js";
import { HOME, HOVER_HOME, HZ } from "./layout.js";
import { type CellDrone, countTwoCells } from "./two-cells.js";

export interface HoverCount {
  all: MessageCount;
  /** The hovering half's region: messages and points. */
  hover: MessageCount;
  moving: MessageCount;
}

interface HoverDrone extends CellDrone {
  hover: boolean;
}

/** `drones` sockets at 10 Hz, half hovering (in their own cell), half cruising, for `durationMs`. */
export async function hoverMessages(
  edge: Edge,
  secret: string,
  o: { drones: number; durationMs: number; seed: number; idPrefix: string },
): Promise<HoverCount> {
  const hoverN = Math.floor(o.drones / 2);
  const rng = new Rng(o.seed, 4242);
  const movingCenter = regionCenter(HOME);
  const hoverCenter = regionCenter(HOVER_HOME);
  const drones: HoverDrone[] = [];
  for (let i = 0; i < o.drones; i++) {
    const id = `${o.idPrefix}h${i}`;
    const c = await droneClient(edge.wsUrl, secret, id);
    const r = 4000 * Math.sqrt(rng.next());
    const th = rng.range(0, 2 * Math.PI);
    const hover = i < hoverN;
    const speed = hover ? 0 : rng.range(8, 15);
    const tr = rng.range(0, 2 * Math.PI);
    drones.push({
      id,
      c,
      hover,
      e: r * Math.cos(th),
      n: r * Math.sin(th),
      alt: rng.range(40, 120),
      ve: speed * Math.sin(tr),
      vn: speed * Math.cos(tr),
      seq: 0,
      phase: rng.range(0, 1000 / HZ),
    });
  }
  const noise = new Rng(o.seed, 4243);
  const [hover, moving] = await countTwoCells(edge, drones, {
    cells: [HOVER_HOME, HOME],
    inFirst: (d) => d.hover,
    durationMs: o.durationMs,
    report: (d, ts, start) => {
      // Hovering: a fixed point with 10 cm of GPS noise (RTK-class receivers hold better than that).
      const nz = d.hover ? 0.1 : 0.3;
      const c = d.hover ? hoverCenter : movingCenter;
      const pos = fromEnu(c.lat, c.lon, d.e + (d.ve * ts) / 1000 + nz * noise.normal(), d.n + (d.vn * ts) / 1000 + nz * noise.normal());
      const p: ClientPoint = {
        timeMs: start + Math.round(ts),
        ...pos,
        altM: d.alt + nz * noise.normal(),
        vn: d.vn + 0.02 * noise.normal(),
        ve: d.ve + 0.02 * noise.normal(),
        vu: 0,
        battery: 80,
        seq: d.seq++,
      };
      d.c.send(p);
    },
  });
  return { all: sumCounts(hover, moving), hover, moving };
}
