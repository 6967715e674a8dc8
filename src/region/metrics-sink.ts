/**
 * Where the region's per-second metrics go: Workers Analytics Engine in production. Locally (wrangler
 * dev, miniflare, the vitest pool) `writeDataPoint` is a no-op, so the sink also keeps the last points
 * it wrote, which tests and the local read path can see.
 */
import { log } from "../log.js";

export interface DataPoint {
  indexes: [string];
  blobs: string[];
  doubles: number[];
}

export interface MetricsSink {
  write(points: DataPoint[]): void;
  /** The most recent points written, newest last (bounded). */
  recent(): readonly DataPoint[];
}

/** Analytics Engine allows 20 blobs, 20 doubles and one index of at most 96 bytes per data point. */
export const AE_LIMITS = { blobs: 20, doubles: 20, indexBytes: 96 } as const;

export class AnalyticsEngineSink implements MetricsSink {
  private readonly kept: DataPoint[] = [];

  constructor(
    private readonly dataset: AnalyticsEngineDataset | undefined,
    private readonly keep = 120,
  ) {}

  write(points: DataPoint[]): void {
    for (const p of points) {
      if (p.blobs.length > AE_LIMITS.blobs || p.doubles.length > AE_LIMITS.doubles)
        throw new RangeError(`data point over Analytics Engine limits: ${p.blobs.length} blobs, ${p.doubles.length} doubles`);
      try {
        this.dataset?.writeDataPoint(p);
      } catch (e) {
        // Metrics must never take the safety path down with them.
        log("writeDataPoint failed", { error: String(e) }, "error");
      }
      this.kept.push(p);
    }
    if (this.kept.length > this.keep) this.kept.splice(0, this.kept.length - this.keep);
  }

  recent(): readonly DataPoint[] {
    return this.kept;
  }
}
