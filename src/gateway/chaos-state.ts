/**
 * The gateway isolate's side of fault injection (CHAOS=1 only, `npm run chaos`): what every session
 * has accepted and lost, summed over live and ended ones (the figure the regions' applied points are
 * held to), and requests to cut the upstream links. Plain data at module level: a request may not
 * touch another request's sockets (docs/platform.md), so a cut is a generation number that each link
 * checks on its own next send and carries out on its own socket.
 */
import { SessionTotals } from "../ingest/session-totals.js";

const live = new Set<SessionTotals>();
const ended = new SessionTotals();
let endedSessions = 0;
let cutGeneration = 0;
let linksCut = 0;

const FIELDS = ["frames", "pointsReceived", "pointsAccepted", "pointsRejected", "pointsRateLimited", "pointsDeduped", "alertsDelivered", "pointsLost"] as const;

export type ChaosTotals = Record<(typeof FIELDS)[number], number> & {
  /** Sessions still counting (their links may be waiting for acknowledgements), and those ended. */
  liveSessions: number;
  endedSessions: number;
  cutRequests: number;
  /** Links that carried out a cut (a link asked while idle cuts at its next batch, or never). */
  linksCut: number;
};

/** A session's counters from now until it has ended (its links acknowledged or given up). */
export function sessionOpened(totals: SessionTotals): void {
  live.add(totals);
}

export function sessionEnded(totals: SessionTotals): void {
  if (!live.delete(totals)) return;
  for (const f of FIELDS) ended[f] += totals[f];
  endedSessions++;
}

/** Asks every upstream link that exists now to cut its socket right after its next batch. */
export function requestLinkCut(): number {
  return ++cutGeneration;
}

/** For one link: true once after each cut request made since the link was created or last cut. */
export function linkCutter(): () => boolean {
  let seen = cutGeneration;
  return function cutDue(): boolean {
    if (seen === cutGeneration) return false;
    seen = cutGeneration;
    linksCut++;
    return true;
  };
}

/** Everything the sessions of this isolate counted, live and ended. */
export function chaosTotals(): ChaosTotals {
  const out = { liveSessions: live.size, endedSessions, cutRequests: cutGeneration, linksCut } as ChaosTotals;
  for (const f of FIELDS) {
    out[f] = ended[f];
    for (const t of live) out[f] += t[f];
  }
  return out;
}
