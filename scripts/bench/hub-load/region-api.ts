/**
 * The region under test's own view, from its ops routes: its counters (GET /v1/regions/<r>/stats) and its
 * one-second metrics rows (GET /v1/regions/<r>/metrics), for the lone-region benchmark (run.ts).
 */
import { sleep } from "../processes.js";
import type { RegionStats } from "../region-stats.js";

/** A region's counters from its ops route (GET /v1/regions/<r>/stats), waited for however long it takes. */
export async function regionStats(url: string, token: string, region: string, attempts = 3): Promise<RegionStats> {
  let r: Response;
  try {
    r = await fetch(`${url}/v1/regions/${region}/stats`, { headers: { Authorization: `Bearer ${token}`, Connection: "close" } });
  } catch (e) {
    if (attempts <= 1) throw e;
    await sleep(500);
    return regionStats(url, token, region, attempts - 1);
  }
  if (!r.ok) throw new Error(`GET /v1/regions/${region}/stats answered ${r.status}: ${await r.text()}`);
  return (await r.json()) as RegionStats;
}

/** One second of the region's own metrics (its one-second rows), seconds after the run's start. */
export interface RegionSecond {
  atS: number;
  applied: number;
  /** Report age (measurement → applied) p99, and live batches' wait (gateway flush → applied) p90, ms: the gauge's input. */
  ageP99Ms: number;
  waitP90Ms: number;
  shedLevel: number;
}

/** The region's one-second metrics rows from `fromMs` to `toMs`. */
export async function regionSeconds(url: string, token: string, region: string, t0Ms: number, toMs: number): Promise<RegionSecond[]> {
  const r = await fetch(`${url}/v1/regions/${region}/metrics?since=${Math.floor(t0Ms)}&limit=3600`, {
    headers: { Authorization: `Bearer ${token}`, Connection: "close" },
  });
  if (!r.ok) return [];
  type Row = { ts_ms: number; metrics: { applied?: number; delayP99Ms?: number | null; batchWaitP90Ms?: number | null; shedLevel?: number } };
  const body = (await r.json()) as { metrics: Row[] };
  return body.metrics
    .filter((m) => m.ts_ms <= toMs)
    .map((m) => ({
      atS: (m.ts_ms - t0Ms) / 1000,
      applied: m.metrics.applied ?? 0,
      ageP99Ms: m.metrics.delayP99Ms ?? Number.NaN,
      waitP90Ms: m.metrics.batchWaitP90Ms ?? Number.NaN,
      shedLevel: m.metrics.shedLevel ?? 0,
    }));
}
