// The benchmark's command line (scripts/bench.ts).
import { type CommandSpec, numberFlag } from "../lib/cli.mjs";

const BENCH_OPTIONS = { quick: { type: "boolean" }, runs: { type: "string" }, seed: { type: "string" }, json: { type: "string" } } as const;

export const BENCH_CLI: CommandSpec<typeof BENCH_OPTIONS, { quick: boolean; runs: number | undefined; seed: number; jsonPath: string | undefined }> = {
  name: "bench",
  usage: `usage: npm run bench -- [--quick] [--runs N] [--seed N] [--json out.json]

Measures the figures of docs/performance.md on local edges of its own (takes minutes; --quick: fewer, shorter runs).
  --quick          the short profile (1 run per figure)
  --runs <n>       runs per figure (medians)            default 3, or 1 with --quick
  --seed <n>       seed of every generated workload     default 1
  --json <file>    write the JSON there instead of stdout`,
  options: BENCH_OPTIONS,
  check: (v) => ({
    quick: v.quick ?? false,
    runs: v.runs === undefined ? undefined : numberFlag(v, "runs", 1, { min: 1, integer: true }),
    seed: numberFlag(v, "seed", 1, { integer: true }),
    jsonPath: v.json,
  }),
};
