/**
 * The region's one-second tick on the Durable Object alarm. The alarm is set without awaiting in the
 * message path (an await there lets the runtime hand the next batch to an interleaved handler), and
 * storage is touched only when the alarm must move earlier: the next fire time is kept here, so no
 * message reads storage.
 */
import { REGION_TICK_MS } from "../tunables.js";

export class TickClock {
  /** When the tick after the current one is due (0 before the first tick). */
  private nextTickMs = 0;
  /** When the scheduled alarm fires (Infinity when none). */
  private alarmAtMs = Infinity;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Something happened that the next tick must see: make sure one is scheduled. */
  ensure(nowMs: number): void {
    this.by(this.nextTickMs || nowMs + REGION_TICK_MS);
  }

  /** The alarm fired: the next tick is due one period from now. */
  fired(nowMs: number): void {
    this.alarmAtMs = Infinity;
    this.nextTickMs = nowMs + REGION_TICK_MS;
  }

  /** Schedules the next tick (after `fired`), when the region still has links or drones. */
  rearm(): void {
    this.by(this.nextTickMs);
  }

  private by(atMs: number): void {
    if (this.alarmAtMs <= atMs) return;
    this.alarmAtMs = atMs;
    void this.storage.setAlarm(atMs);
  }
}
