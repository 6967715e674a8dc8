/**
 * Which home drones are in proximity of another drone (within 2R now, or in an encounter), kept per
 * home link: the gateway flushes their points at once instead of waiting out the batch window. The
 * set of a link is sent only when it changed (LinkTable), as one message per link.
 */
import { type DroneTable, F_PROXIMITY } from "./drone-table.js";
import { type LinkTable, NO_LINK } from "./link-table.js";
import type { RegionOutput } from "./region-outputs.js";

export class ProximitySets {
  constructor(
    private readonly fleet: DroneTable,
    private readonly links: LinkTable,
  ) {}

  has(s: number): boolean {
    return (this.fleet.flags[s]! & F_PROXIMITY) !== 0;
  }

  /** Puts slot `s` in (or takes it out of) its link's set; ghosts and drones without a link have none. */
  set(s: number, on: boolean): void {
    const f = this.fleet;
    if (this.has(s) === on) return;
    if (on && (f.ghost[s] === 1 || f.link[s] === NO_LINK)) return;
    f.flags[s] = on ? f.flags[s]! | F_PROXIMITY : f.flags[s]! & ~F_PROXIMITY;
    this.links.setMember(f.link[s]!, f.ids[s]!, on);
  }

  /** One output per link whose set changed since the last flush. */
  flush(out: RegionOutput[]): void {
    this.links.flushChanged((linkId, droneIds) => out.push({ kind: "proximity", linkId, droneIds }));
  }
}
