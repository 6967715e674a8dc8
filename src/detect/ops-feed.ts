/**
 * The ops stream's event feed: what the region sent and noticed since the last snapshot, as operators
 * want to read it. An encounter's alerts go to both of its drones and are refreshed every second: the
 * feed keeps one line per start, escalation and clear of each encounter. Bounded: at most `cap` events
 * wait for a snapshot (the rest are counted), and the levels remembered per encounter are capped too.
 */
import type { OpsEvent as FeedEvent } from "../wire/ops-frames.js";
import type { OpsEvent as CoreEvent, RegionOutput } from "./region-outputs.js";

/** Encounters whose level is remembered (for dedupe) before the memory is reset. */
const MAX_TRACKED_ENCOUNTERS = 50_000;

export class OpsFeed {
  private events: FeedEvent[] = [];
  private dropped = 0;
  /** Level last reported per encounter id (open encounters only). */
  private readonly levels = new Map<string, string>();

  constructor(private readonly cap = 200) {}

  /** Notes the outputs of one region turn: alert transitions and advisories. */
  noteOutputs(outputs: readonly RegionOutput[], nowMs: number): void {
    for (const o of outputs) {
      if (o.kind === "alert") {
        const last = this.levels.get(o.alertId);
        if (last === o.level) continue; // a refresh, or the other drone's copy
        if (o.level === "clear") {
          if (last === undefined) continue; // the other drone's copy of a clear already noted
          this.levels.delete(o.alertId);
        } else {
          if (this.levels.size >= MAX_TRACKED_ENCOUNTERS) this.levels.clear();
          this.levels.set(o.alertId, o.level);
        }
        const man = o.manoeuvre && o.manoeuvre !== "none" ? `advised ${o.manoeuvre}` : undefined;
        this.push({ atMs: nowMs, kind: "alert", droneId: o.droneId, otherId: o.otherId, alertId: o.alertId, level: o.level, ...(man ? { text: man } : {}) });
      } else if (o.kind === "advisory") {
        this.push({ atMs: nowMs, kind: "advisory", droneId: o.droneId, text: o.message });
      }
    }
  }

  /** Notes the tick's drone events (low battery comes as its advisory already). */
  noteEvents(events: readonly CoreEvent[]): void {
    for (const e of events) if (e.type !== "low_battery") this.push({ atMs: e.atMs, kind: e.type, droneId: e.droneId });
  }

  /** The events since the last call and how many did not fit, then starts afresh. */
  take(): { events: FeedEvent[]; dropped: number } {
    const out = { events: this.events, dropped: this.dropped };
    this.events = [];
    this.dropped = 0;
    return out;
  }

  private push(e: FeedEvent): void {
    if (this.events.length < this.cap) this.events.push(e);
    else this.dropped++;
  }
}
