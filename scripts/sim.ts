/**
 * `npm run sim`: flies the deterministic fleet simulator against a running gateway through the client
 * library (a socket per drone, or one relay socket), prints a status line a second and a summary.
 * `runSim(options)` is the same run as a function, for the benchmark and `npm start -- --demo`.
 */
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { BaseClient } from "../src/client/base.js";
import { DroneClient } from "../src/client/drone.js";
import type { AlertMessage, SessionCounters } from "../src/client/messages.js";
import { RelayClient } from "../src/client/relay.js";
import { mintToken } from "../src/client/token.js";
import { FleetSim, type TruthConflict } from "../src/sim/fleet.js";
import { type CommandSpec, UsageError, choiceFlag, commandLineOrExit, numberFlag } from "./lib/cli.mjs";
import { devSecret } from "./lib/dev-secret.js";
import { emptyCounters } from "../src/client/session-counters.js";

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

function writeJsonl(path: string, rows: readonly unknown[]): void {
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length ? "\n" : ""));
}

const SIM_OPTIONS = {
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
} as const;

/** The command line: flags → options; `--center lat,lon`. */
export const SIM_CLI: CommandSpec<typeof SIM_OPTIONS, SimOptions> = {
  name: "sim",
  usage: `usage: npm run sim -- [--url ws://127.0.0.1:8787] [--drones 500] [--mode sockets|relay] [--duration 60] [flags]

Flies a seeded simulated fleet against a running edge and checks that every staged conflict was alerted.
  --url <ws url>        the edge                                         default ws://127.0.0.1:8787
  --drones <n>          fleet size                                       default 500
  --hz <n>              reports per second per drone                     default 10
  --mode <m>            sockets (one per drone) or relay (one for all)   default sockets
  --conflicts <f>       fraction of drones on converging paths           default 0.02
  --seed <n>            simulator seed                                   default 1
  --duration <s>        seconds to fly                                   default 60
  --center <lat,lon>    where the fleet flies                            default 48.8566,2.3522
  --zstd                compress frames
  --stream              send TelemetryStream frames
  --token <jwt>         one token for every socket (default: minted from the local secret)
  --truth <file>        write the planned conflicts as JSON lines
  --alerts <file>       write the alerts received as JSON lines`,
  options: SIM_OPTIONS,
  check(values) {
    const num = (name: string, limits: { min?: number; max?: number; integer?: boolean }) =>
      values[name as keyof typeof values] === undefined ? undefined : numberFlag(values, name, 0, limits);
    let center: SimOptions["center"];
    if (values.center !== undefined) {
      const [lat, lon] = values.center.split(",").map((x) => (x.trim() === "" ? Number.NaN : Number(x)));
      if (!(Math.abs(lat!) <= 90) || !(Math.abs(lon!) <= 180)) throw new UsageError(`--center must be lat,lon, got ${JSON.stringify(values.center)}`);
      center = { lat: lat!, lon: lon! };
    }
    return {
      url: values.url,
      drones: num("drones", { min: 1, integer: true }),
      hz: num("hz", { min: 0.1, max: 1000 }),
      mode: values.mode === undefined ? undefined : choiceFlag(values, "mode", ["sockets", "relay"] as const, "sockets"),
      conflicts: num("conflicts", { min: 0, max: 1 }),
      seed: num("seed", { integer: true }),
      duration: num("duration", { min: 0.1 }),
      center,
      zstd: values.zstd,
      stream: values.stream,
      token: values.token,
      truthPath: values.truth,
      alertsPath: values.alerts,
    };
  },
};

export type { TruthConflict };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runSim(commandLineOrExit(process.argv.slice(2), SIM_CLI)).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
