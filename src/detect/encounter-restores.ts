/**
 * After a restart: the encounters whose last alert was not a clear are re-opened under their ids, so
 * each goes on or ends with a clear its drones can match. One whose drones are not both back yet waits
 * (PendingRestores) for the gateways' resend to bring them, and resumes when the second arrives.
 */
import type { AlertBook } from "./alerts.js";
import type { DroneTable } from "./drone-table.js";
import { PendingRestores } from "./pending-restores.js";
import type { RestoredAlert } from "./region-outputs.js";
import { RESTORE_WAIT_MS } from "../tunables.js";

export class EncounterRestores {
  private readonly pending = new PendingRestores(RESTORE_WAIT_MS);

  constructor(
    private readonly book: AlertBook,
    private readonly fleet: DroneTable,
  ) {}

  /** Re-opens what it can now, keeps the rest waiting; how many were re-opened. */
  restore(alerts: RestoredAlert[], nowMs: number): number {
    let n = 0;
    for (const r of alerts) {
      if (r.droneA === r.droneB) continue;
      if (this.adopt(r, nowMs)) n++;
      else this.pending.add(r, nowMs);
    }
    return n;
  }

  /** A drone new to the table: the encounters that waited for it resume. */
  arrived(droneId: string, nowMs: number): void {
    if (this.pending.empty) return;
    for (const r of this.pending.take(droneId, (other) => this.fleet.slotOf(other) >= 0, nowMs)) this.adopt(r, nowMs);
  }

  expire(nowMs: number): void {
    this.pending.expire(nowMs);
  }

  /** Resumes a restored encounter when both its drones are present; false otherwise. */
  private adopt(r: RestoredAlert, nowMs: number): boolean {
    const f = this.fleet;
    const a = f.slotOf(r.droneA);
    const b = f.slotOf(r.droneB);
    if (a < 0 || b < 0) return false;
    const e = this.book.adopt(a, r.droneA, b, r.droneB, r.alertId, r.level, { a: r.sentA, b: r.sentB }, nowMs);
    // Until the pair is predicted again, its numbers are as of the newer of the two restored states.
    if (e.computedForMs === 0) e.computedForMs = Math.max(f.timeMs[a]!, f.timeMs[b]!);
    return true;
  }
}
