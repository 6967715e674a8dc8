import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BENCH_CLI } from "../../scripts/bench/command-line.js";
import { CHAOS_CLI } from "../../scripts/chaos.js";
import { choiceFlag, numberFlag, parseCommandLine, UsageError } from "../../scripts/lib/cli.mjs";
import { REPLAY_CLI } from "../../scripts/replay.js";
import { SIM_CLI } from "../../scripts/sim.js";
import { METRICS_CLI } from "../../scripts/metrics.js";
import { fuzzCli } from "../../scripts/fuzz.js";
import { SOAK_CLI } from "../../scripts/soak/command-line.js";
import { TOKEN_CLI } from "../../scripts/token.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, timeout: 20_000, env: { ...process.env, AIRSPACE_JWT_SECRET: "test-secret" } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("every CLI's command line", () => {
  const specs = {
    replay: REPLAY_CLI,
    sim: SIM_CLI,
    token: TOKEN_CLI,
    bench: BENCH_CLI,
    chaos: CHAOS_CLI,
    metrics: METRICS_CLI,
    soak: SOAK_CLI,
    fuzz: fuzzCli(() => 1),
  } as const;

  it.each(Object.entries(specs))("%s: --help is the usage, an unknown or malformed flag an error with the usage", (_name, spec) => {
    const cli = spec as typeof REPLAY_CLI;
    expect(parseCommandLine(["--help"], cli)).toEqual({ kind: "help", text: cli.usage });
    expect(parseCommandLine(["-h"], cli)).toEqual({ kind: "help", text: cli.usage });
    expect(cli.usage).toMatch(/^usage: /);
    for (const bad of [["--no-such-flag"], ["stray"], ["--no-such-flag=1"]]) {
      const r = parseCommandLine(bad, cli);
      expect(r.kind, bad.join(" ")).toBe("error");
      expect(r.kind === "error" && r.text.endsWith(cli.usage)).toBe(true);
    }
  });

  it("replay: checks its values", () => {
    const ok = parseCommandLine(["--file", "x.csv", "--speed", "max", "--per-drone", "--align", "file"], REPLAY_CLI);
    expect(ok).toMatchObject({ kind: "run", values: { file: "x.csv", speed: Number.POSITIVE_INFINITY, perDrone: true, align: "file", keepGaps: false } });
    expect(parseCommandLine(["--file", "x.csv"], REPLAY_CLI)).toMatchObject({
      kind: "run",
      values: { speed: 1, align: "recordings", url: "ws://127.0.0.1:8787" },
    });
    for (const bad of [
      [],
      ["--file"],
      ["--file", "x", "--speed", "0"],
      ["--file", "x", "--speed", "fast"],
      ["--file", "x", "--align", "days"],
      ["--file", "x", "--per-drone=yes"],
    ])
      expect(parseCommandLine(bad, REPLAY_CLI), bad.join(" ")).toMatchObject({ kind: "error" });
  });

  it("token and bench: check their values", () => {
    expect(parseCommandLine(["--sub", "d1", "--role", "relay", "--ttl", "60"], TOKEN_CLI)).toEqual({
      kind: "run",
      values: { sub: "d1", fleet: "local", role: "relay", ttlS: 60, kid: undefined, jti: undefined, prefix: undefined },
    });
    for (const bad of [[], ["--sub", "d1", "--role", "admin"], ["--sub", "d1", "--ttl", "-5"], ["--sub", "d1", "--ttl", ""]])
      expect(parseCommandLine(bad, TOKEN_CLI), bad.join(" ")).toMatchObject({ kind: "error" });
    expect(parseCommandLine(["--quick", "--runs", "2"], BENCH_CLI)).toMatchObject({ kind: "run", values: { quick: true, runs: 2, seed: 1 } });
    expect(parseCommandLine(["--runs", "1.5"], BENCH_CLI)).toMatchObject({ kind: "error" });
  });

  it("chaos: a restart every 5 s by default, never more than fit the run", () => {
    expect(parseCommandLine([], CHAOS_CLI)).toEqual({ kind: "run", values: { durationMs: 120_000, restarts: 24, seed: 1, drones: 40 } });
    expect(parseCommandLine(["--minutes", "0.5", "--restarts", "6", "--seed", "3"], CHAOS_CLI)).toMatchObject({
      kind: "run",
      values: { durationMs: 30_000, restarts: 6, seed: 3 },
    });
    expect(parseCommandLine(["--minutes", "0.25"], CHAOS_CLI)).toMatchObject({ kind: "run", values: { restarts: 3 } });
    const tooMany = parseCommandLine(["--minutes", "0.5", "--restarts", "9"], CHAOS_CLI);
    expect(tooMany.kind === "error" && tooMany.text).toMatch(/--restarts 9 do not fit in the run: at most 8/);
    for (const bad of [
      ["--minutes", "0.1"],
      ["--seed", "1.5"],
      ["--drones", "1"],
    ])
      expect(parseCommandLine(bad, CHAOS_CLI), bad.join(" ")).toMatchObject({ kind: "error" });
  });

  it("number and choice flags name the flag and the rule", () => {
    expect(numberFlag({}, "n", 7)).toBe(7);
    expect(numberFlag({ n: "2.5" }, "n", 7)).toBe(2.5);
    expect(() => numberFlag({ n: "2.5" }, "n", 7, { integer: true })).toThrow(UsageError);
    expect(() => numberFlag({ n: "9" }, "n", 7, { min: 0, max: 5 })).toThrow('--n needs a number in [0, 5], got "9"');
    expect(() => numberFlag({ n: "1e999" }, "n", 7)).toThrow(UsageError);
    expect(choiceFlag({ c: "b" }, "c", ["a", "b"] as const, "a")).toBe("b");
    expect(() => choiceFlag({ c: "z" }, "c", ["a", "b"] as const, "a")).toThrow("--c must be one of a, b");
  });

  it("soak and fuzz: check their values", () => {
    expect(parseCommandLine(["--minutes", "8", "--snapshots", "2,7"], SOAK_CLI)).toMatchObject({
      kind: "run",
      values: { minutes: 8, roundMs: 60_000, drones: 250, snapshotMinutes: [2, 7], heap: true, viaEntry: false },
    });
    expect(parseCommandLine(["--via-entry"], SOAK_CLI)).toMatchObject({ kind: "run", values: { viaEntry: true } });
    for (const bad of [
      ["--minutes", "0"],
      ["--snapshots", "2,x"],
      ["--minutes", "5", "--snapshots", "7"],
      ["--drones", "many"],
    ])
      expect(parseCommandLine(bad, SOAK_CLI), bad.join(" ")).toMatchObject({ kind: "error" });
    expect(parseCommandLine(["--keep-gaps", "--file", "x"], REPLAY_CLI)).toMatchObject({ kind: "run", values: { keepGaps: true } });
  });

  it("takes plain arguments only where a command asks for them, and as many as it asks", () => {
    const spec = { name: "x", usage: "usage: x <a> [b]", options: {}, positionals: { min: 1, max: 2 }, check: (_v: unknown, p: string[]) => p };
    expect(parseCommandLine(["f"], spec)).toEqual({ kind: "run", values: ["f"] });
    expect(parseCommandLine(["f", "g"], spec)).toEqual({ kind: "run", values: ["f", "g"] });
    for (const bad of [[], ["f", "g", "h"], ["f", "--bogus"]]) expect(parseCommandLine(bad, spec), bad.join(" ")).toMatchObject({ kind: "error" });
  });

  // Every command-line entry point under scripts/ parses with lib/cli.mjs (strict parseArgs, usage, exit
  // codes): a new script reading process.argv by hand fails here. The Miniflare runner is no CLI: start.mjs
  // hands it one JSON argument.
  it("is parsed by lib/cli.mjs in every script that reads process.argv", () => {
    const scripts = join(ROOT, "scripts");
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(dir, e.name)) : /\.(ts|mjs)$/.test(e.name) ? [join(dir, e.name)] : [],
      );
    const readers = walk(scripts).filter((f) => readFileSync(f, "utf8").includes("process.argv"));
    expect(readers.length).toBeGreaterThan(20);
    // Reads it only as the main-module guard (argv[1]) and to hand argv.slice(2) to the parser.
    const byHand = readers
      .filter((f) => {
        const text = readFileSync(f, "utf8");
        return !text.includes("commandLineOrExit(") || text.replaceAll("process.argv[1]", "").replaceAll("process.argv.slice(2)", "").includes("process.argv");
      })
      .map((f) => relative(scripts, f));
    expect(byHand).toEqual(["lib/miniflare-runner.ts"]);
  });

  // The exit codes, through the real entry points (start and ensure-install are plain Node).
  const tsx = (script: string) => ["--import", "tsx", script];
  it.each([
    ["start", ["scripts/start.mjs"]],
    ["ensure-install", ["scripts/ensure-install.mjs"]],
    ["token", tsx("scripts/token.ts")],
    ["replay", tsx("scripts/replay.ts")],
    ["sim", tsx("scripts/sim.ts")],
    ["bench", tsx("scripts/bench.ts")],
    ["chaos", tsx("scripts/chaos.ts")],
    ["metrics", tsx("scripts/metrics.ts")],
    ["soak", tsx("scripts/soak.ts")],
    ["fuzz", tsx("scripts/fuzz.ts")],
    ["build:page", tsx("scripts/build-page.ts")],
    ["config-table", tsx("scripts/config-table.ts")],
    ["gateway-stages", tsx("scripts/bench/gateway-stages.ts")],
    ["region-core", tsx("scripts/bench/region-core.ts")],
    ["cpuprofile", tsx("scripts/profile/cpuprofile.ts")],
    ["deploy", tsx("scripts/deploy.ts")],
    ["trace-off", tsx("scripts/bench/trace-off.ts")],
  ])("%s exits 0 on --help and 2 on an unknown flag, printing the usage", async (_name, cmd) => {
    const [help, bad] = await Promise.all([run([...cmd, "--help"]), run([...cmd, "--bogus"])]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: /);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--bogus'[\s\S]*usage: /);
  });

  it("start refuses a malformed value with the usage and exit 2, before starting anything", async () => {
    const r = await run(["scripts/start.mjs", "--port", "99999"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^start: --port needs an integer in \[1, 65535\], got "99999"\n\nusage: npm start/);
    expect(r.stdout).toBe("");
    // --no-jump-check is one of its flags (a replay faster than real time needs it): the value check still runs.
    const jump = await run(["scripts/start.mjs", "--no-jump-check", "--port", "0"]);
    expect(jump.code).toBe(2);
    expect(jump.stderr).toMatch(/^start: --port needs an integer/);
  });

  it("token mints with a good command line", async () => {
    const r = await run(["--import", "tsx", "scripts/token.ts", "--sub", "d1"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split(".")).toHaveLength(3);
  });
});
