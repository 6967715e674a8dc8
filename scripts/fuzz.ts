/**
 * `npm run fuzz`: hostile bytes against the gateway's per-socket pipeline (src/fuzz/session-oracle.ts).
 * Prints the cases run and their outcomes by kind; exits 1 on any violation, with the seed and case
 * to replay. The run happens in a worker thread that reports each case it starts, so a case that
 * never returns (a decoder looping) is caught as a stall instead of hanging the command.
 *
 *   npm run fuzz -- [--cases 100000] [--seed N] [--stall-ms 1000] [--only "kind,kind"] [--no-zstd]
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { loadZstdEncoder } from "../src/client/zstd.js";
import { KIND_NAMES } from "../src/fuzz/hostile-cases.js";
import { reportLines } from "../src/fuzz/report-text.js";
import { type FuzzReport, runFuzz } from "../src/fuzz/session-oracle.js";
import { type CommandSpec, commandLineOrExit, numberFlag, parseCommandLine, UsageError } from "./lib/cli.mjs";

const USAGE = `usage: npm run fuzz -- [--cases N] [--seed N] [--stall-ms MS] [--only "kind,kind"] [--no-zstd]
  --cases     cases to run (default 100000)
  --seed      the run's seed (default: a new one, printed)
  --stall-ms  a case slower than this is a violation (default 1000)
  --only      run only these kinds: ${KIND_NAMES.join(", ")}
  --no-zstd   hand-built zstd frames only (no encoder)`;

export interface FuzzArgs {
  cases: number;
  seed: number;
  stallMs: number;
  only?: string[];
  zstd: boolean;
}

const FUZZ_OPTIONS = {
  cases: { type: "string" },
  seed: { type: "string" },
  "stall-ms": { type: "string" },
  only: { type: "string" },
  "no-zstd": { type: "boolean" },
} as const;

/** The command line, drawing a fresh seed (printed) unless one is given. */
export function fuzzCli(randomSeed = () => Math.floor(Math.random() * 2 ** 31)): CommandSpec<typeof FUZZ_OPTIONS, FuzzArgs> {
  return {
    name: "fuzz",
    usage: USAGE,
    options: FUZZ_OPTIONS,
    check(v) {
      const only = v.only?.split(",").map((s) => s.trim());
      for (const k of only ?? []) if (!KIND_NAMES.includes(k)) throw new UsageError(`--only: no kind ${JSON.stringify(k)}`);
      const int = { min: 0, integer: true };
      return {
        cases: numberFlag(v, "cases", 100_000, int),
        seed: v.seed === undefined ? randomSeed() : numberFlag(v, "seed", 0, int),
        stallMs: numberFlag(v, "stall-ms", 1000, int),
        only,
        zstd: !v["no-zstd"],
      };
    },
  };
}

/** CLI flags → a run; throws a UsageError (its message ends with the usage) on anything it does not know, and on --help. */
export function parseFuzzArgs(argv: string[], randomSeed?: () => number): FuzzArgs {
  const r = parseCommandLine(argv, fuzzCli(randomSeed));
  if (r.kind !== "run") throw new UsageError(r.text);
  return r.values;
}

interface WorkerInput {
  fuzzWorker: true;
  args: FuzzArgs;
  /** [index of the case running + 1], shared so the main thread sees progress while the worker is busy. */
  progress: SharedArrayBuffer;
}

async function inWorker({ args, progress }: WorkerInput): Promise<void> {
  const running = new Int32Array(progress);
  const compress = args.zstd ? await loadZstdEncoder(3) : undefined;
  const t0 = performance.now();
  const report = runFuzz({
    ...args,
    compress,
    clock: () => performance.now(),
    onCaseStart: (i) => Atomics.store(running, 0, i + 1),
  });
  parentPort!.postMessage({ report, seconds: (performance.now() - t0) / 1000 });
}

function main(argv: string[]): void {
  const args = commandLineOrExit(argv, fuzzCli());
  console.log(`fuzz: ${args.cases} cases, seed ${args.seed}${args.zstd ? ", zstd encoder (level 3)" : ", hand-built zstd only"}`);
  const progress = new SharedArrayBuffer(4);
  const running = new Int32Array(progress);
  // The worker runs TypeScript through tsx's loader, which Node does not pass on to workers by itself.
  const boot = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then(({ tsImport }) => tsImport(${JSON.stringify(import.meta.url)}, ${JSON.stringify(import.meta.url)}))`;
  const worker = new Worker(boot, { eval: true, workerData: { fuzzWorker: true, args, progress } satisfies WorkerInput });
  let last = 0;
  let quietSince = Date.now();
  const watch = setInterval(() => {
    const n = Atomics.load(running, 0);
    if (n !== last) {
      if (Math.floor(n / 20_000) > Math.floor(last / 20_000)) console.log(`  … ${n} cases`);
      last = n;
      quietSince = Date.now();
    } else if (n > 0 && Date.now() - quietSince > Math.max(10_000, 5 * args.stallMs)) {
      const index = n - 1;
      console.error(`stall: case ${index} has not returned in ${Math.round((Date.now() - quietSince) / 1000)} s`);
      console.error(`  replay: npm run fuzz -- --seed ${args.seed} --cases ${index + 1}`);
      void worker.terminate();
      process.exit(1);
    }
  }, 500);
  worker.on("message", ({ report, seconds }: { report: FuzzReport; seconds: number }) => {
    clearInterval(watch);
    for (const line of reportLines(report, true)) console.log(line);
    console.log(`${(report.cases / seconds).toFixed(0)} cases/s, ${seconds.toFixed(1)} s`);
    void worker.terminate();
    process.exit(report.violations.length + report.moreViolations > 0 ? 1 : 0);
  });
  worker.on("error", (e) => {
    clearInterval(watch);
    console.error(`the fuzz run failed: ${e.stack ?? e.message}`);
    process.exit(1);
  });
}

if (!isMainThread && (workerData as WorkerInput | undefined)?.fuzzWorker) void inWorker(workerData as WorkerInput);
else if (isMainThread && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
