/**
 * What a soak run must show, judged from its rows (one a minute): memory settles (at the end within
 * 10 % of its value at minute 5, once the isolate's heap has grown to its working size), alert latency
 * stays flat (the last minutes' p99 not above the early minutes' by more than 50 % + 20 ms: noise on a
 * busy machine, not a trend), every staged conflict alerted, and nothing lost.
 */
export interface SoakRow {
  minute: number;
  rssMiB: number;
  /** Scripted encounters' latency (both drones alerted), ms. */
  p50Ms: number;
  p99Ms: number;
  accepted: number;
  applied: number;
  /** Held back by load shedding (a soak at half capacity should shed none; not counted as loss). */
  shed: number;
  /** Staged conflicts due this minute, and how many were alerted. */
  due: number;
  alerted: number;
  /** Why this minute lost points, or null. */
  loss: string | null;
}

export interface SoakVerdict {
  ok: boolean;
  problems: string[];
}

/** Minute whose memory the end is compared with (the heap has reached its working size by then). */
export const MEMORY_BASE_MINUTE = 5;

export function soakVerdict(rows: readonly SoakRow[]): SoakVerdict {
  const problems: string[] = [];
  for (const r of rows) {
    if (r.loss) problems.push(`minute ${r.minute}: ${r.loss}`);
    if (r.alerted < r.due) problems.push(`minute ${r.minute}: ${r.due - r.alerted} of ${r.due} staged conflicts not alerted`);
  }
  const last = rows.at(-1);
  const base = rows.find((r) => r.minute === MEMORY_BASE_MINUTE) ?? rows[Math.min(rows.length - 1, 1)];
  if (last && base && last !== base && last.rssMiB > base.rssMiB * 1.1)
    problems.push(
      `memory grew from ${base.rssMiB.toFixed(0)} MiB (minute ${base.minute}) to ${last.rssMiB.toFixed(0)} MiB (minute ${last.minute}): more than 10 %`,
    );
  if (rows.length >= 4) {
    const third = Math.max(1, Math.floor(rows.length / 3));
    const early = Math.max(...rows.slice(0, third).map((r) => r.p99Ms));
    const late = Math.max(...rows.slice(-third).map((r) => r.p99Ms));
    if (late > early * 1.5 + 20) problems.push(`alert latency p99 rose from ${early.toFixed(0)} ms to ${late.toFixed(0)} ms`);
  }
  return { ok: problems.length === 0, problems };
}
