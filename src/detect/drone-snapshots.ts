/**
 * A drone's row of the table as a plain record and back: what a checkpoint stores, what the ops
 * endpoints list, and what a restart reloads. Kept apart from the hot path, which never builds one.
 */
import { type DroneTable, F_DIRTY, F_ESTABLISHED, F_LOW_BATTERY_SENT, STATUS_ACTIVE, STATUS_LOST } from "./drone-table.js";
import { type LinkTable, NO_LINK } from "./link-table.js";
import type { DroneSnapshot } from "./region-outputs.js";

export function snapshotOf(f: DroneTable, links: LinkTable, s: number): DroneSnapshot {
  const { seq: _seq, ...state } = f.toPoint(s);
  return {
    ...state,
    linkId: f.link[s] === NO_LINK ? "" : links.name(f.link[s]!),
    ghost: f.ghost[s] === 1,
    lastSeenMs: f.lastSeenMs[s]!,
    status: f.status[s] === STATUS_LOST ? "lost" : "active",
    lowBatterySent: (f.flags[s]! & F_LOW_BATTERY_SENT) !== 0,
  };
}

/**
 * Puts a checkpointed drone back in the table (not dirty: it is what storage holds); its slot. Its
 * point count is not stored, so it counts as established (never brief): a restart must not shorten a
 * real drone's stay.
 */
export function restoreSnapshot(f: DroneTable, links: LinkTable, d: DroneSnapshot): number {
  const s = f.add(d.droneId);
  f.write(s, { ...d, seq: -1 }, d.lastSeenMs);
  f.battery[s] = d.battery < 0 ? -1 : Math.round(d.battery);
  f.status[s] = d.status === "lost" ? STATUS_LOST : STATUS_ACTIVE;
  f.ghost[s] = d.ghost ? 1 : 0;
  f.link[s] = d.linkId ? links.intern(d.linkId) : NO_LINK;
  if (f.link[s] !== NO_LINK) links.ref(f.link[s]!, 1);
  f.flags[s] = (f.flags[s]! & ~F_DIRTY) | F_ESTABLISHED | (d.lowBatterySent ? F_LOW_BATTERY_SENT : 0);
  f.points[s] = 0;
  return s;
}

/** Snapshots of the drones `pick` selects, in slot order. */
export function snapshots(f: DroneTable, links: LinkTable, pick: (s: number) => boolean): DroneSnapshot[] {
  const res: DroneSnapshot[] = [];
  for (let s = 0; s < f.highWater; s++) if (f.inUse(s) && pick(s)) res.push(snapshotOf(f, links, s));
  return res;
}
