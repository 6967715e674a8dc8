/**
 * The table of `npm run bench`: every figure with its baseline measured in the same run, its target and
 * whether it was met, from what the scenarios collected (scripts/bench.ts runs them). Each scenario's
 * figures are built in figures/; this file puts them in the table's order.
 */
import type { Collected, Profile } from "../bench.js";
import { denseFigures } from "./figures/dense.js";
import { messagesFigures } from "./figures/messages.js";
import { microFigures } from "./figures/micro.js";
import { regionAloneFigures } from "./figures/region-alone.js";
import { relayFigures } from "./figures/relay.js";
import { socketsFigures } from "./figures/sockets.js";
import { stretchFigures } from "./figures/stretch.js";
import { wireFigures } from "./figures/wire.js";
import { type Figure, ratioOf } from "./stats.js";

export const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(x >= 100 ? 0 : 1) : "n/a");

export function buildFigures(c: Collected, p: Profile): Figure[] {
  const rows = [
    ...relayFigures(c, p),
    ...socketsFigures(c, p),
    ...denseFigures(c, p),
    ...messagesFigures(c, p),
    ...stretchFigures(c, p),
    ...regionAloneFigures(c, p),
    ...microFigures(c),
    ...wireFigures(c),
  ];
  return rows.map((f) => ({ ...f, ratio: f.ratio === undefined ? ratioOf(f.value, f.baseline) : f.ratio }));
}
