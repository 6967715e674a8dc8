/**
 * `npm run replay -- --file tracks.csv [--speed N|max] [...]`: replays a CSV of position reports against
 * an edge (a thin CLI over src/replay/replayer.ts): progress on stderr, the summary on stdout, always,
 * also after Ctrl-C (a second Ctrl-C quits at once).
 */
import { createWriteStream, existsSync, statSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { mintToken } from "../src/client/token.js";
import { formatSummary } from "../src/replay/replay-summary.js";
import { runReplay } from "../src/replay/replayer.js";
import type { Align } from "../src/replay/timeline.js";
import { type CommandSpec, UsageError, choiceFlag, commandLineOrExit, numberFlag } from "./lib/cli.mjs";
import { devSecret } from "./lib/dev-secret.js";
import { fileRanges } from "./lib/file-ranges.js";

const OPTIONS = {
  url: { type: "string" },
  file: { type: "string" },
  alerts: { type: "string" },
  json: { type: "string" },
  token: { type: "string" },
  speed: { type: "string" },
  align: { type: "string" },
  "keep-gaps": { type: "boolean" },
  "per-drone": { type: "boolean" },
  "linger-ms": { type: "string" },
  "id-column": { type: "string" },
  zstd: { type: "boolean" },
} as const;

export interface ReplayArgs {
  url: string;
  file: string;
  alertsPath?: string;
  jsonPath?: string;
  token?: string;
  speed: number;
  align: Align;
  keepGaps: boolean;
  perDrone: boolean;
  lingerMs: number;
  idColumn?: string;
  zstd: boolean;
}

export const REPLAY_CLI: CommandSpec<typeof OPTIONS, ReplayArgs> = {
  name: "replay",
  usage: `usage: npm run replay -- --file tracks.csv [--url ws://127.0.0.1:8787] [--speed N|max] [flags]

Replays a CSV of position reports (our columns or an OpenSky export's) against an edge, each report
stamped with the time it is sent; prints progress, then a summary with the edge's counters.
  --file <csv>          the recording(s)                                              required
  --url <ws url>        the edge                                                      default ws://127.0.0.1:8787
  --speed <N|max>       N × real time, or max: as fast as the edge's limits allow     default 1
  --align <how>         recordings: each recording starts now; file: the file's own timeline  default recordings
  --keep-gaps           keep idle gaps (> 5 s with no report) instead of shortening them to 1 s
  --per-drone           one socket per drone (default: drones spread over as few relay connections as the edge allows)
  --alerts <file>       write every alert received as a JSON line
  --json <file>         write the summary as JSON
  --token <jwt>         a relay token for every connection (default: one minted per connection from
                        AIRSPACE_JWT_SECRET or .dev.vars; the edge caps the sockets per token)
  --id-column <name>    the column naming each track (default: id or icao24)
  --linger-ms <ms>      wait for late alerts after the last row                       default 1000
  --zstd                compress frames`,
  options: OPTIONS,
  check(v) {
    if (!v.file) throw new UsageError("--file <tracks.csv> is required");
    const speed = v.speed === "max" ? Number.POSITIVE_INFINITY : numberFlag(v, "speed", 1, { min: 1e-6 });
    return {
      url: v.url ?? "ws://127.0.0.1:8787",
      file: v.file,
      alertsPath: v.alerts,
      jsonPath: v.json,
      token: v.token,
      speed,
      align: choiceFlag(v, "align", ["recordings", "file"] as const, "recordings"),
      keepGaps: v["keep-gaps"] ?? false,
      perDrone: v["per-drone"] ?? false,
      lingerMs: numberFlag(v, "linger-ms", 1000, { min: 0 }),
      idColumn: v["id-column"],
      zstd: v.zstd ?? false,
    };
  },
};

async function main(a: ReplayArgs): Promise<number> {
  if (!existsSync(a.file)) throw new Error(`no such file: ${a.file}`);
  // A token per connection: the edge caps the sockets one token may hold (TOKEN_MAX_CONNECTIONS).
  const secret = a.token === undefined ? devSecret() : "";
  const token = a.token ?? ((i: number) => mintToken(secret, { sub: `replay-${i + 1}`, fleet: "replay", role: "relay" }, { ttlS: 86_400 }));
  const alertsOut = a.alertsPath ? createWriteStream(a.alertsPath) : null;
  const stop = new AbortController();
  process.on("SIGINT", () => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write("\nreplay: stopping (Ctrl-C again to quit at once)\n");
    stop.abort();
  });
  const file = fileRanges(a.file);
  const summary = await runReplay({
    url: a.url,
    token,
    open: file.open,
    speed: a.speed,
    align: a.align,
    keepGaps: a.keepGaps,
    perDrone: a.perDrone,
    idColumn: a.idColumn,
    zstd: a.zstd,
    lingerMs: a.lingerMs,
    signal: stop.signal,
    progress: { tty: process.stderr.isTTY === true, write: (t) => process.stderr.write(t), fileBytes: statSync(a.file).size },
    onAlert: (al) =>
      alertsOut?.write(
        `${JSON.stringify({ recv_ms: Date.now(), drone: al.droneId, other: al.otherId, level: al.level, t_entry_s: al.tEntryS, t_cpa_s: al.tCpaS, hsep_cpa_m: al.hsepCpaM, vsep_cpa_m: al.vsepCpaM })}\n`,
      ),
  });
  file.close();
  alertsOut?.end();
  console.log(formatSummary(summary));
  if (a.jsonPath) createWriteStream(a.jsonPath).end(`${JSON.stringify(summary, null, 2)}\n`);
  return summary.interrupted ? 130 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(commandLineOrExit(process.argv.slice(2), REPLAY_CLI)).then(
    (code) => {
      process.exitCode = code;
      // Open sockets or timers must not keep a finished replay alive.
      setTimeout(() => process.exit(code), 100).unref();
    },
    (e) => {
      console.error(`replay: ${(e as Error).message}`);
      process.exit(1);
    },
  );
}
