/**
 * The dense continuous-tracks replay of issue 14 against an edge: every public encounter flown
 * `copies` times (ids + 1000·k) as continuous 10 Hz tracks along a geohash-4 border, 1.5 km apart
 * (as the team's tracks tool lays them out), over ONE relay connection from the first report on, so
 * 3,600 drones arrive at once at six copies (~36,000 points/s). Each frame is stamped with its
 * scheduled time (the measurement time), as a live relay would; a sender running late sends it late. Scored like the shared tool (both drones of every conflict, no false alert), with the
 * first 5 s after the start apart: a cold edge's transient.
 *
 *   npx tsx scripts/bench/dense-tracks.ts [--copies 6] [--runs 1] [--root <checkout>]   (cold Miniflare edges of its own)
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { mintToken, RelayClient } from "../../src/client/index.js";
import { BORDER_LON, type Encounter, layoutTracks, scoreTracks, type ReceivedAlert, type TrackScore } from "../../src/replay/encounter-tracks.js";
import { commandLineOrExit, numberFlag } from "../lib/cli.mjs";
import { buildSnapshot } from "../lib/snapshot.js";
import { Edge } from "./edge.js";
import { PlainWebSocket } from "./plain-web-socket.js";
import { percentile } from "./stats.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const ENCOUNTERS_FILE = join(ROOT, "test/fixtures/encounters-public.jsonl");
/** Where the shared tool lays pairs out: from 47° N along the border, 1.5 km apart. */
const LAT0 = 47.0;
const SPACING_DEG = 0.0135;
/** The edge's limits for one relay carrying every drone (3,600 at six copies). */
/**
 * One relay carries every drone of the layout, and six copies of it run in rows from 47° up to ~71°
 * latitude: past the default operating band (MAX_OPERATING_LAT 70°), where cells are still wide
 * enough for the halo (12 km at 72°).
 */
export const DENSE_VARS = { RELAY_MAX_DRONES: 4096, MAX_OPERATING_LAT: 80 };
/** No alert for this long, with a pong answered, and the edge has caught up with the flight. */
const SETTLE_QUIET_MS = 3000;

export interface DenseTracksResult {
  drones: number;
  sent: number;
  score: TrackScore;
  /** From the relay's last pong; null when none came before settleMaxMs (the edge was that far behind). */
  counters: { accepted: number; deduped: number; rejected: number; rateLimited: number; lost: number; shed: number } | null;
  /**
   * When the edge had caught up, ms after the last send: a pong answered and no alert for SETTLE_QUIET_MS
   * (the last alert's time, or the start of that quiet stretch); null when it had not by settleMaxMs.
   */
  settledAfterMs: number | null;
  /** Error frames by code name (DATA_LOSS, STALE_ON_ARRIVAL: the edge saying it fell behind). */
  serverErrors: Record<string, number>;
  /** How late the sender ran behind its 10 Hz schedule at worst, ms (the load generator's own delay). */
  senderLagMs: number;
}

/** The layout flown at `copies` copies: every encounter `copies` times (ids + 1000·k), rows along the border. */
export function denseLayout(encounters: Encounter[], copies: number) {
  const chosen = Array.from({ length: copies }, (_, k) => encounters.map((e) => ({ ...e, id: e.id + 1000 * k }))).flat();
  return layoutTracks(chosen, BORDER_LON, LAT0, SPACING_DEG, "t");
}

export function loadEncounters(file = ENCOUNTERS_FILE): Encounter[] {
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Encounter);
}

/** Flies the layout once against `url` with a relay token, then waits `lingerMs` for late alerts. */
export async function runDenseTracks(o: {
  url: string;
  token: string;
  encounters: Encounter[];
  copies: number;
  lingerMs?: number;
  /** Give up waiting for the edge to catch up this long after the last send, ms. Default 60,000. */
  settleMaxMs?: number;
}): Promise<DenseTracksResult> {
  const layout = denseLayout(o.encounters, o.copies);
  const chosen = layout.pairs;
  const alerts: ReceivedAlert[] = [];
  const serverErrors: Record<string, number> = {};
  const relay = new RelayClient({ url: o.url, token: o.token, queueCapacity: 1_000_000, WebSocket: PlainWebSocket });
  relay.on("alert", (a) => {
    if (a.level !== "unspecified") alerts.push({ droneId: a.droneId, otherId: a.otherId, level: a.level, recvMs: Date.now(), computedForMs: a.computedForMs });
  });
  relay.on("serverError", (e) => (serverErrors[e.code] = (serverErrors[e.code] ?? 0) + (e.count || 1)));
  await relay.connect();
  const start = Date.now() + 100;
  const frames = layout.frames(start);
  let sent = 0;
  let senderLagMs = 0;
  for (let k = 0; k < frames.length; k++) {
    const due = start + k * 100;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const now = Date.now();
    senderLagMs = Math.max(senderLagMs, now - due);
    for (const p of frames[k]!) relay.send({ droneId: p.droneId, timeMs: p.timeMs, lat: p.lat, lon: p.lon, altM: p.altM, vn: p.vn, ve: p.ve, vu: p.vu });
    sent += frames[k]!.length;
  }
  const drainBy = Date.now() + 30_000;
  while (relay.stats.queued > 0 && Date.now() < drainBy) await new Promise((r) => setTimeout(r, 20));
  const lastSendMs = Date.now();
  await new Promise((r) => setTimeout(r, o.lingerMs ?? 1500));
  // An edge running behind real time (six copies are beyond this machine's one workerd thread) delivers
  // alerts late, not never: wait until it answers a ping and no alert came for SETTLE_QUIET_MS, at most
  // settleMaxMs, so a slow day scores what the edge did rather than where it was when we stopped. How
  // long that took is reported (settledAfterMs); the alerts' delays are in the score.
  const settleBy = lastSendMs + (o.settleMaxMs ?? 60_000);
  let counters: DenseTracksResult["counters"] = null;
  let settledAfterMs: number | null = null;
  while (Date.now() < settleBy) {
    let ponged = false;
    try {
      const c = (await relay.ping(Math.max(1, Math.min(5000, settleBy - Date.now())))).counters;
      counters = {
        accepted: c.pointsAccepted,
        deduped: c.pointsDeduped,
        rejected: c.pointsRejected,
        rateLimited: c.pointsRateLimited,
        lost: c.pointsLost,
        shed: c.pointsShed,
      };
      ponged = true;
    } catch {
      // No pong yet (the edge is still that far behind), or the socket is gone: ask again shortly.
    }
    const lastAlertMs = alerts.at(-1)?.recvMs ?? 0;
    if (ponged && Date.now() - lastAlertMs >= SETTLE_QUIET_MS) {
      settledAfterMs = Math.max(lastAlertMs, Date.now() - SETTLE_QUIET_MS) - lastSendMs;
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  relay.close();
  return { drones: 2 * chosen.length, sent, score: scoreTracks(layout.pairs, alerts, start), counters, serverErrors, senderLagMs, settledAfterMs };
}

/**
 * A fresh (cold) Miniflare edge, the dense replay against it, then the edge stopped. `config`: a built
 * snapshot to serve; else `root`'s Worker is built (default this checkout; another worktree compares
 * builds in one sitting).
 */
export async function runColdDenseTracks(o: {
  copies: number;
  label: string;
  root?: string;
  config?: string;
  /** Options over DENSE_VARS (src/config.ts names). */
  vars?: Record<string, string | number>;
}): Promise<DenseTracksResult> {
  // A built snapshot's config (the bench's) is served as it is; otherwise this checkout is built.
  const snap = o.config ? null : buildSnapshot(o.root ?? ROOT, o.label);
  try {
    const secret = randomBytes(24).toString("hex");
    const edge = await Edge.start({ root: ROOT, config: o.config ?? snap!.config, secret, label: o.label, vars: { ...DENSE_VARS, ...o.vars } });
    try {
      const token = await mintToken(secret, { sub: "dense-replay", fleet: "bench", role: "relay" }, { ttlS: 3600 });
      return await runDenseTracks({ url: edge.url.replace(/^http/, "ws"), token, encounters: loadEncounters(), copies: o.copies });
    } finally {
      await edge.stop();
    }
  } finally {
    snap?.remove();
  }
}

export function describeDense(r: DenseTracksResult): string {
  const s = r.score;
  const p = (xs: number[], q: number) => (xs.length ? `${Math.round(percentile(xs, q))}` : "-");
  return [
    `${r.drones} drones, ${r.sent} points: conflicts alerted to both ${s.both}/${s.conflicts} (one-sided ${s.oneSided.length}, missed ${s.missed.length}); false ${s.falseAlerts.length} of ${s.quiet} quiet pairs`,
    `first 5 s: ${s.early - s.earlyMissed}/${s.early} conflicts alerted to both; first-alert latency p50/p99 ${p(s.earlyLatencyMs, 50)}/${p(s.earlyLatencyMs, 99)} ms (after: ${p(s.laterLatencyMs, 50)}/${p(s.laterLatencyMs, 99)} ms)`,
    r.counters
      ? `accepted ${r.counters.accepted}, deduped ${r.counters.deduped}, shed ${r.counters.shed}, rejected ${r.counters.rejected}, rate-limited ${r.counters.rateLimited}, lost ${r.counters.lost}`
      : "no pong before giving up: the edge was that far behind",
    r.settledAfterMs === null
      ? "the edge had not caught up when the run gave up waiting"
      : `the edge caught up ${(r.settledAfterMs / 1000).toFixed(1)} s after the last send`,
    `server errors ${JSON.stringify(r.serverErrors)}; sender lag ≤ ${r.senderLagMs} ms; ${s.oneSided.length + s.missed.length ? `e.g. ${[...s.oneSided, ...s.missed].slice(0, 6).join(", ")}` : ""}`,
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = commandLineOrExit(process.argv.slice(2), {
    name: "dense-tracks",
    usage: "usage: npx tsx scripts/bench/dense-tracks.ts [--copies 6] [--runs 1] [--root <checkout>]",
    options: { copies: { type: "string" }, runs: { type: "string" }, root: { type: "string" } },
  } as const);
  const copies = numberFlag(args, "copies", 6, { min: 1, integer: true });
  const runs = numberFlag(args, "runs", 1, { min: 1, integer: true });
  for (let r = 0; r < runs; r++) {
    const root = args.root;
    const res = await runColdDenseTracks({ copies, label: `dense${r}`, ...(typeof root === "string" ? { root } : {}) });
    console.log(`run ${r + 1}/${runs}: ${describeDense(res)}`);
  }
  process.exit(0);
}
