/**
 * What a chaos run (scripts/chaos.ts) proves, decided from its records: every point the gateways
 * accepted arrived at its home region exactly once (the regions' persisted per-second metrics against
 * the gateways' own totals), every staged conflict was alerted on both drones, no drone of a lasting
 * conflict was told "clear", and after every restart each timed drone had an alert again within
 * RESUME_LIMIT_MS. Pure: the run's shell gathers the records, this judges and words them.
 */

/** How soon after a restart each drone of a lasting conflict must hold a fresh alert, ms. */
export const RESUME_LIMIT_MS = 1000;

export interface ChaosTally {
  /** The gateways' sessions, summed when all had ended (GET /v1/chaos/totals). */
  gateway: { accepted: number; lost: number; liveSessions: number; linksCut: number };
  /**
   * Summed over every home region's persisted per-second metrics: home points applied as new states,
   * home points that arrived older than their drone's state (a resend racing the drone's new session),
   * and the gateways' counters that rode the batches (accepted, resent, given up).
   */
  regions: { applied: number; ignoredStale: number; acceptedCounted: number; resent: number; droppedOverflow: number };
}

export interface RestartRecord {
  region: string;
  /** When the restart was asked for, and when the edge answered (the object was gone by then). */
  requestedMs: number;
  answeredMs: number;
  /** Per timed drone of the region: the first alert after the restart, ms after the request; null: none. */
  gaps: { droneId: string; gapMs: number | null }[];
}

export interface ChaosRecord {
  tally: ChaosTally;
  restarts: RestartRecord[];
  /** Every staged conflict and whether each side received an alert naming the other. */
  staged: { a: string; b: string; alertedA: boolean; alertedB: boolean }[];
  /** Drones of lasting conflicts that were sent a clear. */
  falseClears: string[];
  /** `restartsSurvived`: every restart of the regions faulted, asked for or after a refused checkpoint. */
  faults: { failWindows: number; restartsSurvived: number; linkCuts: number; socketDrops: number; socketsDropped: number };
}

export interface ChaosVerdict {
  ok: boolean;
  /** Accepted points that never arrived, and arrivals beyond the accepted points. */
  lost: number;
  duplicated: number;
  maxGapMs: number | null;
  problems: string[];
}

/** The first alert of each drone received once the restart was answered (older ones were the old instance's). */
export function alertGaps(restart: { requestedMs: number; answeredMs: number }, drones: readonly string[], received: ReadonlyMap<string, readonly number[]>) {
  return drones.map((droneId) => {
    const first = (received.get(droneId) ?? []).find((t) => t >= restart.answeredMs);
    return { droneId, gapMs: first === undefined ? null : first - restart.requestedMs };
  });
}

export function judgeChaos(r: ChaosRecord): ChaosVerdict {
  const { gateway, regions } = r.tally;
  const arrived = regions.applied + regions.ignoredStale;
  const lost = Math.max(0, gateway.accepted - arrived);
  const duplicated = Math.max(0, arrived - gateway.accepted);
  const problems: string[] = [];
  if (gateway.liveSessions > 0) problems.push(`${gateway.liveSessions} sessions still held unacknowledged batches at the end`);
  if (lost > 0) problems.push(`${lost} accepted points never reached their region`);
  if (duplicated > 0) problems.push(`${duplicated} points reached their region twice`);
  if (gateway.lost > 0) problems.push(`${gateway.lost} points given up by the gateways (resend window)`);
  if (regions.acceptedCounted !== gateway.accepted)
    problems.push(`the regions' metrics count ${regions.acceptedCounted} accepted points, the gateways ${gateway.accepted}`);
  if (r.faults.restartsSurvived < r.restarts.length) problems.push(`${r.restarts.length} restarts asked for, ${r.faults.restartsSurvived} happened`);
  let maxGapMs: number | null = null;
  for (const s of r.restarts)
    for (const g of s.gaps) {
      if (g.gapMs === null) problems.push(`${g.droneId}: no alert after the restart of ${s.region} at ${s.requestedMs}`);
      else {
        maxGapMs = maxGapMs === null || g.gapMs > maxGapMs ? g.gapMs : maxGapMs;
        if (g.gapMs > RESUME_LIMIT_MS) problems.push(`${g.droneId}: first alert ${g.gapMs} ms after the restart of ${s.region} (limit ${RESUME_LIMIT_MS})`);
      }
    }
  for (const s of r.staged)
    if (!s.alertedA || !s.alertedB) problems.push(`staged conflict ${s.a}/${s.b} alerted on ${s.alertedA ? s.a : s.alertedB ? s.b : "neither drone"} only`);
  for (const d of r.falseClears) problems.push(`${d} was told clear while in a lasting conflict`);
  return { ok: problems.length === 0, lost, duplicated, maxGapMs, problems };
}

/** The figures, a few lines for a terminal (and for docs/reliability.md). */
export function describeChaos(r: ChaosRecord, v: ChaosVerdict): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const { gateway, regions } = r.tally;
  const timed = r.restarts.filter((s) => s.gaps.length > 0);
  const both = r.staged.filter((s) => s.alertedA && s.alertedB).length;
  const f = r.faults;
  return [
    `points: accepted by the gateways ${n(gateway.accepted)}, applied by the regions ${n(regions.applied + regions.ignoredStale)} (${n(regions.applied)} new states, ${n(regions.ignoredStale)} older than their drone's); lost ${n(v.lost)}, duplicated ${n(v.duplicated)}, given up ${n(gateway.lost)}`,
    `counters: the regions saw ${n(regions.acceptedCounted)} accepted, ${n(regions.resent)} resent after reconnects`,
    `faults: ${r.restarts.length} region restarts asked for and ${f.failWindows} checkpoint failure windows: ${f.restartsSurvived} restarts survived (${f.restartsSurvived - r.restarts.length} after a refused checkpoint); ${f.linkCuts} link cuts (${gateway.linksCut} links cut with batches in flight); ${f.socketDrops} socket drops (${f.socketsDropped} sockets)`,
    `alerts after restarts: ${timed.length} timed, slowest ${v.maxGapMs === null ? "-" : `${v.maxGapMs} ms`} (limit ${RESUME_LIMIT_MS} ms); staged conflicts alerted on both drones ${both}/${r.staged.length}; told clear mid-conflict ${r.falseClears.length}`,
    v.ok ? "PASS" : `FAIL:\n  ${v.problems.slice(0, 20).join("\n  ")}${v.problems.length > 20 ? `\n  … ${v.problems.length - 20} more` : ""}`,
  ].join("\n");
}
