/**
 * Encounters read back from the audit after a restart whose drones are not both in the region yet (an
 * alert that started before its drones' first checkpoint: they come back with the gateway's resend).
 * Each waits, keyed by both drone ids, until the second drone is back, so the encounter resumes under
 * its id instead of starting anew, which would leave the old id uncleared on the drones. Bounded by
 * age: after `keepMs` the encounter is over either way (the drones are stale or it was re-predicted).
 */
import type { RestoredAlert } from "./region-outputs.js";

interface Waiting {
  alert: RestoredAlert;
  untilMs: number;
}

export class PendingRestores {
  private readonly byDrone = new Map<string, Waiting[]>();

  constructor(private readonly keepMs: number) {}

  get empty(): boolean {
    return this.byDrone.size === 0;
  }

  /** Encounters waiting (each counted once). */
  get size(): number {
    let n = 0;
    for (const [id, ws] of this.byDrone) for (const w of ws) if (w.alert.droneA === id) n++;
    return n;
  }

  add(alert: RestoredAlert, nowMs: number): void {
    const w = { alert, untilMs: nowMs + this.keepMs };
    for (const id of [alert.droneA, alert.droneB]) {
      const l = this.byDrone.get(id);
      if (l) l.push(w);
      else this.byDrone.set(id, [w]);
    }
  }

  /**
   * The waiting encounters of `droneId` whose other drone `isPresent` now, removed from waiting
   * (expired ones are dropped on the way).
   */
  take(droneId: string, isPresent: (otherId: string) => boolean, nowMs: number): RestoredAlert[] {
    const l = this.byDrone.get(droneId);
    if (!l) return [];
    const out: RestoredAlert[] = [];
    const keep: Waiting[] = [];
    for (const w of l) {
      if (w.untilMs < nowMs) {
        this.unlink(w, droneId);
        continue;
      }
      const other = w.alert.droneA === droneId ? w.alert.droneB : w.alert.droneA;
      if (isPresent(other)) {
        out.push(w.alert);
        this.unlink(w, droneId);
      } else keep.push(w);
    }
    if (keep.length > 0) this.byDrone.set(droneId, keep);
    else this.byDrone.delete(droneId);
    return out;
  }

  /** Drops what waited past its time. */
  expire(nowMs: number): void {
    for (const [id, l] of this.byDrone) {
      const keep = l.filter((w) => w.untilMs >= nowMs);
      if (keep.length > 0) this.byDrone.set(id, keep);
      else this.byDrone.delete(id);
    }
  }

  /** Removes `w` from the other drone's list. */
  private unlink(w: Waiting, droneId: string): void {
    const other = w.alert.droneA === droneId ? w.alert.droneB : w.alert.droneA;
    const l = this.byDrone.get(other);
    if (!l) return;
    const rest = l.filter((x) => x !== w);
    if (rest.length > 0) this.byDrone.set(other, rest);
    else this.byDrone.delete(other);
  }
}
