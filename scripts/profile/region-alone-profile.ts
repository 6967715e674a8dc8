/**
 * CPU profile of one region object alone (its own workerd: scripts/bench/hub-load/worker.ts) under one of
 * the region-alone loads: where the region's CPU per point goes, hub-shaped bundles against a relay link.
 *
 *   npx tsx scripts/profile/region-alone-profile.ts [--shape hubs|relay] [--drones 500] [--hubs K] [--seconds 6] [--warmup 4] [--interval 100] [--top 40]
 *
 * The V8 sampler runs on the user Worker's isolate (the region is all it runs) from the end of the warm-up
 * for --seconds; prints the summary (scripts/profile/cpuprofile.ts) with µs per applied point and writes
 * the profile next to the bundle in the temp directory (kept: its path is printed).
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Edge } from "../bench/edge.js";
import { writeHubLoadConfig } from "../bench/hub-load/config.js";
import { runRegionLoad } from "../bench/hub-load/run.js";
import { HOME } from "../bench/messages/layout.js";
import { sleep } from "../bench/processes.js";
import { choiceFlag, commandLineOrExit, numberFlag } from "../lib/cli.mjs";
import { buildSnapshot } from "../lib/snapshot.js";
import { CdpSession, listTargets } from "./cdp.js";
import { type CpuProfile, summarise } from "./cpuprofile.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const USAGE =
  "usage: npx tsx scripts/profile/region-alone-profile.ts [--shape hubs|relay] [--drones 500] [--hubs K] [--seconds 6] [--warmup 4] [--interval 100] [--top 40]";
const {
  shape: shapeName,
  drones,
  hubs,
  seconds,
  warmupS,
  intervalUs,
  top,
} = commandLineOrExit(process.argv.slice(2), {
  name: "region-alone-profile",
  usage: USAGE,
  options: {
    shape: { type: "string" },
    drones: { type: "string" },
    hubs: { type: "string" },
    seconds: { type: "string" },
    warmup: { type: "string" },
    interval: { type: "string" },
    top: { type: "string" },
  },
  // Inside the parse, so a bad value exits 2 with the usage like every other script's.
  check: (v) => ({
    shape: choiceFlag(v, "shape", ["hubs", "relay"] as const, "hubs"),
    drones: numberFlag(v, "drones", 500, { min: 1, integer: true }),
    // Default what the region's policy picks (one hub per 1,000 reports a second); fewer or more hubs
    // separate what a message costs the region from what a batch does.
    hubs: numberFlag(v, "hubs", 0, { min: 0, integer: true }),
    seconds: numberFlag(v, "seconds", 6, { min: 1 }),
    warmupS: numberFlag(v, "warmup", 4, { min: 0 }),
    intervalUs: numberFlag(v, "interval", 100, { min: 10, integer: true }),
    top: numberFlag(v, "top", 40, { min: 1, integer: true }),
  }),
} as const);
const hz = 10;
const log = (l: string) => process.stderr.write(`${l}\n`);

const secret = randomBytes(24).toString("hex");
const cfg = writeHubLoadConfig(ROOT);
const snap = buildSnapshot(ROOT, "hub-load", cfg.path);
const edge = await Edge.start({ root: ROOT, config: snap.config, secret, label: "region-profile", inspector: true });
try {
  const target = (await listTargets(edge.inspectorPort)).find((t) => t.id.startsWith("core:user:"));
  if (!target) throw new Error("no user Worker among the inspector targets");
  const cdp = await CdpSession.connect(target.webSocketDebuggerUrl, "region");
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: intervalUs });
  const load = runRegionLoad(edge, secret, {
    region: HOME,
    drones,
    hz,
    shape: shapeName === "hubs" ? { kind: "hubs", hubs: hubs || Math.max(1, Math.ceil((drones * hz) / 1000)) } : { kind: "relay", links: 1 },
    seconds: warmupS + seconds + 2,
    warmupS,
    pairs: 6,
    seed: 1,
    stallMs: 2500,
    log,
  });
  await sleep(warmupS * 1000 + 1000);
  const p0 = (await edge.regionStats(HOME)).points;
  await cdp.send("Profiler.start");
  await sleep(seconds * 1000);
  const { profile } = await cdp.send<{ profile: CpuProfile }>("Profiler.stop", {}, 60_000);
  const points = (await edge.regionStats(HOME)).points - p0;
  cdp.close();
  const r = await load;
  const bundleDir = join(dirname(snap.config), "dist");
  const bundle = readdirSync(bundleDir).find((f) => f.endsWith(".js"))!;
  const out = join(tmpdir(), `airspace-region-${shapeName}-${Date.now()}`);
  writeFileSync(`${out}.cpuprofile`, JSON.stringify(profile));
  copyFileSync(join(bundleDir, bundle), `${out}.bundle.js`);
  copyFileSync(join(bundleDir, `${bundle}.map`), `${out}.bundle.js.map`);
  process.stdout.write(
    `${summarise(profile, { bundle: `${out}.bundle.js`, scriptUrl: bundle, points, intervalUs, top, label: `region alone, ${drones} drones, ${shapeName}` })}\n`,
  );
  process.stdout.write(
    `points applied in the window: ${points}; the load: ${r.applied} applied of ${r.sentPoints} sent, region ${r.regionUsPerPoint.toFixed(1)} µs/pt; profile: ${out}.cpuprofile\n`,
  );
} finally {
  await edge.stop();
  snap.remove();
}
