/**
 * `npm run sim`: flies the deterministic fleet simulator against a running gateway through the client
 * library (a socket per drone, or one relay socket), prints a status line a second and a summary.
 * `runSim(options)` is the same run as a function, for the benchmark and `npm start -- --demo`.
 */
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { BaseClient } from "../src/client/base.js";
import { DroneClient } from "../src/client/drone.js";
import type { AlertMessage, SessionCounters } from "../src/client/messages.js";
import { RelayClient } from "../src/client/relay.js";
import { mintToken } from "../src/client/token.js";
import { FleetSim, type TruthConflict } from "../src/sim/fleet.js";
import { devSecret } from "./lib/dev-secret.js";

export interface SimOptions {
  /** Default: ws://127.0.0.1:8787 */
  url?: string;
  /** Default: 500 */
  drones?: number;
  /** Default: 10 */
  hz?: number;
  /** Default: "sockets" */
  mode?: "sockets" | "relay";
  /** Fraction of drones on converging paths. Default: 0.02 */
  conflicts?: number;
  /** Default: 1 */
  seed?: number;
  /** Seconds. Default: 60 */
  duration?: number;
  /** Default: Paris, 48.8566, 2.3522 */
  center?: { lat: number; lon: number };
  zstd?: boolean;
  /** Send TelemetryStream frames (deltas against each drone's previous report on the connection). */
  stream?: boolean;
  /** One token for every socket; else minted from `secret`. */
  token?: string;
  /** HS256 secret. Default: AIRSPACE_JWT_SECRET, else the line in .dev.vars */
  secret?: string;
  /** JSONL outputs. */
  truthPath?: string;
  alertsPath?: string;
  /** Status and summary lines. Default: console.log; pass () => {} for silence. */
  log?: (line: string) => void;
}

export interface SimSummary {
  mode: "sockets" | "relay";
  drones: number;
  durationS: number;
  pointsGenerated: number;
  pointsSent: number;
  /** From the sessions' last pongs. */
  server: SessionCounters;
  alertsByLevel: Record<string, number>;
  truth: { planned: number; due: number; alerted: number; missed: { a: string; b: string; conflictStartTimeMs: number }[]; medianLeadS: number | null };
  reconnects: number;
  bytesPerPoint: number;
}

const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

export async function runSim(o: SimOptions = {}): Promise<SimSummary> {
  const url = o.url ?? "ws://127.0.0.1:8787";
  const n = o.drones ?? 500;
  const mode = o.mode ?? "sockets";
  const durationMs = (o.duration ?? 60) * 1000;
  const log = o.log ?? ((l: string) => console.log(l));
  const secret = o.token ? undefined : (o.secret ?? devSecret());
  const tokenFor = (claims: { sub: string; role?: "relay" }) => (o.token ? o.token : mintToken(secret!, { fleet: "sim", ...claims }, { ttlS: 86_400 }));
  const ids = Array.from({ length: n }, (_, i) => `d${String(i).padStart(4, "0")}`);

  const common = { url, compress: o.zstd ?? false, stream: o.stream ?? false, pingIntervalMs: 5000 };
  const clients = new Map<string, BaseClient>();
  let relay: RelayClient | null = null;
  if (mode === "relay") {
    relay = new RelayClient({ ...common, token: await tokenFor({ sub: "sim-relay", role: "relay" }) });
    clients.set("relay", relay);
  } else {
    for (const id of ids) clients.set(id, new DroneClient({ ...common, droneId: id, token: await tokenFor({ sub: id }) }));
  }

  const alerts: (AlertMessage & { receivedAtMs: number })[] = [];
  const alertsByLevel: Record<string, number> = {};
  const firstAlert = new Map<string, number>();
  let alertsThisSecond = 0;
  for (const c of clients.values()) {
    c.on("error", () => {});
    c.on("alert", (a) => {
      const receivedAtMs = Date.now();
      alerts.push({ ...a, receivedAtMs });
      alertsByLevel[a.level] = (alertsByLevel[a.level] ?? 0) + 1;
      alertsThisSecond++;
      const k = pairKey(a.droneId, a.otherId);
      if ((a.level === "caution" || a.level === "warning") && !firstAlert.has(k)) firstAlert.set(k, receivedAtMs);
    });
  }

  // Connect in waves: 500 simultaneous handshakes against a local workerd mostly measure its accept queue.
  const all = [...clients.values()];
  let welcome = null;
  // A gateway that is not running would otherwise be retried forever: fail the run after 15 s.
  let connectTimer: ReturnType<typeof setTimeout> | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    connectTimer = setTimeout(() => reject(new Error(`could not connect to ${url} within 15 s (is the gateway running?)`)), 15_000);
  });
  try {
    for (let i = 0; i < all.length; i += 50) {
      const ws = await Promise.race([Promise.all(all.slice(i, i + 50).map((c) => c.connect())), giveUp]);
      welcome ??= ws[0] ?? null;
    }
  } catch (err) {
    for (const c of all) c.close();
    throw err;
  } finally {
    clearTimeout(connectTimer);
  }
  const contract = welcome ? { radiusM: welcome.conflictRadiusM || 15, heightM: welcome.conflictHeightM || 5, lookaheadS: welcome.lookaheadS || 5 } : undefined;
  const startTimeMs = Date.now();
  const sim = new FleetSim({
    drones: n,
    hz: o.hz ?? 10,
    conflicts: o.conflicts ?? 0.02,
    seed: o.seed ?? 1,
    center: o.center,
    startTimeMs,
    contract,
    conflictWindowMs: [8000, Math.max(8000, durationMs - 5000)],
  });

  let generated = 0;
  let sentLastSecond = 0;
  let lastTick = startTimeMs;
  let lastStatus = startTimeMs;
  const sentTotal = () => all.reduce((s, c) => s + c.stats.pointsSent, 0);
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = Date.now();
      const r = sim.step(Math.min(now, startTimeMs + durationMs) - lastTick);
      lastTick = Math.min(now, startTimeMs + durationMs);
      generated += r.points.length;
      for (const p of r.points) (relay ?? clients.get(p.droneId)!).send(p);
      if (!relay)
        for (const l of r.links) {
          const c = clients.get(l.droneId)!;
          if (l.up) void c.connect().catch(() => {});
          else c.suspend();
        }
      if (now - lastStatus >= 1000) {
        const sent = sentTotal();
        const connected = all.filter((c) => c.connected).length;
        log(`t=${Math.round((now - startTimeMs) / 1000)}s connected ${connected}/${all.length} points/s ${sent - sentLastSecond} alerts/s ${alertsThisSecond}`);
        sentLastSecond = sent;
        alertsThisSecond = 0;
        lastStatus = now;
      }
      if (now >= startTimeMs + durationMs) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
  });

  // Let the last batches leave, then ask every session for its counters.
  for (const c of all) c.flush();
  await new Promise((r) => setTimeout(r, 300));
  const server = emptyCounters();
  await Promise.allSettled(all.map((c) => (c.connected ? c.ping(3000) : Promise.resolve(null))));
  for (const c of all) for (const [k, v] of Object.entries(c.counters)) server[k as keyof SessionCounters] += v;
  const endMs = Date.now();
  for (const c of all) c.close();

  const due = sim.truth.filter((t) => t.alertFromTimeMs < endMs - 1000);
  const leads: number[] = [];
  const missed: SimSummary["truth"]["missed"] = [];
  for (const t of due) {
    const at = firstAlert.get(pairKey(t.a, t.b));
    if (at === undefined) missed.push({ a: t.a, b: t.b, conflictStartTimeMs: t.conflictStartTimeMs });
    else leads.push((t.conflictStartTimeMs - at) / 1000);
  }
  leads.sort((a, b) => a - b);
  if (o.truthPath) writeJsonl(o.truthPath, sim.truth);
  if (o.alertsPath) writeJsonl(o.alertsPath, alerts);
  const sent = sentTotal();
  const summary: SimSummary = {
    mode,
    drones: n,
    durationS: durationMs / 1000,
    pointsGenerated: generated,
    pointsSent: sent,
    server,
    alertsByLevel,
    truth: {
      planned: sim.truth.length,
      due: due.length,
      alerted: due.length - missed.length,
      missed,
      medianLeadS: leads.length ? leads[leads.length >> 1]! : null,
    },
    reconnects: all.reduce((s, c) => s + c.stats.reconnects, 0),
    bytesPerPoint: sent ? all.reduce((s, c) => s + c.stats.bytesSent, 0) / sent : 0,
  };
  log(
    `summary: ${generated} points generated, ${sent} sent, ${server.pointsAccepted} accepted, ${server.pointsRateLimited} rate-limited, ${server.pointsRejected} rejected; ` +
      `alerts ${JSON.stringify(alertsByLevel)}; ground-truth conflicts ${summary.truth.alerted}/${due.length} alerted, ${missed.length} missed` +
      (summary.truth.medianLeadS === null ? "" : `, median lead ${summary.truth.medianLeadS.toFixed(1)} s`) +
      `; ${summary.bytesPerPoint.toFixed(1)} B/point on the wire; ${summary.reconnects} reconnects`,
  );
  return summary;
}

function emptyCounters(): SessionCounters {
  return { frames: 0, pointsReceived: 0, pointsAccepted: 0, pointsRejected: 0, pointsRateLimited: 0, pointsDeduped: 0, alertsDelivered: 0, pointsLost: 0 };
}

function writeJsonl(path: string, rows: readonly unknown[]): void {
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length ? "\n" : ""));
}

/** CLI flags → options; `--center lat,lon`. */
export function parseSimArgs(argv: string[]): SimOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: "string" },
      drones: { type: "string" },
      hz: { type: "string" },
      mode: { type: "string" },
      conflicts: { type: "string" },
      seed: { type: "string" },
      duration: { type: "string" },
      center: { type: "string" },
      zstd: { type: "boolean" },
      stream: { type: "boolean" },
      token: { type: "string" },
      truth: { type: "string" },
      alerts: { type: "string" },
    },
  });
  const num = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isFinite(x)) throw new Error(`--${name} must be a number, got ${v}`);
    return x;
  };
  if (values.mode !== undefined && values.mode !== "sockets" && values.mode !== "relay") throw new Error(`--mode must be sockets or relay`);
  let center: SimOptions["center"];
  if (values.center) {
    const [lat, lon] = values.center.split(",").map(Number);
    if (!Number.isFinite(lat) || !Number.isFinite(lon)) throw new Error(`--center must be lat,lon`);
    center = { lat: lat!, lon: lon! };
  }
  return {
    url: values.url,
    drones: num("drones", values.drones),
    hz: num("hz", values.hz),
    mode: values.mode as SimOptions["mode"],
    conflicts: num("conflicts", values.conflicts),
    seed: num("seed", values.seed),
    duration: num("duration", values.duration),
    center,
    zstd: values.zstd,
    stream: values.stream,
    token: values.token,
    truthPath: values.truth,
    alertsPath: values.alerts,
  };
}

export type { TruthConflict };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runSim(parseSimArgs(process.argv.slice(2))).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
