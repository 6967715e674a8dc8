/**
 * The alert and advisory feed: newest first, at most `max` lines, from the stream's events as they
 * come and from the audit (the last ten minutes) when a region is opened.
 */
import type { OpsEvent } from "../wire/ops-frames.js";
import type { AlertRow } from "./ops-api.js";

export class EventFeed {
  constructor(
    private readonly list: HTMLElement,
    private readonly max = 200,
  ) {}

  clear(): void {
    this.list.replaceChildren();
  }

  add(e: OpsEvent): void {
    this.line(e.atMs, e.kind === "alert" ? (e.level ?? "alert") : e.kind, describeEvent(e));
  }

  /**
   * Audit rows (oldest first), as history lines: one per start, change of level and clear of each
   * encounter (the audit holds a row per drone and per refresh).
   */
  addHistory(rows: readonly AlertRow[]): void {
    const levels = new Map<string, string>();
    for (const r of rows) {
      if (levels.get(r.alert_id) === r.level) continue;
      levels.set(r.alert_id, r.level);
      const entry = r.t_entry_s === null ? "" : `, entry in ${r.t_entry_s.toFixed(1)} s`;
      const advice = r.advisory && r.advisory !== "none" ? `, advised ${r.advisory}` : "";
      this.line(r.ts_ms, r.level, `${r.drone_id} ↔ ${r.other_id}: ${r.level}${entry}${advice} (history)`);
    }
  }

  private line(atMs: number, kind: string, text: string): void {
    const li = document.createElement("li");
    li.className = `ev ev-${kind}`;
    const time = document.createElement("time");
    time.textContent = new Date(atMs).toLocaleTimeString();
    li.append(time, ` ${text}`);
    this.list.prepend(li);
    while (this.list.childElementCount > this.max) this.list.lastElementChild?.remove();
  }
}

export function describeEvent(e: OpsEvent): string {
  switch (e.kind) {
    case "alert":
      return `${e.droneId} ↔ ${e.otherId ?? "?"}: ${e.level ?? "alert"}${e.text ? `, ${e.text}` : ""}`;
    case "advisory":
      return `${e.droneId}: ${e.text ?? "advisory"}`;
    default:
      return `${e.droneId} ${e.kind}`;
  }
}
