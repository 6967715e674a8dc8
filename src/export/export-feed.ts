/**
 * What a region exports, gathered per turn: each drone's alert transitions (start, escalation, a new
 * manoeuvre, traffic lost, clear: not the refresh every second), the advisories it was sent, and the
 * tick's lost, recovered and low-battery events. Bounded: at most `cap` events wait to be sent and the
 * rest are counted as dropped; the region shell sends them after the turn's frames are out.
 */
import type { AdvisoryOut, AlertOut, OpsEvent, RegionOutput } from "../detect/region-outputs.js";
import { eventBase, type ExportEvent, type ExportPosition, finiteOrNull } from "./export-event.js";

/** (encounter, drone) pairs whose last exported state is remembered before the memory is reset. */
const MAX_TRACKED = 50_000;
const EXPORTED_OPS = new Set<OpsEvent["type"]>(["lost", "recovered", "low_battery"]);

/** Where a drone is now, by key; null when the region does not hold it. */
export type PositionOf = (droneKey: string) => ExportPosition | null;

export class ExportFeed {
  private pending: ExportEvent[] = [];
  /** Events that did not fit: counted, never waited for. */
  dropped = 0;
  /** Last exported `level/manoeuvre` per `alertId drone`, while the encounter is open. */
  private readonly states = new Map<string, string>();

  constructor(
    private readonly region: string,
    private readonly positionOf: PositionOf,
    private readonly cap: number,
  ) {}

  /** Events waiting to be sent. */
  get size(): number {
    return this.pending.length;
  }

  /** One turn's outputs, after their frames went out. */
  noteOutputs(outputs: readonly RegionOutput[], nowMs: number): void {
    for (const o of outputs) {
      if (o.kind === "alert") this.alert(o, nowMs);
      else if (o.kind === "advisory") this.advisory(o, nowMs);
    }
  }

  /** The tick's drone events (evictions are the region's housekeeping, not exported). */
  noteEvents(events: readonly OpsEvent[]): void {
    for (const e of events) {
      if (!EXPORTED_OPS.has(e.type)) continue;
      this.push(eventBase(`${e.type}:${e.droneId}:${e.atMs}`, e.type as ExportEvent["type"], this.region, e.droneId, e.atMs, this.positionOf(e.droneId)));
    }
  }

  /** Up to `max` waiting events, oldest first, taken off the queue. */
  take(max: number): ExportEvent[] {
    if (this.pending.length <= max) {
      const all = this.pending;
      this.pending = [];
      return all;
    }
    return this.pending.splice(0, max);
  }

  private alert(o: AlertOut, nowMs: number): void {
    const key = `${o.alertId} ${o.droneId}`;
    const state = `${o.level}/${o.manoeuvre}`;
    if (this.states.get(key) === state) return; // the refresh of an unchanged alert
    // The core sends each drone one clear per encounter: always exported, and the memory let go.
    if (o.level === "clear") this.states.delete(key);
    else {
      if (this.states.size >= MAX_TRACKED) this.states.clear();
      this.states.set(key, state);
    }
    // The prediction's time tells a return to an earlier level (warning → caution → warning) from a redelivery.
    const e = eventBase(`alert:${o.alertId}:${o.droneId}:${state}:${o.computedForMs}`, "alert", this.region, o.droneId, nowMs, this.positionOf(o.droneId));
    const other = eventBase("", "alert", this.region, o.otherId, nowMs, null);
    e.alertId = o.alertId;
    e.level = o.level;
    e.otherFleet = other.fleet;
    e.otherDrone = other.drone;
    e.otherPosition = { lat: o.other.lat, lon: o.other.lon, altM: o.other.altM, timeMs: o.other.timeMs };
    e.manoeuvre = o.manoeuvre;
    e.tEntryS = finiteOrNull(o.tEntryS);
    e.tCpaS = finiteOrNull(o.tCpaS);
    e.hsepCpaM = finiteOrNull(o.hsepCpaM);
    e.vsepCpaM = finiteOrNull(o.vsepCpaM);
    this.push(e);
  }

  private advisory(o: AdvisoryOut, nowMs: number): void {
    const e = eventBase(`advisory:${o.advisory}:${o.droneId}:${o.timeMs}`, "advisory", this.region, o.droneId, nowMs, this.positionOf(o.droneId));
    e.advisory = o.advisory;
    e.message = o.message;
    this.push(e);
  }

  private push(e: ExportEvent): void {
    if (this.pending.length < this.cap) this.pending.push(e);
    else this.dropped++;
  }
}
