/**
 * `npm run chaos [-- --minutes 2 --seed 1 --restarts 24]`: a chaos run on a cold local edge of its own
 * (scripts/chaos/run-chaos.ts): prints the plan, then the figures; exits 1 on any loss, duplicate,
 * one-sided staged conflict or alert gap over a second after a restart (docs/reliability.md §7).
 */
import { pathToFileURL } from "node:url";
import { MIN_RESTART_SPACING_MS } from "../src/sim/fault-plan.js";
import { runChaos } from "./chaos/run-chaos.js";
import { type CommandSpec, commandLineOrExit, numberFlag, UsageError } from "./lib/cli.mjs";

const OPTIONS = { minutes: { type: "string" }, seed: { type: "string" }, restarts: { type: "string" }, drones: { type: "string" } } as const;

export interface ChaosArgs {
  durationMs: number;
  restarts: number;
  seed: number;
  drones: number;
}

/** The warm-up and drain of a run, in which no fault is planned (src/sim/fault-plan.ts's defaults). */
const QUIET_MS = 6000;

export const CHAOS_CLI: CommandSpec<typeof OPTIONS, ChaosArgs> = {
  name: "chaos",
  usage: `usage: npm run chaos -- [--minutes 2] [--seed 1] [--restarts N] [--drones 40]

Replays the OpenSky samples beside a seeded fleet with staged conflicts against a local edge of its
own (CHAOS=1) while restarting region objects, failing their checkpoints, cutting upstream links and
dropping drone sockets; then checks that every accepted point was applied exactly once and that
alerts resumed within a second of each restart. Exits 1 on any failure.
  --minutes <m>     length of the run                       default 2
  --seed <n>        the fault plan's and the fleet's seed   default 1
  --restarts <n>    region restarts                         default one per 5 s
  --drones <n>      fleet drones (plus 3 orbiting pairs)    default 40`,
  options: OPTIONS,
  check: (v) => {
    const durationMs = Math.round(numberFlag(v, "minutes", 2, { min: 0.25, max: 600 }) * 60_000);
    const fit = Math.floor((durationMs - QUIET_MS) / MIN_RESTART_SPACING_MS);
    const restarts = numberFlag(v, "restarts", Math.min(fit, Math.floor(durationMs / 5000)), { min: 0, integer: true });
    if (restarts > fit) throw new UsageError(`--restarts ${restarts} do not fit in the run: at most ${fit} (one per ${MIN_RESTART_SPACING_MS / 1000} s)`);
    return {
      durationMs,
      restarts,
      seed: numberFlag(v, "seed", 1, { integer: true }),
      drones: numberFlag(v, "drones", 40, { min: 2, max: 2000, integer: true }),
    };
  },
};

async function main(a: ChaosArgs): Promise<number> {
  const started = Date.now();
  const report = await runChaos({ ...a, label: "chaos", log: (l) => console.log(l) });
  const took = Math.round((Date.now() - started) / 1000);
  console.log(`chaos run: seed ${a.seed}, ${a.durationMs / 1000} s, ${a.drones} drones + 3 orbiting pairs + the OpenSky replay (${took} s in all)`);
  console.log(report.text);
  return report.verdict.ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(commandLineOrExit(process.argv.slice(2), CHAOS_CLI)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`chaos: ${(e as Error).stack ?? String(e)}`);
      process.exit(1);
    },
  );
}
