/**
 * The server's counters for one client across its sessions: each pong carries the current session's
 * totals, which start from zero after a reconnect, so a session's last known values are banked when it
 * ends and the client reports the sum.
 */
import type { SessionCounters } from "./messages.js";

export function emptyCounters(): SessionCounters {
  return {
    frames: 0,
    pointsReceived: 0,
    pointsAccepted: 0,
    pointsRejected: 0,
    pointsRateLimited: 0,
    pointsDeduped: 0,
    alertsDelivered: 0,
    pointsLost: 0,
    pointsShed: 0,
  };
}

export class CounterBank {
  private banked: SessionCounters | null = null;
  private current: SessionCounters | null = null;

  /** The current session's totals, from its latest pong. */
  update(counters: SessionCounters): void {
    this.current = counters;
  }

  /** The session ended: keep what it counted. */
  bank(): void {
    if (!this.current) return;
    this.banked = this.total;
    this.current = null;
  }

  get total(): SessionCounters {
    const out = emptyCounters();
    for (const k of Object.keys(out) as (keyof SessionCounters)[]) out[k] = (this.banked?.[k] ?? 0) + (this.current?.[k] ?? 0);
    return out;
  }
}
