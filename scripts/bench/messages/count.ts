/**
 * How scenario 3 counts a workload: its clients' session totals once every socket has answered a final
 * ping, and the messages (batches) its region cells received meanwhile, per 1,000 points.
 */
import type { BaseClient } from "../../../src/client/base.js";
import type { Edge } from "../edge.js";
import { type ClientTotals, clientTotals } from "../fleet-clients.js";
import { sleep } from "../processes.js";
import type { RegionStats } from "../region-stats.js";

export interface MessageCount {
  sent: number;
  accepted: number;
  deduped: number;
  /** Messages (batches) the region objects received. */
  messages: number;
  perThousandAccepted: number;
  perThousandSent: number;
  lost: number;
  regionPoints: number;
}

function countOf(sent: number, accepted: number, deduped: number, lost: number, messages: number, regionPoints: number): MessageCount {
  return {
    sent,
    accepted,
    deduped,
    messages,
    perThousandAccepted: (1000 * messages) / Math.max(1, accepted),
    perThousandSent: (1000 * messages) / Math.max(1, sent),
    lost,
    regionPoints,
  };
}

/** A group's count from what it sent, its sessions' totals and its cells' stats before and after; points the edge never received count as lost. */
export function groupCount(sent: number, t: ClientTotals, before: RegionStats, after: RegionStats): MessageCount {
  return countOf(sent, t.accepted, t.deduped, t.lost + (t.received - sent), after.batches - before.batches, after.points - before.points);
}

/** Two groups' counts as one. */
export function sumCounts(a: MessageCount, b: MessageCount): MessageCount {
  return countOf(a.sent + b.sent, a.accepted + b.accepted, a.deduped + b.deduped, a.lost + b.lost, a.messages + b.messages, a.regionPoints + b.regionPoints);
}

/** Flushes `clients`, waits for each one's final pong (bounded) and sums their sessions' counters. */
export async function finish(clients: BaseClient[]): Promise<ClientTotals> {
  for (const c of clients) c.flush();
  await sleep(300);
  await Promise.allSettled(clients.map((c) => c.ping(10_000)));
  return clientTotals(clients);
}

/** Polls region stats until they account for `accepted` points (bounded). */
export async function settle(edge: Edge, regions: string[], before: { points: number }, accepted: number): Promise<RegionStats> {
  let s = await edge.statsOf(regions);
  const deadline = performance.now() + 3000;
  while (s.points - before.points < accepted && performance.now() < deadline) {
    await sleep(100);
    s = await edge.statsOf(regions);
  }
  // A session's last counter deltas get a counters-only batch once they have waited 2 s with no batch to
  // carry them (COUNTERS_FLUSH_MS in src/gateway/session.ts): wait past that, so every such tail batch
  // is counted (at most one per session and region per run; a conservative count).
  await sleep(2300);
  return edge.statsOf(regions);
}
