/**
 * The replay's last word, always printed (also after Ctrl-C): what was read, what was sent over how
 * many connections, and what the edge did with it, from the sessions' own pong counters.
 */
import type { SessionCounters } from "../client/messages.js";

export interface ReplaySummary {
  /** Rows read (readable) and rows sent. */
  rows: number;
  sent: number;
  recordings: number;
  drones: number;
  connections: number;
  /** Unreadable rows: how many, and the first few by line number. */
  bad: number;
  badLines: { line: number; reason: string }[];
  outOfOrder: number;
  /** Summed over every connection's last pong; `missingCounters` connections did not answer. */
  server: SessionCounters;
  missingCounters: number;
  alertsByLevel: Record<string, number>;
  serverErrors: Record<string, number>;
  /** Points the client library dropped (its queue overflowed: the replay outran the link). */
  droppedByClient: number;
  elapsedMs: number;
  /** Stopped early (Ctrl-C). */
  interrupted: boolean;
  /** The edge's first INVALID_POINT message (its count and first reason), when it rejected any. */
  firstRejection?: string;
}

/** The jump check's reason (src/ingest/plausibility.ts): positions further apart than the time between them allows. */
const JUMP_REASON = /faster than [\d.]+ m\/s/;

export function formatSummary(s: ReplaySummary): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const c = s.server;
  const levels = ["caution", "warning", "clear"].map((l) => `${l} ${n(s.alertsByLevel[l] ?? 0)}`).join(", ");
  const lines = [
    `replay ${s.interrupted ? "interrupted" : "done"} after ${(s.elapsedMs / 1000).toFixed(1)} s: ${n(s.sent)} of ${n(s.rows)} rows sent (${n(s.recordings)} recording(s), ${n(s.drones)} drone(s)) over ${n(s.connections)} connection(s)`,
    `edge: received ${n(c.pointsReceived)}, accepted ${n(c.pointsAccepted)}, deduped ${n(c.pointsDeduped)}, rate-limited ${n(c.pointsRateLimited)}, rejected ${n(c.pointsRejected)}, lost ${n(c.pointsLost)}${s.missingCounters ? ` (${s.missingCounters} connection(s) gave no counters)` : ""}`,
    `alerts: ${levels}${Object.keys(s.serverErrors).length ? `; server errors ${JSON.stringify(s.serverErrors)}` : ""}${s.droppedByClient ? `; ${n(s.droppedByClient)} dropped by the client queue` : ""}`,
  ];
  if (s.bad > 0)
    lines.push(
      `${n(s.bad)} unreadable row(s) skipped: ${s.badLines.map((b) => `line ${b.line} (${b.reason})`).join("; ")}${s.bad > s.badLines.length ? "; …" : ""}`,
    );
  if (s.firstRejection) lines.push(`edge's first rejection: ${s.firstRejection}`);
  // Faster than real time, recorded positions arrive closer together than they were flown: an edge with
  // its jump check on takes them for jumps. Say so, or the user is left guessing.
  if (s.firstRejection && JUMP_REASON.test(s.firstRejection))
    lines.push(
      "  (the edge's jump check: faster than real time, recorded positions arrive closer together than they were flown; replay against an edge with JUMP_CHECK_MPS=1e9, in .dev.vars for npm start)",
    );
  if (s.outOfOrder > 0) lines.push(`${n(s.outOfOrder)} row(s) out of time order within their recording: sent when reached`);
  return lines.join("\n");
}
