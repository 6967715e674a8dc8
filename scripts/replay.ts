// npm run replay -- --url ws://127.0.0.1:8787 --file tracks.csv [--alerts out.jsonl] [--token T]
//   [--speed N|max] [--per-drone] [--linger-ms 1000] [--id-column sample] [--no-shift-to-now]
// Sends a CSV of position reports in time order (rows with the same time together) at N × real time
// over one relay connection, or one connection per drone; writes every alert as a JSON line.
// With --shift-to-now (the default) a row is stamped with the time it is sent: the first row now and
// the timeline compressed N times (at max, each group is stamped when it goes out), so the gateway never
// sees reports from the future; positions and velocities stay as recorded.
import { createWriteStream, readFileSync } from "node:fs";
import { RelayClient, mintToken, type AlertMessage, type BaseClient } from "../src/client/index.js";
import { groupByTime, parseTracksCsv, replayStamp } from "../src/replay/tracks.js";
import { numberArg, parseArgs } from "./lib/args.js";
import { devSecret } from "./lib/dev-secret.js";

/** How long to wait for late alerts after the last row, ms (--linger-ms). */
const DEFAULT_LINGER_MS = 1000;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), ["per-drone", "no-shift-to-now", "shift-to-now", "zstd"]);
  const url = String(args.get("url") ?? "ws://127.0.0.1:8787");
  const file = args.get("file");
  if (typeof file !== "string") throw new Error("--file <tracks.csv> is required");
  const speedArg = String(args.get("speed") ?? "1");
  const speed = speedArg === "max" ? Infinity : Number(speedArg);
  if (!(speed > 0)) throw new Error(`--speed needs a positive number or "max", got ${speedArg}`);
  const lingerMs = numberArg(args, "linger-ms", DEFAULT_LINGER_MS);
  const perDrone = args.has("per-drone");
  const idColumn = args.get("id-column");

  const parsed = parseTracksCsv(readFileSync(file, "utf8"), typeof idColumn === "string" ? idColumn : undefined);
  if (parsed.skipped > 0) console.error(`skipped ${parsed.skipped} row(s): ${parsed.skipReasons.join("; ")}`);
  const start = Date.now() + 200;
  const shift = !args.has("no-shift-to-now");
  const groups = groupByTime(parsed.rows);

  const given = args.get("token");
  const secret = typeof given === "string" ? null : devSecret();
  const relayToken = typeof given === "string" ? given : await mintToken(secret!, { sub: "replay", fleet: "replay", role: "relay" }, { ttlS: 86_400 });

  const alertsOut = typeof args.get("alerts") === "string" ? createWriteStream(String(args.get("alerts"))) : null;
  const byLevel: Record<string, number> = {};
  const clients = new Map<string, BaseClient>();
  const onAlert = (a: AlertMessage) => {
    byLevel[a.level] = (byLevel[a.level] ?? 0) + 1;
    alertsOut?.write(
      `${JSON.stringify({
        recv_ms: Date.now(),
        drone: a.droneId,
        other: a.otherId,
        level: a.level,
        t_entry_s: a.tEntryS,
        t_cpa_s: a.tCpaS,
        hsep_cpa_m: a.hsepCpaM,
        vsep_cpa_m: a.vsepCpaM,
      })}\n`,
    );
  };
  const errors: Record<string, number> = {};
  const clientFor = async (droneId: string): Promise<BaseClient> => {
    const key = perDrone ? droneId : "relay";
    let c = clients.get(key);
    if (!c) {
      // Per drone, a relay token works on every socket; it is what ground stations hold.
      c = new RelayClient({ url, token: relayToken, compress: args.has("zstd"), queueCapacity: 1_000_000 });
      c.on("alert", onAlert);
      c.on("serverError", (e) => (errors[e.code] = (errors[e.code] ?? 0) + (e.count || 1)));
      clients.set(key, c);
      await c.connect();
    }
    return c;
  };

  const t0 = groups[0]?.timeS ?? 0;
  let sent = 0;
  for (const g of groups) {
    if (Number.isFinite(speed)) {
      const due = start + ((g.timeS - t0) * 1000) / speed;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const stamp = replayStamp(g.timeS, t0, start, speed, Date.now());
    for (const r of g.rows) {
      (await clientFor(r.point.droneId)).send(shift ? { ...r.point, timeMs: stamp } : r.point);
      sent++;
    }
  }
  // Let every queue drain, then linger for late alerts and read the server's counters.
  const drainBy = Date.now() + 30_000;
  while ([...clients.values()].some((c) => c.stats.queued > 0) && Date.now() < drainBy) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, lingerMs));
  let accepted = 0;
  let rejected = 0;
  let rateLimited = 0;
  let deduped = 0;
  let lost = 0;
  for (const c of clients.values()) {
    try {
      const pong = await c.ping(5000);
      accepted += pong.counters.pointsAccepted;
      rejected += pong.counters.pointsRejected;
      rateLimited += pong.counters.pointsRateLimited;
      deduped += pong.counters.pointsDeduped;
      lost += pong.counters.pointsLost;
    } catch {
      console.error("no pong from one connection: its counters are missing from the summary");
    }
    c.close();
  }
  alertsOut?.end();
  const levels = ["caution", "warning", "clear"].map((l) => `${l} ${byLevel[l] ?? 0}`).join(", ");
  console.log(
    `replay: ${sent} points sent over ${clients.size} connection(s); accepted ${accepted}, rejected ${rejected}, rate-limited ${rateLimited}, deduped ${deduped}, lost ${lost}; alerts: ${levels}` +
      (Object.keys(errors).length ? `; server errors ${JSON.stringify(errors)}` : ""),
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`replay: ${(e as Error).message}`);
    process.exit(1);
  },
);
