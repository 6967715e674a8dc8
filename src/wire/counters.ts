/**
 * The gateway's per-stage counters. They are kept per connection and per region link, and travel to
 * the region object as deltas in every batch (batch-codec.ts), which sums them into its metrics. The
 * order is part of the internal batch format: append only.
 */
export const COUNTER_NAMES = [
  "received",
  "accepted",
  "rejected",
  "rateLimited",
  "dedupedNear",
  "dedupedRepeat",
  "dedupedStale",
  "batched",
  "resent",
  "droppedOverflow",
  "wrongDrone",
  "ghostsSent",
  /** Points rejected as a jump faster than MAX_SPEED_MPS from their drone's previous one (issue 11). */
  "implausible",
  /** Points dropped because their fleet is at its drones or regions quota (ingest/fleet-claims.ts). */
  "overQuota",
  /** Claims the fleet's quota object did not answer: the session admitted on unchecked (fail open). */
  "quotaUnchecked",
  /** Points held back before acceptance while their region shed load (ingest/load-shed.ts, issue 12). */
  "shed",
] as const;

export type CounterName = (typeof COUNTER_NAMES)[number];

export const COUNTER_INDEX: Readonly<Record<CounterName, number>> = Object.freeze(
  Object.fromEntries(COUNTER_NAMES.map((n, i) => [n, i])) as Record<CounterName, number>,
);

/** A fixed-size vector of counters indexed by COUNTER_INDEX. */
export type Counters = Float64Array;

export function newCounters(): Counters {
  return new Float64Array(COUNTER_NAMES.length);
}

export function addCounters(into: Counters, delta: ArrayLike<number>): void {
  const n = Math.min(into.length, delta.length);
  for (let i = 0; i < n; i++) into[i]! += delta[i]!;
}
