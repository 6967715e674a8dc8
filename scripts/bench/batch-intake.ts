/**
 * The region's batch intake alone (src/region/batch-intake.ts, with the real RegionCore and LinkLedger;
 * storage, sockets and routing faked), in Node: JavaScript µs per point for 500 single-drone links at
 * 10 Hz arriving as 5 hubs' bundles (one-point batches; K hubs as the policy picks for other fleet sizes), against the same drones on one relay link (one
 * batch a window), in the same run. What a bundle costs the region per batch beyond the points, without
 * workerd's per-message work or this machine's socket noise (scripts/bench/region-hub-load.ts has those).
 *   npx tsx scripts/bench/batch-intake.ts [--drones 500] [--seconds 30] [--rounds 3]
 */
import { DEFAULTS } from "../../src/config.js";
import { RegionCore } from "../../src/detect/region-core.js";
import { fromEnu } from "../../src/geo/enu.js";
import { LinkLedger } from "../../src/link/link-ledger.js";
import { BatchIntake, type IntakeDeps } from "../../src/region/batch-intake.js";
import type { OutputRouter } from "../../src/region/output-router.js";
import { encodeBatch } from "../../src/wire/batch-codec.js";
import { newCounters } from "../../src/wire/counters.js";
import { encodeBundle, readBundle } from "../../src/wire/hub-protocol.js";
import type { TelemetryPoint } from "../../src/wire/point.js";
import { commandLineOrExit, numberFlag } from "../lib/cli.mjs";

const USAGE = "usage: npx tsx scripts/bench/batch-intake.ts [--drones 500] [--seconds 30] [--rounds 3]";

const T0 = 1_700_000_000_000;
const WINDOW_MS = 50;

export interface BatchIntakeFigures {
  drones: number;
  hubs: number;
  /** JavaScript µs per applied point: one-point batches in K hubs' bundles, and the relay's one batch a window (the baseline). */
  hubsUsPerPoint: number;
  relayUsPerPoint: number;
}

/** K as the region's policy picks it: a hub per 1,000 reports a second (HUB_MSGS_PER_S). */
function hubsFor(drones: number): number {
  return Math.max(1, Math.ceil((drones * 10) / 1000));
}

/** Drone i at time t: spread over 20 × 20 km, flying east at 10 m/s (few encounters: the intake, not the alerts). */
function point(i: number, t: number): TelemetryPoint {
  const { lat, lon } = fromEnu(52.52, 13.4, ((i * 7919) % 20_000) - 10_000 + (t - T0) / 100, ((i * 104_729) % 20_000) - 10_000);
  return { droneId: `drone-${String(i).padStart(6, "0")}`, timeMs: t, lat, lon, altM: 50 + (i % 50), vn: 0, ve: 10, vu: 0, battery: 80, seq: -1 };
}

type Message = { kind: "bundle"; bytes: Uint8Array } | { kind: "batch"; link: string; bytes: Uint8Array };

/** Every message of the run, encoded before the clock starts: only the region's side is timed. */
function messages(shape: "hubs" | "relay", drones: number, seconds: number): Message[] {
  const HUBS = hubsFor(drones);
  const counters = Array.from(newCounters());
  const seqs = new Array<number>(drones).fill(0);
  let relaySeq = 0;
  const out: Message[] = [];
  for (let w = 0; w < (seconds * 1000) / WINDOW_MS; w++) {
    const t = T0 + w * WINDOW_MS;
    // 10 Hz: half the drones report in each 50 ms window.
    const due = Array.from({ length: drones }, (_, i) => i).filter((i) => (i + w) % 2 === 0);
    if (shape === "relay") {
      const points = due.map((i) => point(i, t));
      const bytes = encodeBatch({
        seq: ++relaySeq,
        sentAtMs: t,
        traceparent: "",
        counters,
        points,
        ghost: new Uint8Array(points.length),
        receivedMs: points.map(() => t),
      });
      out.push({ kind: "batch", link: "relay.1", bytes });
      continue;
    }
    for (let h = 0; h < HUBS; h++) {
      const batches = due
        .filter((i) => i % HUBS === h)
        .map((i) => ({
          linkId: `d${i}.s.1`,
          bytes: encodeBatch({ seq: ++seqs[i]!, sentAtMs: t, traceparent: "", counters, points: [point(i, t)], ghost: new Uint8Array(1), receivedMs: [t] }),
        }));
      out.push({ kind: "bundle", bytes: encodeBundle(batches) });
    }
  }
  return out;
}

/** µs of JavaScript per applied point after the first fifth of the run (warm-up). */
function run(shape: "hubs" | "relay", msgs: readonly Message[], drones: number): number {
  const HUBS = hubsFor(drones);
  const core = new RegionCore("u33d", DEFAULTS, "bench");
  const ledger = new LinkLedger(DEFAULTS.ackEveryBatches, DEFAULTS.ackEveryMs, 2 * DEFAULTS.resendMaxMs);
  const stats = { batches: 0, duplicateBatches: 0, badBatches: 0, failedBatches: 0, points: 0 };
  const deps = {
    ctx: { storage: { transactionSync: (f: () => void) => f() } },
    store: { journal: () => {} },
    ledger,
    outbox: { bundled: () => {}, acks: () => {} },
    hubs: { applied: () => {} },
    clock: { ensure: () => {} },
    stats,
  } as unknown as IntakeDeps;
  const router = { route: () => {} } as unknown as OutputRouter;
  const intake = new BatchIntake(deps, { key: "u33d", core, router, spans: null });
  const ws = { close: () => {} } as unknown as WebSocket;
  const perS = shape === "relay" ? 20 : 20 * HUBS;
  let now = T0;
  let tickAt = T0 + 1000;
  let started = 0;
  let points0 = 0;
  const warm = Math.floor(msgs.length / 5);
  const realNow = Date.now;
  Date.now = () => now;
  try {
    for (let m = 0; m < msgs.length; m++) {
      if (m === warm) {
        started = performance.now();
        points0 = stats.points;
      }
      now = T0 + Math.floor((m * 1000) / perS) + 10;
      const msg = msgs[m]!;
      if (msg.kind === "batch") intake.direct(ws, msg.link, msg.bytes);
      else intake.bundle(ws, `hub-${m % HUBS}`, readBundle(msg.bytes));
      if (now >= tickAt) {
        core.tick(now);
        ledger.checkpoint(now);
        tickAt += 1000;
      }
    }
  } finally {
    Date.now = realNow;
  }
  if (stats.badBatches + stats.failedBatches > 0) throw new Error(`${shape}: ${stats.badBatches} bad, ${stats.failedBatches} failed batches`);
  return ((performance.now() - started) * 1000) / (stats.points - points0);
}

/** One round of each shape, on the same pre-encoded messages the CLI's rounds reuse. */
export function benchBatchIntake(o: { drones: number; seconds: number }): BatchIntakeFigures {
  return {
    drones: o.drones,
    hubs: hubsFor(o.drones),
    hubsUsPerPoint: run("hubs", messages("hubs", o.drones, o.seconds), o.drones),
    relayUsPerPoint: run("relay", messages("relay", o.drones, o.seconds), o.drones),
  };
}

function main(): void {
  const { drones, seconds, rounds } = commandLineOrExit(process.argv.slice(2), {
    name: "batch-intake",
    usage: USAGE,
    options: { drones: { type: "string" }, seconds: { type: "string" }, rounds: { type: "string" } },
    check: (v) => ({
      drones: numberFlag(v, "drones", 500, { min: 2, integer: true }),
      seconds: numberFlag(v, "seconds", 30, { min: 2 }),
      rounds: numberFlag(v, "rounds", 3, { min: 1, integer: true }),
    }),
  } as const);
  const hubMsgs = messages("hubs", drones, seconds);
  const relayMsgs = messages("relay", drones, seconds);
  console.log(`batch intake, ${drones} drones at 10 Hz for ${seconds} s: via ${hubsFor(drones)} hubs (one-point batches in bundles) and on one relay link`);
  const ratios: number[] = [];
  let bestHubs = Infinity;
  let bestRelay = Infinity;
  for (let r = 0; r < rounds; r++) {
    const hubs = run("hubs", hubMsgs, drones);
    const relay = run("relay", relayMsgs, drones);
    ratios.push(hubs / relay);
    bestHubs = Math.min(bestHubs, hubs);
    bestRelay = Math.min(bestRelay, relay);
    console.log(`  round ${r + 1}: hubs ${hubs.toFixed(2)} µs/pt, relay ${relay.toFixed(2)} µs/pt, hubs / relay ${(hubs / relay).toFixed(2)}`);
  }
  ratios.sort((a, b) => a - b);
  // The fastest round of each is the least disturbed by the rest of the machine: the figure to compare across commits.
  console.log(`best of ${rounds}: hubs ${bestHubs.toFixed(2)} µs/pt, relay ${bestRelay.toFixed(2)} µs/pt, hubs / relay ${(bestHubs / bestRelay).toFixed(2)}`);
  console.log(`hubs / relay, median of ${rounds}: ${ratios[Math.floor(rounds / 2)]!.toFixed(2)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
