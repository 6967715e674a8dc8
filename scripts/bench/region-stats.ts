/**
 * A region object's counters as its ops route reports them (GET /v1/regions/<region>/stats), read by the
 * benchmark's Edge and by the profilers' edge alike.
 */

export interface RegionStats {
  /** Socket messages into the region: direct batches and hub bundles alike. */
  messages: number;
  batches: number;
  duplicateBatches: number;
  badBatches: number;
  points: number;
  links: number;
  activeAlerts: number;
  /** Edge-side alert latency since the object started, as DelayHistogram bucket counts (src/detect/metrics.ts). */
  alertLatencyBuckets: number[];
}

/** One region's stats; a failed request is tried again, up to `attempts` times in all. */
export async function fetchRegionStats(url: string, opsToken: string, region: string, attempts: number): Promise<RegionStats> {
  // Bounded: a request stuck on a keep-alive connection would otherwise wait for undici's 300 s timeout.
  let r: Response | null = null;
  for (let attempt = 1; !r; attempt++) {
    try {
      r = await fetch(`${url}/v1/regions/${region}/stats`, {
        headers: { Authorization: `Bearer ${opsToken}`, Connection: "close" },
        signal: AbortSignal.timeout(5000),
      });
    } catch (e) {
      if (attempt >= attempts) throw new Error(`GET /v1/regions/${region}/stats failed ${attempt} times: ${String(e)}`);
    }
  }
  if (!r.ok) throw new Error(`GET /v1/regions/${region}/stats answered ${r.status}: ${await r.text()}`);
  const j = (await r.json()) as Partial<RegionStats>;
  return {
    messages: j.messages ?? 0,
    batches: j.batches ?? 0,
    duplicateBatches: j.duplicateBatches ?? 0,
    badBatches: j.badBatches ?? 0,
    points: j.points ?? 0,
    links: j.links ?? 0,
    activeAlerts: j.activeAlerts ?? 0,
    alertLatencyBuckets: j.alertLatencyBuckets ?? [],
  };
}

/** Stats summed over `regions`, read one after the other. */
export async function sumRegionStats(regions: Iterable<string>, statsOf: (region: string) => Promise<RegionStats>): Promise<RegionStats> {
  const sum: RegionStats = { messages: 0, batches: 0, duplicateBatches: 0, badBatches: 0, points: 0, links: 0, activeAlerts: 0, alertLatencyBuckets: [] };
  for (const k of regions) {
    const s = await statsOf(k);
    for (const f of Object.keys(sum) as (keyof RegionStats)[]) if (f !== "alertLatencyBuckets") sum[f] += s[f];
    sum.alertLatencyBuckets = addBuckets(sum.alertLatencyBuckets, s.alertLatencyBuckets);
  }
  return sum;
}

/** Bucket counts added (`sign` -1: b taken from a, e.g. the readings before and after a run). */
export function addBuckets(a: readonly number[], b: readonly number[], sign = 1): number[] {
  const out = new Array<number>(Math.max(a.length, b.length)).fill(0);
  for (let i = 0; i < out.length; i++) out[i] = (a[i] ?? 0) + sign * (b[i] ?? 0);
  return out;
}
