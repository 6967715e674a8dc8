// The soak's command line (scripts/soak.ts), apart from the script so tests can hold it to the rules
// of every CLI without starting an edge.
import { type CommandSpec, numberFlag, UsageError } from "../lib/cli.mjs";

const SOAK_OPTIONS = {
  minutes: { type: "string" },
  drones: { type: "string" },
  seed: { type: "string" },
  "isolate-mib": { type: "string" },
  "round-s": { type: "string" },
  "gap-s": { type: "string" },
  heap: { type: "boolean" },
  snapshots: { type: "string" },
  "via-entry": { type: "boolean" },
} as const;

export interface SoakArgs {
  minutes: number;
  /** Diagnostic: a shorter round reconnects the fleet more often (rows are rounds, not minutes, then). */
  roundMs: number;
  /** Diagnostic: ms with no socket open after each round, to read what workerd keeps with none open. */
  gapMs: number;
  drones: number;
  seed: number;
  isolateMiB: number;
  /** Minutes after which to take a heap snapshot (implies heap). */
  snapshotMinutes: number[];
  heap: boolean;
  /**
   * Diagnostic: sockets through Miniflare's entry Worker, which proxies each one locally (production has
   * no such hop); by default the soak reaches the Worker on its own socket.
   */
  viaEntry: boolean;
}

export const SOAK_CLI: CommandSpec<typeof SOAK_OPTIONS, SoakArgs> = {
  name: "soak",
  usage:
    "usage: npm run soak -- [--minutes 30] [--drones 250] [--seed 1] [--isolate-mib 128] [--round-s 60] [--gap-s 0] [--heap] [--snapshots 2,7] [--via-entry]",
  options: SOAK_OPTIONS,
  check(v) {
    const minutes = numberFlag(v, "minutes", 30, { min: 1, integer: true });
    const snapshotMinutes = (v.snapshots ?? "").split(",").filter(Boolean).map(Number);
    for (const m of snapshotMinutes)
      if (!Number.isInteger(m) || m < 1 || m > minutes)
        throw new UsageError(`--snapshots takes minutes of the run (1 to ${minutes}), comma-separated, got ${JSON.stringify(v.snapshots)}`);
    return {
      minutes,
      roundMs: 1000 * numberFlag(v, "round-s", 60, { min: 10 }),
      gapMs: 1000 * numberFlag(v, "gap-s", 0, { min: 0 }),
      drones: numberFlag(v, "drones", 250, { min: 1, integer: true }),
      seed: numberFlag(v, "seed", 1, { integer: true }),
      isolateMiB: numberFlag(v, "isolate-mib", 128, { min: 0, integer: true }),
      snapshotMinutes,
      heap: v.heap === true || snapshotMinutes.length > 0,
      viaEntry: v["via-entry"] === true,
    };
  },
};
