/**
 * The Analytics Engine SQL queries `npm run metrics` runs for one region and window: the ones
 * docs/metrics.md documents under "One region: npm run metrics" (a unit test holds the two together),
 * with the region, the window and a time bucket filled in. Region keys and datasets are checked
 * against their alphabets before they reach any SQL text.
 */

export interface MetricsQuery {
  title: string;
  sql: string;
}

/** A window like `15m`: its SQL interval (`'15' MINUTE`) and length in seconds. */
export interface Window {
  text: string;
  interval: string;
  seconds: number;
}

const UNITS = { s: ["SECOND", 1], m: ["MINUTE", 60], h: ["HOUR", 3600], d: ["DAY", 86_400] } as const;
/** Analytics Engine keeps data three months. */
const MAX_WINDOW_S = 92 * 86_400;
const REGION = /^[0-9b-hjkmnp-z]{1,12}$/;
const DATASET = /^[A-Za-z0-9_]{1,64}$/;

/** `90s`, `15m`, `2h`, `7d` → the window; null when it is not one (or longer than Analytics Engine keeps). */
export function parseWindow(text: string): Window | null {
  const m = /^(\d{1,6})([smhd])$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const [unit, s] = UNITS[m[2] as keyof typeof UNITS];
  if (n <= 0 || n * s > MAX_WINDOW_S) return null;
  return { text: text.trim(), interval: `'${n}' ${unit}`, seconds: n * s };
}

/** The bucket rows are grouped by: about 15-60 rows for any window. */
export function bucketFor(seconds: number): string {
  if (seconds <= 3600) return "'1' MINUTE";
  if (seconds <= 6 * 3600) return "'10' MINUTE";
  if (seconds <= 2 * 86_400) return "'1' HOUR";
  return "'1' DAY";
}

export function isRegionKey(s: string): boolean {
  return REGION.test(s);
}

export function isDatasetName(s: string): boolean {
  return DATASET.test(s);
}

/**
 * The queries, as docs/metrics.md shows them: `{dataset}`, `{region}`, `{window}` and `{bucket}` are
 * the placeholders filled in. Every aggregate is weighted by `_sample_interval` (Analytics Engine samples).
 */
export const QUERY_TEMPLATES: readonly MetricsQuery[] = [
  {
    title: "Fleet",
    sql: `SELECT toStartOfInterval(timestamp, INTERVAL {bucket}) AS t,
       SUM(_sample_interval * double1) / SUM(_sample_interval) AS active_drones,
       SUM(_sample_interval * double12) AS alerts_started,
       SUM(_sample_interval * double13) AS alerts_cleared,
       MAX(double11) AS max_warning_conflicts,
       MAX(double15) AS worst_p99_delay_ms
FROM {dataset}
WHERE blob1 = 'fleet' AND index1 = '{region}' AND timestamp > NOW() - INTERVAL {window}
GROUP BY t
ORDER BY t`,
  },
  {
    title: "Pipeline (points per second)",
    sql: `SELECT toStartOfInterval(timestamp, INTERVAL {bucket}) AS t,
       SUM(_sample_interval * double1) / SUM(_sample_interval) AS received_per_s,
       SUM(_sample_interval * double2) / SUM(_sample_interval) AS accepted_per_s,
       SUM(_sample_interval * double3) / SUM(_sample_interval) AS rejected_per_s,
       SUM(_sample_interval * double4) / SUM(_sample_interval) AS rate_limited_per_s,
       SUM(_sample_interval * double8) / SUM(_sample_interval) AS deduped_per_s
FROM {dataset}
WHERE blob1 = 'pipeline' AND index1 = '{region}' AND timestamp > NOW() - INTERVAL {window}
GROUP BY t
ORDER BY t`,
  },
  {
    title: "Battery",
    sql: `SELECT MAX(double6) AS max_low_battery_drones,
       MIN(double5) AS min_battery_pct
FROM {dataset}
WHERE blob1 = 'fleet' AND index1 = '{region}' AND timestamp > NOW() - INTERVAL {window} AND double5 >= 0`,
  },
  {
    title: "Busiest 100 m cells",
    sql: `SELECT blob3 AS cell, MAX(double1) AS drones
FROM {dataset}
WHERE blob1 = 'heatmap' AND index1 = '{region}' AND timestamp > NOW() - INTERVAL {window}
GROUP BY cell
ORDER BY drones DESC
LIMIT 10`,
  },
];

/** The queries for `region` over `window` in `dataset` (both checked by the caller: isRegionKey, isDatasetName). */
export function metricsQueries(dataset: string, region: string, window: Window): MetricsQuery[] {
  if (!isRegionKey(region)) throw new Error(`not a region key: ${JSON.stringify(region)}`);
  if (!isDatasetName(dataset)) throw new Error(`not a dataset name: ${JSON.stringify(dataset)}`);
  const fill: Record<string, string> = { dataset, region, window: window.interval, bucket: bucketFor(window.seconds) };
  return QUERY_TEMPLATES.map((q) => ({ title: q.title, sql: `${q.sql.replace(/\{(\w+)\}/g, (_m, k: string) => fill[k]!)} FORMAT JSON` }));
}
