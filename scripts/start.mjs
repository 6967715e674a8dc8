#!/usr/bin/env node
// `npm start [-- --demo] [--port N] [--wrangler]`: runs the local edge on 127.0.0.1 (workerd via
// Miniflare, no Cloudflare account). Creates .dev.vars from .dev.vars.example when it is missing, runs
// with AIRSPACE_ENV=local unless .dev.vars names another environment (scripts/lib/dev-vars.mjs), and
// keeps Durable Object state in .wrangler/state across restarts (delete it for a cold edge).
// By default the Worker is bundled once and served by one workerd on Miniflare, as production has no
// dev proxy: `wrangler dev`'s reload proxy costs CPU on every socket message and, under a dense relay,
// broke the stream to the Worker and dropped the relay's socket (docs/platform.md). --wrangler runs
// `wrangler dev` instead, which reloads on every source change (for working on the code).
// With --demo it also flies a small simulated fleet against it once it is up.
import { execFileSync, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { commandLineOrExit, numberFlag } from "./lib/cli.mjs";
import { localRunVars } from "./lib/dev-vars.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export const START_CLI = {
  name: "start",
  usage: `usage: npm start [-- --port 8787] [--demo] [--wrangler] [--no-jump-check]

Runs the local edge on 127.0.0.1 (workerd via Miniflare; no Cloudflare account).
  --port <n>    the loopback port to listen on                               default 8787
  --demo        also fly a simulated fleet of 50 drones against it for 60 s
  --wrangler    run \`wrangler dev\` instead (reloads on every source change)
  --no-jump-check
                accept points whatever speed they imply (JUMP_CHECK_MPS=1e9), for replays
                faster than real time: \`npm run replay -- --speed 50|max\` moves each recorded
                track that many times faster than it flew, which the jump check rejects`,
  options: { port: { type: "string" }, demo: { type: "boolean" }, wrangler: { type: "boolean" }, "no-jump-check": { type: "boolean" } },
  check: (v) => ({
    port: numberFlag(v, "port", 8787, { min: 1, max: 65535, integer: true }),
    demo: v.demo ?? false,
    wrangler: v.wrangler ?? false,
    noJumpCheck: v["no-jump-check"] ?? false,
  }),
};

const { port, demo, wrangler, noJumpCheck } = commandLineOrExit(process.argv.slice(2), START_CLI);

/** JUMP_CHECK_MPS that no implied speed reaches: the option's documented "off". */
const NO_JUMP_CHECK = "1e9";

const { vars: devVars, notes } = localRunVars(root);
for (const note of notes) console.log(note);

// The operators' page (src/page) is served from build/page: build it first (esbuild, ~100 ms).
execFileSync(process.execPath, [join(root, "node_modules/tsx/dist/cli.mjs"), join(root, "scripts/build-page.ts")], { cwd: root, stdio: "inherit" });
console.log(`operators' page: http://127.0.0.1:${port}/ (mint an ops token with: npm run token -- --sub me --role ops)`);

const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const edge = wrangler
  ? spawn(
      process.execPath,
      [
        join(root, "node_modules/wrangler/bin/wrangler.js"),
        "dev",
        "--ip",
        "127.0.0.1",
        "--port",
        String(port),
        "--local",
        "--var",
        `AIRSPACE_ENV:${devVars.AIRSPACE_ENV}`,
        ...(noJumpCheck ? ["--var", `JUMP_CHECK_MPS:${NO_JUMP_CHECK}`] : []),
      ],
      {
        cwd: root,
        stdio: "inherit",
        env,
      },
    )
  : spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(root, "scripts/lib/miniflare-runner.ts"),
        JSON.stringify({
          config: join(root, "wrangler.toml"),
          build: true,
          port,
          persist: join(root, ".wrangler/state/v3"),
          vars: { ...devVars, ...(noJumpCheck ? { JUMP_CHECK_MPS: NO_JUMP_CHECK } : {}) },
        }),
      ],
      { cwd: root, stdio: "inherit", env },
    );

let sim = null;
const stop = (code) => {
  if (sim && sim.exitCode === null) sim.kill("SIGTERM");
  if (edge.exitCode === null) edge.kill("SIGTERM");
  process.exitCode = code;
};
process.on("SIGINT", () => stop(130));
process.on("SIGTERM", () => stop(143));
edge.on("exit", (code) => {
  if (sim && sim.exitCode === null) sim.kill("SIGTERM");
  process.exit(code ?? 0);
});

if (demo) {
  const url = `http://127.0.0.1:${port}/healthz`;
  const started = Date.now();
  const waitUp = async () => {
    while (Date.now() - started < 60_000) {
      try {
        if ((await fetch(url)).ok) return true;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    return false;
  };
  waitUp().then((up) => {
    if (!up) {
      console.error("the edge did not come up within 60 s");
      return stop(1);
    }
    console.log(`edge is up on 127.0.0.1:${port}; flying a demo fleet of 50 drones for 60 s (Ctrl-C stops everything)`);
    sim = spawn(
      process.execPath,
      [
        join(root, "node_modules/tsx/dist/cli.mjs"),
        join(root, "scripts/sim.ts"),
        "--url",
        `ws://127.0.0.1:${port}`,
        "--drones",
        "50",
        "--conflicts",
        "0.1",
        "--duration",
        "60",
      ],
      { cwd: root, stdio: "inherit" },
    );
  });
}
