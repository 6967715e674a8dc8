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
import { Edge } from "./bench/edge.js";
import { runDroneSockets, type SocketsResult } from "./bench/drone-sockets.js";
import {
  farRadiusM,
  hoverMessages,
  OFF_VARS,
  relayMessages,
  stretchMessages,
  type HoverCount,
  type MessageCount,
  type StretchCount,
} from "./bench/messages.js";
import { RelayLoad, runRelayThroughput, throughputVars, type ThroughputResult } from "./bench/relay-throughput.js";
import { benchGatewayStages, type StageFigure } from "./bench/gateway-stages.js";
import { benchRegionCore, type RegionCoreFigures } from "./bench/region-core.js";
import { type DenseTracksResult, describeDense, runColdDenseTracks } from "./bench/dense-tracks.js";
import { buildSnapshot, type Snapshot } from "./lib/snapshot.js";
import { check, formatTable, median, percentile, ratioOf, type Figure } from "./bench/stats.js";
import { wireSizes } from "./bench/wire-size.js";
import { writeBareConfig } from "./bench/bare-config.js";
import { numberArg, parseArgs } from "./lib/args.js";
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
  micro: { regionDrones: number; regionSeconds: number; stagePoints: number };
  /** 500 sockets with STRETCH_MAX_MS on (latency, as scenario 2) and the isolated/dense message workload. */
  stretch: { stretchMaxMs: number; sockets: number; drones: number; isolated: number; spacingM: number; durationMs: number };
  /** The dense continuous tracks (issue 14) on cold edges: `copies` of the public encounters, against one copy. */
  dense: { copies: number };
}

export function profileFor(quick: boolean, runs?: number): Profile {
  return quick
    ? {
        runs: runs ?? 1,
        throughput: { drones: 10_000, relays: 4, framePoints: 500, probeMs: 1500, startRate: 100_000, maxRate: 1_600_000, refine: 1, maxProbes: 5 },
        sockets: { sizes: [500, 1000], durationMs: 3000, pairsPerKind: 10, warmupMs: 3000 },
        messages: { drones: 500, durationMs: 3000 },
        micro: { regionDrones: 10_000, regionSeconds: 2, stagePoints: 30_000 },
        stretch: { stretchMaxMs: 1000, sockets: 500, drones: 500, isolated: 64, spacingM: 2300, durationMs: 3000 },
        dense: { copies: 6 },
      }
    : {
        runs: runs ?? 3,
        throughput: { drones: 10_000, relays: 4, framePoints: 500, probeMs: 3000, startRate: 100_000, maxRate: 1_600_000, refine: 2, maxProbes: 7 },
        sockets: { sizes: [500, 1000], durationMs: 15_000, pairsPerKind: 20, warmupMs: 3000 },
        messages: { drones: 500, durationMs: 8000 },
        micro: { regionDrones: 10_000, regionSeconds: 5, stagePoints: 200_000 },
        stretch: { stretchMaxMs: 1000, sockets: 500, drones: 500, isolated: 64, spacingM: 2300, durationMs: 8000 },
        dense: { copies: 6 },
      };
}

interface Collected {
  throughput: { full: ThroughputResult; bare: ThroughputResult }[];
  sockets: Record<number, SocketsResult[]>;
  messages: { on: { relay: MessageCount; hover: HoverCount }[]; off: { relay: MessageCount; hover: HoverCount }[] };
  /** Stretch on: scenario 2 with STRETCH_MAX_MS (its baseline is sockets[p.stretch.sockets]); the message workload on and off. */
  stretch: { sockets: SocketsResult[]; on: StretchCount[]; off: StretchCount[] };
  regionCore: RegionCoreFigures[];
  /** Cold edges, no warm-up: one copy of the public tracks (baseline) and `copies` of them, per run. */
  dense: { one: DenseTracksResult[]; many: DenseTracksResult[] };
  stages: StageFigure[][];
  wire: Awaited<ReturnType<typeof wireSizes>> | null;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), ["quick"]);
  const quick = args.has("quick");
  const runsArg = args.get("runs");
  const p = profileFor(quick, runsArg === undefined ? undefined : numberArg(args, "runs", 1));
  const seed = numberArg(args, "seed", 1);
  const jsonPath = args.get("json");
  const started = Date.now();
  const secret = randomBytes(24).toString("hex");
  const c: Collected = {
    throughput: [],
    sockets: {},
    messages: { on: [], off: [] },
    stretch: { sockets: [], on: [], off: [] },
    regionCore: [],
    stages: [],
    wire: null,
    dense: { one: [], many: [] },
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
    log("[1/5] micro-benchmarks in Node (seeded)");
    for (let r = 0; r < p.runs; r++) {
      c.regionCore.push(await benchRegionCore({ drones: p.micro.regionDrones, seconds: p.micro.regionSeconds, seed: seed + r }));
      c.stages.push(await benchGatewayStages({ points: p.micro.stagePoints, seed: seed + r }));
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
    log("[2/5] relay throughput: full pipeline vs bare transport");
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
    log(`[3/5] drone sockets at 10 Hz: alert latency, loss, CPU (then ${p.stretch.sockets} with STRETCH_MAX_MS=${p.stretch.stretchMaxMs})`);
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
              `  run ${r + 1}, ${n} sockets: ${s.accepted} accepted, near p50/p99 ${fmt(percentile(s.near.samples, 50))}/${fmt(percentile(s.near.samples, 99))} ms, far ${fmt(percentile(s.far.samples, 50))}/${fmt(percentile(s.far.samples, 99))} ms, ${fmt(s.cpuUsPerPoint)} µs CPU/pt${s.dataLoss ? `, LOSS: ${s.dataLoss}` : ""}`,
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
    log(`[4/5] dense continuous tracks on cold edges: 1 and ${p.dense.copies} copies of the public encounters over one relay`);
    for (let r = 0; r < p.runs; r++) {
      for (const copies of [1, p.dense.copies]) {
        const d = await runColdDenseTracks({ copies, label: `dense${copies}r${r}`, config: real.config });
        log(`  run ${r + 1}, ${copies} cop${copies === 1 ? "y" : "ies"}: ${describeDense(d).replace(/\n/g, "\n    ")}`);
        if (d.counters?.lost) losses.push(`dense tracks, ${copies} copies, run ${r + 1}: ${d.counters.lost} points lost`);
        (copies === 1 ? c.dense.one : c.dense.many).push(d);
      }
    }

    // 3. The same message workloads with batching + dedupe on (defaults) and off, each on a fresh edge.
    log("[5/5] messages into region objects per 1,000 points: batching + dedupe on vs off; stretch workload off");
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

async function messagesRun(edge: Edge, secret: string, p: Profile, seed: number, prefix: string, losses: string[]) {
  const relay = await relayMessages(edge, secret, { drones: p.messages.drones, durationMs: p.messages.durationMs, seed, idPrefix: `${prefix}r` });
  const hover = await hoverMessages(edge, secret, { drones: p.messages.drones, durationMs: p.messages.durationMs, seed, idPrefix: `${prefix}h` });
  log(
    `  ${prefix}: relay ${fmt(relay.perThousandAccepted)} msgs/1k pts; sockets ${fmt(hover.all.perThousandAccepted)}; hovering half ${hover.hover.messages} msgs for ${hover.hover.sent} pts sent`,
  );
  if (relay.lost > 0 || relay.regionPoints !== relay.accepted)
    losses.push(`${prefix} relay: accepted ${relay.accepted}, applied ${relay.regionPoints}, lost ${relay.lost}`);
  if (hover.all.lost > 0 || hover.all.regionPoints !== hover.all.accepted)
    losses.push(`${prefix} sockets: accepted ${hover.all.accepted}, applied ${hover.all.regionPoints}, lost ${hover.all.lost}`);
  return { relay, hover };
}

async function stretchRun(edge: Edge, secret: string, p: Profile, seed: number, prefix: string, losses: string[]): Promise<StretchCount> {
  const st = p.stretch;
  const s = await stretchMessages(edge, secret, {
    drones: st.drones,
    isolated: st.isolated,
    spacingM: st.spacingM,
    farRadiusM: farRadiusM({ conflictRadiusM: 15, maxSpeedMps: 100, lookaheadS: 5, staleAfterMs: 3000, stretchMaxMs: st.stretchMaxMs }),
    durationMs: st.durationMs,
    seed,
    idPrefix: prefix,
  });
  log(`  ${prefix}: ${fmt(s.all.perThousandAccepted)} msgs/1k pts; isolated ${fmt(s.isolated.perThousandAccepted)}, dense ${fmt(s.dense.perThousandAccepted)}`);
  if (s.all.lost > 0 || s.all.regionPoints !== s.all.accepted)
    losses.push(`${prefix} stretch workload: accepted ${s.all.accepted}, applied ${s.all.regionPoints}, lost ${s.all.lost}`);
  return s;
}

async function withEdges(
  specs: { label: string; snap: Snapshot; vars: Record<string, string | number> }[],
  body: (edges: Edge[]) => Promise<void>,
  secret: string,
): Promise<void> {
  const edges: Edge[] = [];
  try {
    for (const s of specs) edges.push(await Edge.start({ root: ROOT, config: s.snap.config, vars: s.vars, secret, label: s.label }));
    await body(edges);
  } finally {
    for (const e of edges) await e.stop();
  }
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(x >= 100 ? 0 : 1) : "n/a");
const med = <T>(xs: T[], f: (x: T) => number) => median(xs.map(f));
const runsOf = <T>(xs: T[], f: (x: T) => number) => xs.map(f);

export function buildFigures(c: Collected, p: Profile): Figure[] {
  const out: Figure[] = [];
  const add = (f: Omit<Figure, "ratio"> & { ratio?: number | null }) =>
    out.push({ ...f, ratio: f.ratio === undefined ? ratioOf(f.value, f.baseline) : f.ratio });

  // 1. Relay throughput.
  if (c.throughput.length > 0) {
    const full = med(c.throughput, (t) => t.full.best);
    const bare = med(c.throughput, (t) => t.bare.best);
    const ratio = med(c.throughput, (t) => (t.bare.best > 0 ? t.full.best / t.bare.best : NaN));
    add({
      key: "relay.maxPointsPerS",
      figure: `relay: max sustained points/s, zero loss (${p.throughput.relays} sockets, ${p.throughput.framePoints}-pt frames)`,
      value: full,
      unit: "pts/s",
      baseline: bare,
      baselineLabel: "bare transport",
      ratio,
      target: "≥ 200,000; ≥ 0.5 × bare",
      met: full >= 200_000 && ratio >= 0.5,
      runs: runsOf(c.throughput, (t) => t.full.best),
    });
    add({
      key: "relay.cpuUsPerPoint",
      figure: "relay: workerd CPU per point at that rate",
      value: med(c.throughput, (t) => t.full.bestProbe?.cpuUsPerPoint ?? NaN),
      unit: "µs",
      baseline: med(c.throughput, (t) => t.bare.bestProbe?.cpuUsPerPoint ?? NaN),
      baselineLabel: "bare",
      target: "",
      met: null,
    });
  }

  // 2. Drone sockets.
  for (const n of p.sockets.sizes) {
    const rs = c.sockets[n] ?? [];
    if (rs.length === 0) continue;
    // Percentiles over every encounter of every run: a run has too few for a p99 of its own.
    const pooled = (k: "near" | "far", q: number) =>
      percentile(
        rs.flatMap((r) => r[k].samples),
        q,
      );
    const nearP50 = pooled("near", 50);
    const nearP99 = pooled("near", 99);
    const farP50 = pooled("far", 50);
    const farP99 = pooled("far", 99);
    const samples = (k: "near" | "far") => rs.reduce((s, r) => s + r[k].samples.length, 0);
    const missed = rs.reduce((s, r) => s + r.near.missed + r.far.missed, 0);
    add({
      key: `sockets${n}.nearP50`,
      figure: `${n} sockets: alert latency p50, under proximity flush (${samples("near")} encounters)`,
      value: nearP50,
      unit: "ms",
      baseline: null,
      target: "",
      met: null,
      runs: runsOf(rs, (r) => percentile(r.near.samples, 50)),
    });
    add({
      key: `sockets${n}.nearP99`,
      figure: `${n} sockets: alert latency p99, under proximity flush`,
      value: nearP99,
      unit: "ms",
      baseline: null,
      target: "≤ 15 ms",
      met: check(nearP99, "<=", 15),
      runs: runsOf(rs, (r) => percentile(r.near.samples, 99)),
    });
    add({
      key: `sockets${n}.farP50`,
      figure: `${n} sockets: alert latency p50, 50 ms window (${samples("far")} encounters)`,
      value: farP50,
      unit: "ms",
      baseline: null,
      target: "",
      met: null,
      runs: runsOf(rs, (r) => percentile(r.far.samples, 50)),
    });
    add({
      key: `sockets${n}.farP99`,
      figure: `${n} sockets: alert latency p99, 50 ms window`,
      value: farP99,
      unit: "ms",
      baseline: null,
      target: "≤ 60 ms",
      met: check(farP99, "<=", 60),
      runs: runsOf(rs, (r) => percentile(r.far.samples, 99)),
    });
    const lag = med(rs, (r) => r.loadGenLoopDelayP99Ms);
    add({
      key: `sockets${n}.loadGenLag`,
      figure: `${n} sockets: the load generator's own event-loop delay, p99 (part of every latency above)`,
      value: lag,
      unit: "ms",
      baseline: null,
      target: "",
      met: null,
      runs: runsOf(rs, (r) => r.loadGenLoopDelayP99Ms),
    });
    const lost = rs.reduce((s, r) => s + (r.dataLoss ? 1 : 0), 0);
    const sustained = rs.every((r) => r.connected === r.drones && r.reconnects === 0 && !r.dataLoss) && farP50 <= 100 && missed === 0;
    add({
      key: `sockets${n}.sustained`,
      figure: `${n} sockets at 10 Hz: connected at the end, zero loss, no missed alert, p50 ≤ 100 ms`,
      value: med(rs, (r) => r.connected),
      unit: "sockets",
      baseline: null,
      target: n >= 1000 ? "1,000 sustained" : "zero loss",
      met: n >= 1000 ? sustained : lost === 0,
      note: `${lost} run(s) with loss, ${missed} missed encounter alerts, truth conflicts alerted ${rs.reduce((s, r) => s + r.truth.alerted, 0)}/${rs.reduce((s, r) => s + r.truth.due, 0)}`,
    });
    add({
      key: `sockets${n}.cpuUsPerPoint`,
      figure: `${n} sockets: workerd CPU per accepted point`,
      value: med(rs, (r) => r.cpuUsPerPoint),
      unit: "µs",
      baseline: null,
      target: "",
      met: null,
    });
  }

  // 6. Dense continuous tracks on cold edges.
  const { one, many } = c.dense;
  if (one.length > 0 && many.length > 0) {
    const n = p.dense.copies;
    const drones = many[0]!.drones;
    const both = (d: DenseTracksResult) => d.score.both / Math.max(1, d.score.conflicts);
    const lat = (ds: DenseTracksResult[], k: "earlyLatencyMs" | "laterLatencyMs", q: number) =>
      percentile(
        ds.flatMap((d) => d.score[k]),
        q,
      );
    add({
      key: "dense.bothRatio",
      figure: `dense tracks, ${drones} drones over one relay, cold edge: conflicts alerted to both drones (${many.reduce((x, d) => x + d.score.both, 0)}/${many.reduce((x, d) => x + d.score.conflicts, 0)})`,
      value: med(many, both),
      unit: "",
      baseline: med(one, both),
      baselineLabel: "1 copy",
      target: "1 (every conflict, every run)",
      met: many.every((d) => d.score.both === d.score.conflicts && d.score.falseAlerts.length === 0),
      note: `false alerts ${many.reduce((x, d) => x + d.score.falseAlerts.length, 0)}; no pong (edge > 5 s behind) in ${many.filter((d) => !d.counters).length} run(s); server errors ${JSON.stringify(many.map((d) => d.serverErrors))}`,
      runs: runsOf(many, both),
    });
    add({
      key: "dense.earlyMissed",
      figure: `dense tracks, ${n} copies: conflicts first seen in the first 5 s after a cold start, not alerted to both`,
      value: med(many, (d) => d.score.earlyMissed),
      unit: "",
      baseline: med(one, (d) => d.score.earlyMissed),
      baselineLabel: "1 copy",
      ratio: null,
      target: "0",
      met: many.every((d) => d.score.earlyMissed === 0),
      runs: runsOf(many, (d) => d.score.earlyMissed),
    });
    for (const [k, label] of [
      ["earlyLatencyMs", "first 5 s after a cold start"],
      ["laterLatencyMs", "after the first 5 s"],
    ] as const) {
      for (const q of [50, 99]) {
        add({
          key: `dense.${k === "earlyLatencyMs" ? "early" : "later"}P${q}`,
          figure: `dense tracks, ${n} copies: first alert, measurement → client, p${q}, ${label}`,
          value: lat(many, k, q),
          unit: "ms",
          baseline: lat(one, k, q),
          baselineLabel: "1 copy",
          target: "",
          met: null,
        });
      }
    }
  }

  // 3. Messages into region objects.
  const { on, off } = c.messages;
  if (on.length > 0 && off.length > 0) {
    const pairRuns = <T>(f: (m: { relay: MessageCount; hover: HoverCount }) => T) => on.map((m, i) => [f(m), f(off[i] ?? m)] as const);
    const relayOn = med(on, (m) => m.relay.perThousandAccepted);
    add({
      key: "messages.relay500",
      figure: `messages into regions per 1,000 accepted points: relay, ${p.messages.drones} drones at 10 Hz`,
      value: relayOn,
      unit: "",
      baseline: med(off, (m) => m.relay.perThousandAccepted),
      baselineLabel: "batching+dedupe off",
      ratio: median(pairRuns((m) => m.relay.perThousandAccepted).map(([a, b]) => a / b)),
      target: "≤ 25",
      met: check(relayOn, "<=", 25),
    });
    add({
      key: "messages.sockets500",
      figure: `messages per 1,000 accepted points: ${p.messages.drones} sockets at 10 Hz, half hovering`,
      value: med(on, (m) => m.hover.all.perThousandAccepted),
      unit: "",
      baseline: med(off, (m) => m.hover.all.perThousandAccepted),
      baselineLabel: "off",
      ratio: median(pairRuns((m) => m.hover.all.perThousandAccepted).map(([a, b]) => a / b)),
      target: "",
      met: null,
    });
    add({
      key: "messages.sockets500PerSent",
      figure: `messages per 1,000 points sent: ${p.messages.drones} sockets, half hovering`,
      value: med(on, (m) => m.hover.all.perThousandSent),
      unit: "",
      baseline: med(off, (m) => m.hover.all.perThousandSent),
      baselineLabel: "off",
      ratio: median(pairRuns((m) => m.hover.all.perThousandSent).map(([a, b]) => a / b)),
      target: "",
      met: null,
    });
    // Per 1,000 points sent, since dedupe changes what is accepted: the cut in messages for the same load.
    const hoverRatio = median(pairRuns((m) => m.hover.hover.perThousandSent).map(([a, b]) => a / b));
    add({
      key: "messages.hoverCut",
      figure: "hovering half: messages per 1,000 points sent (ratio = on ÷ off)",
      value: med(on, (m) => m.hover.hover.perThousandSent),
      unit: "",
      baseline: med(off, (m) => m.hover.hover.perThousandSent),
      baselineLabel: "off",
      ratio: hoverRatio,
      target: "cut ≥ 85 % (ratio ≤ 0.15)",
      met: check(hoverRatio, "<=", 0.15),
    });
  }

  // 5. The safety-aware stretch: messages and alert latency, on (STRETCH_MAX_MS) vs off in the same run.
  const st = c.stretch;
  const base = c.sockets[p.stretch.sockets] ?? [];
  if (st.sockets.length > 0 && base.length > 0) {
    const label = `${p.stretch.sockets} sockets, STRETCH_MAX_MS=${p.stretch.stretchMaxMs}`;
    const perK = (r: SocketsResult) => (1000 * r.regionBatches) / Math.max(1, r.accepted);
    const pairs = st.sockets.map((r, i) => [r, base[i] ?? base[0]!] as const);
    add({
      key: "stretch.sockets.messages",
      figure: `${label}: messages into regions per 1,000 accepted points (scenario 2's fleet)`,
      value: med(st.sockets, perK),
      unit: "",
      baseline: med(base, perK),
      baselineLabel: "stretch off",
      ratio: median(pairs.map(([a, b]) => perK(a) / perK(b))),
      target: "",
      met: null,
      runs: runsOf(st.sockets, perK),
    });
    const lat = (k: "near" | "far", q: number) => (r: SocketsResult) => percentile(r[k].samples, q);
    const pooledOf = (rs: SocketsResult[], k: "near" | "far", q: number) =>
      percentile(
        rs.flatMap((r) => r[k].samples),
        q,
      );
    const latRow = (k: "near" | "far", q: number, what: string, target: string, bound: number | null) => {
      const v = pooledOf(st.sockets, k, q);
      const b = pooledOf(base, k, q);
      add({
        key: `stretch.sockets.${k}P${q}`,
        figure: `${label}: alert latency p${q}, ${what}`,
        value: v,
        unit: "ms",
        baseline: b,
        baselineLabel: "stretch off",
        ratio: v / b,
        target,
        met: bound === null ? null : check(v, "<=", bound),
        runs: runsOf(st.sockets, lat(k, q)),
      });
    };
    const n = (k: "near" | "far") => st.sockets.reduce((s, r) => s + r[k].samples.length, 0);
    latRow("near", 50, `under proximity flush (${n("near")} encounters)`, "", null);
    latRow("near", 99, "under proximity flush", "≤ 15 ms", 15);
    latRow("far", 50, `50 ms window (${n("far")} encounters)`, "", null);
    latRow("far", 99, "50 ms window", "≤ 60 ms", 60);
    const missed = st.sockets.reduce((s, r) => s + r.near.missed + r.far.missed, 0);
    const truthDue = st.sockets.reduce((s, r) => s + r.truth.due, 0);
    const truthAlerted = st.sockets.reduce((s, r) => s + r.truth.alerted, 0);
    add({
      key: "stretch.sockets.missed",
      figure: `${label}: encounters with no alert on both drones within 3 s, plus FleetSim conflicts not alerted`,
      value: missed + (truthDue - truthAlerted),
      unit: "",
      baseline: base.reduce((s, r) => s + r.near.missed + r.far.missed + r.truth.due - r.truth.alerted, 0),
      baselineLabel: "stretch off",
      ratio: null,
      target: "0",
      met: missed + (truthDue - truthAlerted) === 0,
      note: `scripted misses ${missed}; FleetSim conflicts alerted ${truthAlerted}/${truthDue}; ${st.sockets.filter((r) => r.dataLoss).length} run(s) with loss`,
    });
  }
  if (st.on.length > 0 && st.off.length > 0) {
    const s0 = st.on[0]!;
    const pairs = st.on.map((m, i) => [m, st.off[i] ?? m] as const);
    const row = (key: string, what: string, f: (m: StretchCount) => number) =>
      add({
        key: `stretch.messages.${key}`,
        figure: `stretch workload, ${what}: messages per 1,000 accepted points, STRETCH_MAX_MS=${p.stretch.stretchMaxMs}`,
        value: med(st.on, f),
        unit: "",
        baseline: med(st.off, f),
        baselineLabel: "stretch off",
        ratio: median(pairs.map(([a, b]) => f(a) / f(b))),
        target: "",
        met: null,
        runs: runsOf(st.on, f),
      });
    row(
      "all",
      `${p.stretch.drones} sockets (${s0.isolatedDrones} isolated + ${p.stretch.drones - s0.isolatedDrones} in a 4 km disc)`,
      (m) => m.all.perThousandAccepted,
    );
    row("isolated", `the ${s0.isolatedDrones} isolated drones (${(s0.spacingM / 1000).toFixed(1)} km apart)`, (m) => m.isolated.perThousandAccepted);
    row("dense", `the ${p.stretch.drones - s0.isolatedDrones} drones in the disc`, (m) => m.dense.perThousandAccepted);
  }

  // 4. Micro-benchmarks and the wire.
  if (c.regionCore.length > 0) {
    const rc = c.regionCore;
    const drones = rc[0]!.drones;
    add({
      key: "core.regionUsPerPoint",
      figure: `region core: cost per point, ${drones.toLocaleString("en-US")} drones, conflicts on`,
      value: med(rc, (r) => r.usPerPoint),
      unit: "µs",
      baseline: med(rc, (r) => r.naiveUsPerPoint),
      baselineLabel: "naive all-pairs",
      target: "≤ 2 µs",
      met: check(
        med(rc, (r) => r.usPerPoint),
        "<=",
        2,
      ),
    });
    add({
      key: "core.regionTickMs",
      figure: `region core: per-second tick, ${drones.toLocaleString("en-US")} drones`,
      value: med(rc, (r) => r.tickMeanMs),
      unit: "ms",
      baseline: med(rc, (r) => r.naiveTickMs),
      baselineLabel: "naive all-pairs sweep",
      target: "≤ 10 ms",
      met: check(
        med(rc, (r) => r.tickMeanMs),
        "<=",
        10,
      ),
    });
    add({
      key: "core.regionBytesPerDrone",
      figure: "region core: typed-array bytes per drone",
      value: med(rc, (r) => r.typedBytesPerDrone),
      unit: "B",
      baseline: null,
      target: "≤ 256 B",
      met: check(
        med(rc, (r) => r.typedBytesPerDrone),
        "<=",
        256,
      ),
    });
  }
  if (c.stages.length > 0) {
    for (let i = 0; i < c.stages[0]!.length; i++) {
      const s = c.stages[0]![i]!;
      add({
        key: `core.stage.${s.stage.split(" ")[0]}`,
        figure: `gateway stage: ${s.stage}`,
        value: med(c.stages, (x) => x[i]!.nsPerPoint),
        unit: "ns/pt",
        baseline: med(c.stages, (x) => x[i]!.baselineNsPerPoint),
        baselineLabel: s.baseline,
        target: "",
        met: null,
      });
    }
  }
  if (c.wire) {
    const w = c.wire;
    add({
      key: "wire.droneProtobuf",
      figure: "wire: bytes per point, drone socket, 50-pt protobuf frames",
      value: w.drone.protobufBytesPerPoint,
      unit: "B",
      baseline: null,
      target: "≤ 32 B",
      met: check(w.drone.protobufBytesPerPoint, "<=", 32),
    });
    add({
      key: "wire.droneZstd",
      figure: "wire: bytes per point, drone socket, protobuf + zstd",
      value: w.drone.zstdBytesPerPoint,
      unit: "B",
      baseline: w.drone.protobufBytesPerPoint,
      baselineLabel: "protobuf",
      target: "≤ 40 % of protobuf",
      met: check(w.drone.zstdRatio, "<=", 0.4),
    });
    add({
      key: "wire.relayProtobuf",
      figure: "wire: bytes per point, relay (ids on the wire), 50-pt protobuf frames",
      value: w.relay.protobufBytesPerPoint,
      unit: "B",
      baseline: null,
      target: "≤ 32 B",
      met: check(w.relay.protobufBytesPerPoint, "<=", 32),
    });
    add({
      key: "wire.relayZstd",
      figure: "wire: bytes per point, relay, protobuf + zstd",
      value: w.relay.zstdBytesPerPoint,
      unit: "B",
      baseline: w.relay.protobufBytesPerPoint,
      baselineLabel: "protobuf",
      target: "≤ 40 % of protobuf",
      met: check(w.relay.zstdRatio, "<=", 0.4),
    });
    for (const [kind, ws] of [
      ["drone socket", w.drone],
      ["relay", w.relay],
    ] as const) {
      const k = kind === "relay" ? "relay" : "drone";
      add({
        key: `wire.${k}Columnar`,
        figure: `wire: bytes per point, ${kind}, columnar (TelemetryColumns)`,
        value: ws.columnarBytesPerPoint,
        unit: "B",
        baseline: ws.protobufBytesPerPoint,
        baselineLabel: "row protobuf",
        target: "≤ 32 B",
        met: check(ws.columnarBytesPerPoint, "<=", 32),
      });
      add({
        key: `wire.${k}ColumnarZstd`,
        figure: `wire: bytes per point, ${kind}, columnar + zstd`,
        value: ws.columnarZstdBytesPerPoint,
        unit: "B",
        baseline: ws.protobufBytesPerPoint,
        baselineLabel: "row protobuf",
        target: "≤ 40 % of protobuf",
        met: check(ws.columnarZstdRatio, "<=", 0.4),
      });
      add({
        key: `wire.${k}Stream`,
        figure: `wire: bytes per point, ${kind}, stream (TelemetryStream, one connection)`,
        value: ws.streamBytesPerPoint,
        unit: "B",
        baseline: ws.protobufBytesPerPoint,
        baselineLabel: "row protobuf",
        target: "≤ 32 B",
        met: check(ws.streamBytesPerPoint, "<=", 32),
      });
      add({
        key: `wire.${k}StreamZstd`,
        figure: `wire: bytes per point, ${kind}, stream + zstd`,
        value: ws.streamZstdBytesPerPoint,
        unit: "B",
        baseline: ws.protobufBytesPerPoint,
        baselineLabel: "row protobuf",
        target: "≤ 40 % of protobuf",
        met: check(ws.streamZstdRatio, "<=", 0.4),
      });
    }
    // What a 10 Hz drone behind the 50 ms window actually sends: one report a frame (too small for zstd).
    const one = w.droneSingle;
    add({
      key: "wire.droneSingleProtobuf",
      figure: "wire: bytes per point, drone socket, one report per frame, row protobuf",
      value: one.protobufBytesPerPoint,
      unit: "B",
      baseline: null,
      target: "",
      met: null,
    });
    add({
      key: "wire.droneSingleStream",
      figure: "wire: bytes per point, drone socket, one report per frame, stream",
      value: one.streamBytesPerPoint,
      unit: "B",
      baseline: one.protobufBytesPerPoint,
      baselineLabel: "row protobuf",
      target: "",
      met: null,
    });
  }
  return out;
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
