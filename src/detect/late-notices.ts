/**
 * Home points that reached their region late (over LATE_NOTICE_MS after measurement), gathered per
 * home link between ticks: one notice a link per tick says how many, how late, and how many were past
 * the stale limit (unusable for prediction), instead of one message per point while the edge is behind.
 */
import type { StaleOut } from "./region-outputs.js";

export class LateNotices {
  private readonly byLink = new Map<number, StaleOut>();

  /** `linkName` is asked only for a link's first late point this tick. */
  record(link: number, linkName: (link: number) => string, droneId: string, ageMs: number, stale: boolean): void {
    const n = this.byLink.get(link);
    if (!n) {
      this.byLink.set(link, { kind: "stale", linkId: linkName(link), droneId, points: 1, stale: stale ? 1 : 0, maxAgeMs: ageMs });
      return;
    }
    n.points++;
    if (stale) n.stale++;
    n.droneId = droneId;
    if (ageMs > n.maxAgeMs) n.maxAgeMs = ageMs;
  }

  /** This tick's notices, and a fresh start. */
  take(): StaleOut[] {
    const all = [...this.byLink.values()];
    this.byLink.clear();
    return all;
  }
}
