/**
 * When a region writes its alerts to the audit table. Every write holds all of the object's outgoing
 * messages until it commits (output gate, docs/platform.md), so alerts must not queue behind
 * bookkeeping: only an encounter's start is written in the turn that sends it (after a restart the
 * encounter is re-opened under its id, so no drone holds an alert nobody will clear); escalations,
 * refreshes and clears wait for the tick (re-opened at an older level, they escalate or clear again).
 */
import type { AlertOut } from "../detect/region-outputs.js";
import type { AuditRow, RegionStore } from "./region-store.js";

/** One alert start, for the turn's `alerts started` log line. */
export interface StartedAlert {
  alertId: string;
  droneId: string;
  otherId: string;
  level: string;
}

export class AlertAudit {
  /** `${alertId}/${droneId}` of the encounters whose start row is durable; forgotten on their clear. */
  private readonly audited = new Set<string>();
  private later: AuditRow[] = [];

  constructor(private readonly store: RegionStore) {}

  /** Records an alert just sent: a start now (returned, for the log), anything else with the next flush. */
  record(o: AlertOut, nowMs: number): StartedAlert | null {
    const row: AuditRow = {
      tsMs: nowMs,
      alertId: o.alertId,
      droneId: o.droneId,
      otherId: o.otherId,
      level: o.level,
      tEntryS: o.tEntryS,
      tCpaS: o.tCpaS,
      hsepCpaM: o.hsepCpaM,
      vsepCpaM: o.vsepCpaM,
      advisory: o.manoeuvre,
    };
    const key = `${o.alertId}/${o.droneId}`;
    if (o.level === "clear") this.audited.delete(key);
    if (o.level === "clear" || this.audited.has(key)) {
      this.later.push(row);
      return null;
    }
    this.audited.add(key);
    this.store.audit(row);
    return { alertId: o.alertId, droneId: o.droneId, otherId: o.otherId, level: o.level };
  }

  /** Writes what waited (at the tick, or before the audit is read). */
  flush(): void {
    for (const row of this.later) this.store.audit(row);
    this.later = [];
  }
}
