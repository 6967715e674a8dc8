/**
 * `npm run metrics -- --region KEY [--since 15m] [--dataset NAME] [--api URL]`: runs the region's
 * Analytics Engine SQL queries (docs/metrics.md, "One region") through Cloudflare's SQL API and prints
 * each result as a table. Needs CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN (Account Analytics Read)
 * in the environment: says which are missing and exits 2 without them. AIRSPACE_METRICS_API or --api
 * replaces the API's base URL (the tests' stub server).
 */
import { pathToFileURL } from "node:url";
import { type CommandSpec, UsageError, commandLineOrExit } from "./lib/cli.mjs";
import { isDatasetName, isRegionKey, metricsQueries, parseWindow, type Window } from "./lib/metrics-queries.js";
import { type Cell, formatTable } from "./lib/text-table.js";

export const CLOUDFLARE_API = "https://api.cloudflare.com/client/v4";

const OPTIONS = {
  region: { type: "string" },
  since: { type: "string" },
  dataset: { type: "string" },
  api: { type: "string" },
} as const;

export interface MetricsArgs {
  region: string;
  window: Window;
  dataset: string;
  api?: string;
}

export const METRICS_CLI: CommandSpec<typeof OPTIONS, MetricsArgs> = {
  name: "metrics",
  usage: `usage: npm run metrics -- --region <key> [--since 15m] [--dataset airspace_fleet_metrics] [--api <url>]

Runs the region's Analytics Engine SQL queries (docs/metrics.md) and prints them as tables.
  --region <key>    the region's geohash key, e.g. gcpv                               required
  --since <window>  how far back: 90s, 15m, 2h, 7d (at most 92 days)                 default 15m
  --dataset <name>  the Analytics Engine dataset (staging: airspace_fleet_metrics_staging)  default airspace_fleet_metrics
  --api <url>       the API's base URL (or AIRSPACE_METRICS_API)     default ${CLOUDFLARE_API}
Environment: CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN (a token with Account Analytics Read).`,
  options: OPTIONS,
  check(v) {
    if (!v.region) throw new UsageError("--region <key> is required");
    if (!isRegionKey(v.region)) throw new UsageError(`--region must be a geohash key (1-12 of 0-9 b-h j k m n p-z), got ${JSON.stringify(v.region)}`);
    const window = parseWindow(v.since ?? "15m");
    if (!window) throw new UsageError(`--since must be a number and a unit s, m, h or d (at most 92 days), got ${JSON.stringify(v.since)}`);
    const dataset = v.dataset ?? "airspace_fleet_metrics";
    if (!isDatasetName(dataset)) throw new UsageError(`--dataset must be letters, digits and _, got ${JSON.stringify(dataset)}`);
    return { region: v.region, window, dataset, ...(v.api ? { api: v.api } : {}) };
  },
};

/** The SQL API's JSON format (FORMAT JSON). */
interface SqlResult {
  meta?: { name: string; type?: string }[];
  data?: Record<string, Cell>[];
  rows?: number;
}

/** What is missing from the environment, by name. */
export function missingCredentials(env: Record<string, string | undefined>): string[] {
  return ["CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_API_TOKEN"].filter((k) => !env[k]?.trim());
}

/** The API's own words for a failed query: its `errors[].message`, else the body's text, shortened. */
function apiError(body: string): string {
  try {
    const j = JSON.parse(body) as { errors?: { message?: string }[]; error?: string };
    const msgs = (j.errors ?? []).map((e) => e.message).filter(Boolean);
    if (msgs.length > 0) return msgs.join("; ");
    if (typeof j.error === "string") return j.error;
  } catch {
    // not JSON: the text is the message
  }
  const text = body.trim();
  return text.length > 500 ? `${text.slice(0, 500)}…` : text || "(empty body)";
}

/** Runs every query and writes the tables to `out`, problems to `err`; the exit code. */
export async function runMetrics(a: MetricsArgs, env: Record<string, string | undefined>, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const missing = missingCredentials(env);
  if (missing.length > 0) {
    err(
      `metrics: ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set (a Cloudflare account id, and an API token with Account Analytics Read)`,
    );
    return 2;
  }
  const base = (a.api ?? env.AIRSPACE_METRICS_API ?? CLOUDFLARE_API).replace(/\/+$/, "");
  const url = `${base}/accounts/${encodeURIComponent(env.CLOUDFLARE_ACCOUNT_ID!.trim())}/analytics_engine/sql`;
  out(`region ${a.region}, last ${a.window.text}, dataset ${a.dataset}`);
  for (const q of metricsQueries(a.dataset, a.region, a.window)) {
    let res: Response;
    try {
      res = await fetch(url, { method: "POST", headers: { Authorization: `Bearer ${env.CLOUDFLARE_API_TOKEN!.trim()}` }, body: q.sql });
    } catch (e) {
      err(`metrics: cannot reach ${base}: ${String((e as Error).cause ?? e)}`);
      return 1;
    }
    const body = await res.text();
    if (!res.ok) {
      err(`metrics: the Analytics Engine SQL API answered ${res.status} to "${q.title}": ${apiError(body)}`);
      return 1;
    }
    let result: SqlResult;
    try {
      result = JSON.parse(body) as SqlResult;
    } catch {
      err(`metrics: the Analytics Engine SQL API answered "${q.title}" with something other than JSON: ${apiError(body)}`);
      return 1;
    }
    const columns = result.meta?.map((m) => m.name) ?? Object.keys(result.data?.[0] ?? {});
    out(`\n${q.title}\n${formatTable(columns, result.data ?? [])}`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const a = commandLineOrExit(process.argv.slice(2), METRICS_CLI);
  process.exitCode = await runMetrics(
    a,
    process.env,
    (s) => console.log(s),
    (s) => console.error(s),
  );
}
