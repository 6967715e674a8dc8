/**
 * The charts' data: one-second metrics over the last `windowS` seconds, as uPlot's aligned columns
 * (x = unix seconds). Rows come from the history backfill and the live stream, which overlap: a row
 * at or before the newest one is ignored, so nothing is drawn twice.
 */

export class RollingSeries {
  readonly xs: number[] = [];
  readonly columns: (number | null)[][];

  constructor(
    readonly names: readonly string[],
    private readonly windowS = 600,
  ) {
    this.columns = names.map(() => []);
  }

  /** Appends a row (values by name; missing or non-finite → a gap); false when not newer than the last. */
  push(tS: number, values: Readonly<Record<string, number | null | undefined>>): boolean {
    if (!Number.isFinite(tS)) return false;
    const last = this.xs[this.xs.length - 1];
    if (last !== undefined && tS <= last) return false;
    this.xs.push(tS);
    this.names.forEach((n, i) => {
      const v = values[n];
      this.columns[i]!.push(typeof v === "number" && Number.isFinite(v) ? v : null);
    });
    let drop = 0;
    while (drop < this.xs.length && this.xs[drop]! < tS - this.windowS) drop++;
    if (drop > 0) {
      this.xs.splice(0, drop);
      for (const c of this.columns) c.splice(0, drop);
    }
    return true;
  }

  /** uPlot's AlignedData: [xs, ...columns]. */
  data(): [number[], ...(number | null)[][]] {
    return [this.xs, ...this.columns];
  }
}

/** A one-second metrics row (src/detect/metrics.ts) as chart values: counts per second, levels as they are. */
export function chartRow(m: Readonly<Record<string, number | null | undefined>>): Record<string, number | null> {
  const perS = (k: string) => {
    const v = m[k];
    const w = m.windowMs;
    return typeof v === "number" && typeof w === "number" && w > 0 ? (v * 1000) / w : null;
  };
  const num = (k: string) => (typeof m[k] === "number" ? (m[k] as number) : null);
  const dropped = ["rejected", "rateLimited", "deduped", "droppedOverflow", "shed"].map(perS);
  return {
    accepted: perS("accepted"),
    rejected: dropped[0]!,
    rateLimited: dropped[1]!,
    deduped: dropped[2]!,
    droppedOverflow: dropped[3]!,
    shed: dropped[4]!,
    active: num("active"),
    conflictsCaution: num("conflictsCaution"),
    conflictsWarning: num("conflictsWarning"),
    delayP50Ms: num("delayP50Ms"),
    delayP99Ms: num("delayP99Ms"),
    // A second without a new encounter has no sample: NaN in the metrics, a gap here.
    alertLatencyP50Ms: num("alertLatencyP50Ms"),
    alertLatencyP99Ms: num("alertLatencyP99Ms"),
    batteryMeanPct: num("batteryMeanPct"),
  };
}
