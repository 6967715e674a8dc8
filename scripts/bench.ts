/**
 * `npm run bench [-- --json out.json] [--quick] [--runs N] [--seed N]`: the performance figures of
 * docs/performance.md, each the median of repeated runs, each comparison measured in the same run.
 * 1. relay throughput vs the bare transport, 2. drone sockets and alert latency, 3. messages into region
 * objects with batching + dedupe on vs off, 4. seeded Node micro-benchmarks and bytes on the wire,
 * 5. the safety-aware stretch (STRETCH_MAX_MS) on vs off: messages into regions and alert latency.
 * Prints one table, then JSON (to --json, else stdout). Reports, never asserts on timings: exits 1 only
 * when something crashed or points were lost at nominal load.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { nproc, release } from "./bench/machine.js";
import { runDroneSockets, type SocketsResult } from "./bench/drone-sockets.js";
import { OFF_VARS, type HoverCount, type MessageCount, type StretchCount } from "./bench/messages.js";
import { RelayLoad, runRelayThroughput, throughputVars, type ThroughputResult } from "./bench/relay-throughput.js";
import { benchGatewayStages, type StageFigure } from "./bench/gateway-stages.js";
import { benchRegionCore, type RegionCoreFigures } from "./bench/region-core.js";
import { type BatchIntakeFigures, benchBatchIntake } from "./bench/batch-intake.js";
import { type DenseTracksResult, describeDense, runColdDenseTracks } from "./bench/dense-tracks.js";
import { buildSnapshot } from "./lib/snapshot.js";
import { formatTable, percentile } from "./bench/stats.js";
import { wireSizes } from "./bench/wire-size.js";
import { buildFigures, fmt } from "./bench/figures.js";
import { writeBareConfig } from "./bench/bare-config.js";
import { commandLineOrExit } from "./lib/cli.mjs";
import { BENCH_CLI } from "./bench/command-line.js";
import { messagesRun, stretchRun, withEdges } from "./bench/edge-runs.js";
import type { LoadResult } from "./bench/hub-load/run.js";
import { runRegionAlone } from "./bench/region-alone.js";
import { rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const COMPAT_DATE = "2026-04-20";

export interface Profile {
  runs: number;
  throughput: { drones: number; relays: number; framePoints: number; probeMs: number; startRate: number; maxRate: number; refine: number; maxProbes: number };
  sockets: { sizes: number[]; durationMs: number; pairsPerKind: number; warmupMs: number };
  messages: { drones: number; durationMs: number };
  micro: { regionDrones: number; regionSeconds: number; stagePoints: number; intakeDrones: number; intakeSeconds: number };
  /** 500 sockets with STRETCH_MAX_MS on (latency, as scenario 2) and the isolated/dense message workload. */
  stretch: { stretchMaxMs: number; sockets: number; drones: number; isolated: number; spacingM: number; durationMs: number };
  /** The dense continuous tracks (issue 14) on cold edges: `copies` of the public encounters, against one copy. */
  dense: { copies: number };
  /** One region alone (its own workerd), fed as hubs and links would: `drones` via `hubs`, on one relay link, direct; then `fullDrones` via hubs. */
  regionAlone: { drones: number; hubs: number; fullDrones: number; seconds: number; warmupS: number };
}

export function profileFor(quick: boolean, runs?: number): Profile {
  return quick
    ? {
        runs: runs ?? 1,
        throughput: { drones: 10_000, relays: 4, framePoints: 500, probeMs: 1500, startRate: 100_000, maxRate: 1_600_000, refine: 1, maxProbes: 5 },
        sockets: { sizes: [500, 1000], durationMs: 3000, pairsPerKind: 10, warmupMs: 3000 },
        messages: { drones: 500, durationMs: 3000 },
        micro: { regionDrones: 10_000, regionSeconds: 2, stagePoints: 30_000, intakeDrones: 500, intakeSeconds: 10 },
        stretch: { stretchMaxMs: 1000, sockets: 500, drones: 500, isolated: 64, spacingM: 2300, durationMs: 3000 },
        dense: { copies: 6 },
        regionAlone: { drones: 500, hubs: 5, fullDrones: 10_000, seconds: 8, warmupS: 2 },
      }
    : {
        runs: runs ?? 3,
        throughput: { drones: 10_000, relays: 4, framePoints: 500, probeMs: 3000, startRate: 100_000, maxRate: 1_600_000, refine: 2, maxProbes: 7 },
        sockets: { sizes: [500, 1000], durationMs: 15_000, pairsPerKind: 20, warmupMs: 3000 },
        messages: { drones: 500, durationMs: 8000 },
        micro: { regionDrones: 10_000, regionSeconds: 5, stagePoints: 200_000, intakeDrones: 500, intakeSeconds: 30 },
        stretch: { stretchMaxMs: 1000, sockets: 500, drones: 500, isolated: 64, spacingM: 2300, durationMs: 8000 },
        dense: { copies: 6 },
        regionAlone: { drones: 500, hubs: 5, fullDrones: 10_000, seconds: 20, warmupS: 4 },
      };
}

export interface Collected {
  throughput: { full: ThroughputResult; bare: ThroughputResult }[];
  sockets: Record<number, SocketsResult[]>;
  messages: { on: { relay: MessageCount; hover: HoverCount }[]; off: { relay: MessageCount; hover: HoverCount }[] };
  /** Stretch on: scenario 2 with STRETCH_MAX_MS (its baseline is sockets[p.stretch.sockets]); the message workload on and off. */
  stretch: { sockets: SocketsResult[]; on: StretchCount[]; off: StretchCount[] };
  regionCore: RegionCoreFigures[];
  /** The region's batch intake in Node: one-point batches via hubs against the relay's (scripts/bench/batch-intake.ts). */
  intake: BatchIntakeFigures[];
  /** Cold edges, no warm-up: one copy of the public tracks (baseline) and `copies` of them, per run. */
  dense: { one: DenseTracksResult[]; many: DenseTracksResult[] };
  stages: StageFigure[][];
  wire: Awaited<ReturnType<typeof wireSizes>> | null;
  regionAlone: { hubs: LoadResult[]; relay: LoadResult[]; direct: LoadResult[]; full: LoadResult[] };
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const { quick, runs, seed, jsonPath } = commandLineOrExit(process.argv.slice(2), BENCH_CLI);
  const p = profileFor(quick, runs);
  const started = Date.now();
  const secret = randomBytes(24).toString("hex");
  const c: Collected = {
    throughput: [],
    sockets: {},
    messages: { on: [], off: [] },
    stretch: { sockets: [], on: [], off: [] },
    regionCore: [],
    intake: [],
    stages: [],
    wire: null,
    dense: { one: [], many: [] },
    regionAlone: { hubs: [], relay: [], direct: [], full: [] },
  };
  const losses: string[] = [];
  const cleanups: (() => void)[] = [];
  // Temporary builds go even when a signal or crash ends the process (edges are stopped by edge.ts).
  process.on("exit", () => {
    for (const f of cleanups.splice(0).reverse()) f();
  });
  log(`airspace bench: ${quick ? "quick" : "full"}, ${p.runs} run(s) per figure, seed ${seed}, ${nproc()} cores, Node ${process.versions.node}`);

  try {
    // 4. Node micro-benchmarks first: nothing else is running yet.
    log("[1/6] micro-benchmarks in Node (seeded)");
    for (let r = 0; r < p.runs; r++) {
      c.regionCore.push(await benchRegionCore({ drones: p.micro.regionDrones, seconds: p.micro.regionSeconds, seed: seed + r }));
      c.stages.push(await benchGatewayStages({ points: p.micro.stagePoints, seed: seed + r }));
      c.intake.push(benchBatchIntake({ drones: p.micro.intakeDrones, seconds: p.micro.intakeSeconds }));
    }
    c.wire = await wireSizes(seed);

    // Frozen builds of the real Worker and of the bare-transport Worker.
    const real = buildSnapshot(ROOT, "real");
    cleanups.push(() => real.remove());
    const bareCfg = writeBareConfig(ROOT, COMPAT_DATE);
    cleanups.push(() => rmSync(bareCfg.dir, { recursive: true, force: true }));
    const bare = buildSnapshot(ROOT, "bare", bareCfg.path);
    cleanups.push(() => bare.remove());

    // 1. Relay throughput: the real edge and the bare one, up together, searched alternately.
    log("[2/6] relay throughput: full pipeline vs bare transport");
    const load = new RelayLoad({ drones: p.throughput.drones, framePoints: p.throughput.framePoints, relays: p.throughput.relays, seed });
    await withEdges(
      [
        { label: "full", snap: real, vars: throughputVars(p.throughput.drones) },
        { label: "bare", snap: bare, vars: throughputVars(p.throughput.drones) },
      ],
      async ([full, bareEdge]) => {
        for (let r = 0; r < p.runs; r++) {
          log(` run ${r + 1}: full pipeline`);
          const f = await runRelayThroughput(full!, secret, { ...p.throughput, seed, log }, load);
          log(` run ${r + 1}: bare transport`);
          const b = await runRelayThroughput(bareEdge!, secret, { ...p.throughput, seed, log }, load);
          c.throughput.push({ full: f, bare: b });
        }
      },
      secret,
    );

    // 2. Drone sockets: a fresh edge per size and run, so no fleet of an earlier run is still in the grid.
    log(`[3/6] drone sockets at 10 Hz: alert latency, loss, CPU (then ${p.stretch.sockets} with STRETCH_MAX_MS=${p.stretch.stretchMaxMs})`);
    for (let r = 0; r < p.runs; r++) {
      for (const n of p.sockets.sizes) {
        await withEdges(
          [{ label: `sockets${n}`, snap: real, vars: {} }],
          async ([edge]) => {
            const s = await runDroneSockets(edge!, secret, {
              drones: n,
              pairsPerKind: p.sockets.pairsPerKind,
              durationMs: p.sockets.durationMs,
              warmupMs: p.sockets.warmupMs,
              seed: seed + r,
              idPrefix: `s${n}r${r}`,
              log,
            });
            log(
              `  run ${r + 1}, ${n} sockets: ${s.accepted} accepted, near p50/p99 ${fmt(percentile(s.near.samples, 50))}/${fmt(percentile(s.near.samples, 99))} ms, far ${fmt(percentile(s.far.samples, 50))}/${fmt(percentile(s.far.samples, 99))} ms, ${fmt(s.cpuUsPerPoint)} µs CPU/pt${s.shed > 0 ? `, ${s.shed} shed` : ""}${s.dataLoss ? `, LOSS: ${s.dataLoss}` : ""}`,
            );
            if (s.dataLoss) losses.push(`${n} sockets, run ${r + 1}: ${s.dataLoss}`);
            c.sockets[n] = [...(c.sockets[n] ?? []), s];
          },
          secret,
        );
      }
      // 5. The same 500 sockets with the safety-aware stretch on (fresh edge), then the stretch message
      // workload on that edge; its stretch-off counterpart runs on the defaults edge of scenario 3.
      const st = p.stretch;
      await withEdges(
        [{ label: "stretch", snap: real, vars: { STRETCH_MAX_MS: st.stretchMaxMs } }],
        async ([edge]) => {
          const s = await runDroneSockets(edge!, secret, {
            drones: st.sockets,
            pairsPerKind: p.sockets.pairsPerKind,
            durationMs: p.sockets.durationMs,
            warmupMs: p.sockets.warmupMs,
            seed: seed + r,
            idPrefix: `st${r}`,
            log,
          });
          log(
            `  run ${r + 1}, ${st.sockets} sockets, STRETCH_MAX_MS=${st.stretchMaxMs}: ${s.accepted} accepted, ${fmt((1000 * s.regionBatches) / Math.max(1, s.accepted))} msgs/1k pts, near p50/p99 ${fmt(percentile(s.near.samples, 50))}/${fmt(percentile(s.near.samples, 99))} ms, far ${fmt(percentile(s.far.samples, 50))}/${fmt(percentile(s.far.samples, 99))} ms, missed ${s.near.missed + s.far.missed}${s.dataLoss ? `, LOSS: ${s.dataLoss}` : ""}`,
          );
          if (s.dataLoss) losses.push(`${st.sockets} sockets with the stretch, run ${r + 1}: ${s.dataLoss}`);
          c.stretch.sockets.push(s);
          c.stretch.on.push(await stretchRun(edge!, secret, p, seed + r, `sxon${r}`, losses));
        },
        secret,
      );
    }

    // 6. Dense continuous tracks on cold edges (no warm-up: the start-up transient is the point).
    log(`[4/6] dense continuous tracks on cold edges: 1 and ${p.dense.copies} copies of the public encounters over one relay`);
    for (let r = 0; r < p.runs; r++) {
      for (const copies of [1, p.dense.copies]) {
        const d = await runColdDenseTracks({ copies, label: `dense${copies}r${r}`, config: real.config });
        log(`  run ${r + 1}, ${copies} cop${copies === 1 ? "y" : "ies"}: ${describeDense(d).replace(/\n/g, "\n    ")}`);
        if (d.counters?.lost) losses.push(`dense tracks, ${copies} copies, run ${r + 1}: ${d.counters.lost} points lost`);
        (copies === 1 ? c.dense.one : c.dense.many).push(d);
      }
    }

    // 3. The same message workloads with batching + dedupe on (defaults) and off, each on a fresh edge.
    log("[5/6] messages into region objects per 1,000 points: batching + dedupe on vs off; stretch workload off");
    for (let r = 0; r < p.runs; r++) {
      await withEdges(
        [{ label: "on", snap: real, vars: {} }],
        async ([edge]) => {
          c.messages.on.push(await messagesRun(edge!, secret, p, seed + r, `on${r}`, losses));
          c.stretch.off.push(await stretchRun(edge!, secret, p, seed + r, `sxoff${r}`, losses));
        },
        secret,
      );
      await withEdges(
        [{ label: "off", snap: real, vars: OFF_VARS }],
        async ([edge]) => void c.messages.off.push(await messagesRun(edge!, secret, p, seed + r, `off${r}`, losses)),
        secret,
      );
    }

    // 7. One region alone: its own CPU per point, hub-shaped against relay-shaped, and 10,000 drones' worth.
    const ra = p.regionAlone;
    log(`[6/6] one region alone in its own workerd: ${ra.drones} drones via ${ra.hubs} hubs, on 1 relay link, direct; ${ra.fullDrones} via hubs`);
    for (let r = 0; r < p.runs; r++) {
      const pairs = 6;
      const [hubs, relay, direct, full] = await runRegionAlone(
        [
          { drones: ra.drones, shape: { kind: "hubs", hubs: ra.hubs }, pairs },
          { drones: ra.drones, shape: { kind: "relay", links: 1 }, pairs },
          { drones: ra.drones, shape: { kind: "relay", links: ra.drones }, pairs },
          { drones: ra.fullDrones, shape: { kind: "hubs", hubs: Math.ceil(ra.fullDrones / 100) }, pairs: 20 },
        ],
        { root: ROOT, secret, hz: 10, seconds: ra.seconds, warmupS: ra.warmupS, seed: seed + r, stallMs: 1500, log },
      );
      for (const x of [hubs!, relay!, direct!, full!]) {
        log(
          `  run ${r + 1}, ${x.label}: ${x.sentPerS.toFixed(0)} pts/s, region ${x.regionUsPerPoint.toFixed(2)} µs/pt, keeping pace ${x.keepingPace ? "yes" : "NO"}, lost ${x.lost}, pairs ${x.pairsAlerted}/${x.pairs}`,
        );
        if (x.lost !== 0) losses.push(`region alone, ${x.label}, run ${r + 1}: ${x.lost} points lost`);
      }
      c.regionAlone.hubs.push(hubs!);
      c.regionAlone.relay.push(relay!);
      c.regionAlone.direct.push(direct!);
      c.regionAlone.full.push(full!);
    }
  } catch (e) {
    log(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    for (const f of cleanups.splice(0).reverse()) f();
    return 2;
  }
  for (const f of cleanups.splice(0).reverse()) f();

  const figures = buildFigures(c, p);
  const meta = {
    date: new Date().toISOString(),
    quick,
    runs: p.runs,
    seed,
    node: process.versions.node,
    nproc: nproc(),
    kernel: release(),
    durationS: Math.round((Date.now() - started) / 100) / 10,
    profile: p,
  };
  console.log(formatTable(figures));
  console.log(`\n${meta.durationS} s, ${meta.runs} run(s) per figure (medians), ${meta.nproc} cores, Node ${meta.node}, Linux ${meta.kernel}, ${meta.date}`);
  const json = JSON.stringify({ meta, figures, losses, raw: c }, null, 2);
  if (typeof jsonPath === "string") writeFileSync(jsonPath, `${json}\n`);
  else console.log(json);
  if (losses.length > 0) {
    log(`DATA LOSS at nominal load:\n  ${losses.join("\n  ")}`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(2);
    },
  );
}
