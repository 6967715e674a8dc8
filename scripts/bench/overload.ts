/**
 * Overload (issue 12): the dense continuous tracks (dense-tracks.ts) at twice what this machine's single
 * workerd thread applies in real time (four copies, ~24,000 points/s: docs/performance.md §6), so eight
 * copies (~48,000 points/s, 7,200 drones on one relay), on cold edges with load shedding on and off
 * (LOAD_SHEDDING) in one sitting. Per run: conflicts alerted to both drones, edge-side alert latency
 * (the regions' own histogram), first-alert latency measurement → client, points shed and OVERLOADED
 * notices, workerd memory at its peak and at the end, loss. Exits 1 on loss (sent ≠ accepted + deduped
 * + shed, anything rejected, limited or lost) or a false alert.
 *   npx tsx scripts/bench/overload.ts [--copies 8] [--only on|off]
 */
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { mintToken } from "../../src/client/index.js";
import { DelayHistogram } from "../../src/detect/metrics.js";
import { regionOf } from "../../src/geo/regions.js";
import { commandLineOrExit, numberFlag } from "../lib/cli.mjs";
import { buildSnapshot } from "../lib/snapshot.js";
import { DENSE_VARS, type DenseTracksResult, denseLayout, describeDense, loadEncounters, runDenseTracks } from "./dense-tracks.js";
import { Edge } from "./edge.js";
import { addBuckets } from "./region-stats.js";
import { percentile } from "./stats.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const args = commandLineOrExit(process.argv.slice(2), {
  name: "overload",
  usage: "usage: npx tsx scripts/bench/overload.ts [--copies 8] [--only on|off]",
  options: { copies: { type: "string" }, only: { type: "string" } },
} as const);
const copies = numberFlag(args, "copies", 8, { min: 1, integer: true });
const only = typeof args.only === "string" ? args.only : null;
if (only !== null && only !== "on" && only !== "off") {
  process.stderr.write("--only takes on or off\n");
  process.exit(2);
}

interface OverloadRun {
  shedding: boolean;
  dense: DenseTracksResult;
  edge: { p50: number; p99: number; samples: number };
  peakRssMiB: number;
  endRssMiB: number;
}

async function run(shedding: boolean, config: string): Promise<OverloadRun> {
  const secret = randomBytes(24).toString("hex");
  const label = `overload-${shedding ? "on" : "off"}`;
  const vars = { ...DENSE_VARS, RELAY_MAX_DRONES: 8192, LOAD_SHEDDING: shedding ? 1 : 0 };
  const edge = await Edge.start({ root: ROOT, config, secret, label, vars });
  try {
    const encounters = loadEncounters();
    const regions = new Set(
      denseLayout(encounters, copies)
        .frames(Date.now())
        .flatMap((f) => f.map((p) => regionOf(p.lat, p.lon, 4))),
    );
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, edge.rssBytes())), 500);
    const token = await mintToken(secret, { sub: "overload", fleet: "bench", role: "relay" }, { ttlS: 3600 });
    const dense = await runDenseTracks({ url: edge.url.replace(/^http/, "ws"), token, encounters, copies, lingerMs: 3000 });
    clearInterval(sampler);
    const end = edge.rssBytes();
    const stats = await edge.statsOf(regions);
    const h = DelayHistogram.of(addBuckets([], stats.alertLatencyBuckets));
    return {
      shedding,
      dense,
      edge: { p50: h.quantile(0.5), p99: h.quantile(0.99), samples: h.total },
      peakRssMiB: Math.max(peak, end) / 2 ** 20,
      endRssMiB: end / 2 ** 20,
    };
  } finally {
    await edge.stop();
  }
}

function lossOf(r: OverloadRun): string | null {
  const c = r.dense.counters;
  if (!c) return "no pong within 5 s of the end";
  if (c.rejected + c.rateLimited + c.lost > 0) return `${c.rejected} rejected, ${c.rateLimited} rate-limited, ${c.lost} lost`;
  if (c.accepted + c.deduped + c.shed !== r.dense.sent) return `sent ${r.dense.sent} ≠ accepted ${c.accepted} + deduped ${c.deduped} + shed ${c.shed}`;
  if (r.dense.serverErrors.DATA_LOSS) return `${r.dense.serverErrors.DATA_LOSS} DATA_LOSS`;
  return null;
}

const snap = buildSnapshot(ROOT, "overload");
const runs: OverloadRun[] = [];
try {
  for (const shedding of [false, true]) {
    if (only !== null && (only === "on") !== shedding) continue;
    process.stderr.write(`shedding ${shedding ? "on" : "off"}: ${copies} copies …\n`);
    const r = await run(shedding, snap.config);
    process.stderr.write(`${describeDense(r.dense)}\n`);
    runs.push(r);
  }
} finally {
  snap.remove();
}
const f = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : "-");
const col = (r: OverloadRun | undefined, v: (r: OverloadRun) => string) => (r ? v(r) : "-").padStart(14);
const off = runs.find((r) => !r.shedding);
const on = runs.find((r) => r.shedding);
const rows: [string, (r: OverloadRun) => string][] = [
  ["conflicts alerted to both", (r) => `${r.dense.score.both}/${r.dense.score.conflicts}`],
  ["false alerts", (r) => `${r.dense.score.falseAlerts.length}`],
  ["edge-side alert p50 / p99, ms", (r) => `${f(r.edge.p50)}/${f(r.edge.p99)}`],
  ["edge-side alerts measured", (r) => `${r.edge.samples}`],
  ["first alert after 5 s p50/p99, ms", (r) => `${f(percentile(r.dense.score.laterLatencyMs, 50))}/${f(percentile(r.dense.score.laterLatencyMs, 99))}`],
  ["points shed", (r) => `${r.dense.counters?.shed ?? "-"}`],
  ["OVERLOADED notices (points)", (r) => `${r.dense.serverErrors.OVERLOADED ?? 0}`],
  ["BEHIND / STALE notices (points)", (r) => `${r.dense.serverErrors.BEHIND ?? 0} / ${r.dense.serverErrors.STALE_ON_ARRIVAL ?? 0}`],
  ["workerd RSS peak / end, MiB", (r) => `${f(r.peakRssMiB)}/${f(r.endRssMiB)}`],
  ["sender lag max, ms", (r) => `${r.dense.senderLagMs}`],
  ["loss", (r) => lossOf(r) ?? "none"],
];
process.stdout.write(
  [
    `overload: dense tracks × ${copies} (${runs[0]?.dense.drones ?? "?"} drones, ${runs[0]?.dense.sent ?? "?"} points over one relay), cold edges, one sitting`,
    `${"".padEnd(36)}${"shedding off".padStart(14)}${"shedding on".padStart(14)}`,
    ...rows.map(([name, v]) => `${name.padEnd(36)}${col(off, v)}${col(on, v)}`),
    "",
  ].join("\n"),
);
process.exit(runs.some((r) => lossOf(r) !== null || r.dense.score.falseAlerts.length > 0) ? 1 : 0);
