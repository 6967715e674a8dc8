/**
 * A fixed log-bucket histogram of delays in ms, eight buckets an octave: quantiles to ≤ 9 % (the upper
 * edge of their bucket), bounded memory, nothing allocated per sample. The per-second metrics use it for
 * processing delay and edge-side alert latency; a region's stats publish its buckets (src/detect/metrics.ts).
 */
export const BUCKETS_PER_OCTAVE = 8;
const BUCKETS = 17 * BUCKETS_PER_OCTAVE; // up to 2^17 ms ≈ 131 s; beyond lands in the last bucket

/** Fixed log-bucket histogram of delays in ms: bucket i holds (2^((i−1)/8), 2^(i/8)]; bucket 0 holds ≤ 1 ms. */
export class DelayHistogram {
  readonly counts = new Uint32Array(BUCKETS);
  total = 0;
  record(ms: number): void {
    let i = ms <= 1 ? 0 : Math.ceil(Math.log2(ms) * BUCKETS_PER_OCTAVE);
    if (i >= BUCKETS) i = BUCKETS - 1;
    this.counts[i]!++;
    this.total++;
  }
  /** Upper edge of the bucket holding the q-quantile; NaN when empty. */
  quantile(q: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return 2 ** (i / BUCKETS_PER_OCTAVE);
    }
    return 2 ** ((BUCKETS - 1) / BUCKETS_PER_OCTAVE);
  }
  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }

  /** A histogram of the same layout from bucket counts (e.g. the difference of two readings of a region's stats). */
  static of(counts: ArrayLike<number>): DelayHistogram {
    const h = new DelayHistogram();
    for (let i = 0; i < BUCKETS && i < counts.length; i++) {
      h.counts[i] = counts[i]!;
      h.total += counts[i]!;
    }
    return h;
  }
}
