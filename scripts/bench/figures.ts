/**
 * The table of `npm run bench`: every figure with its baseline measured in the same run, its target and
 * whether it was met, from what the scenarios collected (scripts/bench.ts runs them).
 */
import type { Collected, Profile } from "../bench.js";
import type { DenseTracksResult } from "./dense-tracks.js";
import type { SocketsResult } from "./drone-sockets.js";
import type { HoverCount, MessageCount, StretchCount } from "./messages.js";
import { check, type Figure, median, percentile, ratioOf } from "./stats.js";

export const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(x >= 100 ? 0 : 1) : "n/a");
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
