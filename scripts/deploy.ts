/**
 * `npm run deploy -- --env staging|production [wrangler deploy flags]`: builds the operators' page, then
 * runs `wrangler deploy --env <name>` with the other flags (`--dry-run --outdir …` in CI) unchanged.
 * The environment is required: wrangler.toml's top level is a third configuration under production's
 * Worker name that nobody means to ship (it leaves AIRSPACE_ENV unset, so it is at least guarded as
 * deployed: src/gateway/deploy-guard.ts refuses the example secret there too).
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { commandLineOrExit, parseCommandLine } from "./lib/cli.mjs";
import { buildPage } from "./lib/page-build.js";

/** The deployed environments of wrangler.toml (`[env.<name>]`, AIRSPACE_ENV = the name). */
export const DEPLOY_ENVS = ["staging", "production"] as const;

export const DEPLOY_USAGE = `usage: npm run deploy -- --env staging|production [--dry-run] [--outdir DIR]

Builds the operators' page and runs \`wrangler deploy --env <name>\`. Put the secrets first, once per
environment: npx wrangler secret put AIRSPACE_JWT_SECRET --env <name> (docs/operations.md, "Deploy").`;

export type DeployPlan = { ok: true; env: string; wranglerArgs: string[] } | { ok: false; message: string };

/**
 * The command line: the environment, and the wrangler deploy flags CI and operators use. Anything else
 * is refused (exit 2) rather than passed on unread, like every other CLI here.
 */
export const DEPLOY_CLI = {
  name: "deploy",
  usage: DEPLOY_USAGE,
  options: { env: { type: "string", short: "e" }, "dry-run": { type: "boolean" }, outdir: { type: "string" } },
  check: (v: { env?: string; "dry-run"?: boolean; outdir?: string }): DeployPlan => {
    const known = DEPLOY_ENVS.join(" or ");
    if (v.env === undefined)
      return {
        ok: false,
        message: `deploy: name the environment with --env ${known}: without it wrangler deploys the top level of wrangler.toml under production's Worker name, a configuration no environment names`,
      };
    if (!(DEPLOY_ENVS as readonly string[]).includes(v.env)) return { ok: false, message: `deploy: --env must be ${known}, got ${JSON.stringify(v.env)}` };
    const rest = [...(v["dry-run"] ? ["--dry-run"] : []), ...(v.outdir !== undefined ? ["--outdir", v.outdir] : [])];
    return { ok: true, env: v.env, wranglerArgs: ["deploy", "--env", v.env, ...rest] };
  },
} as const;

/** The wrangler command line for `argv`, or why there is none (no environment, not a deployed one, or a flag this command does not take). */
export function deployPlan(argv: readonly string[]): DeployPlan {
  const envs = argv.filter((a) => a === "--env" || a === "-e" || a.startsWith("--env=")).length;
  if (envs > 1) return { ok: false, message: "deploy: --env given more than once" };
  const r = parseCommandLine(argv, DEPLOY_CLI);
  if (r.kind === "run") return r.values;
  return { ok: false, message: r.text };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const plan = commandLineOrExit(process.argv.slice(2), DEPLOY_CLI);
  if (!plan.ok) {
    console.error(`${plan.message}\n\n${DEPLOY_USAGE}`);
    process.exit(2);
  }
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  console.log(`page built into ${buildPage(root)}`);
  const wrangler = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
  const r = spawnSync(process.execPath, [wrangler, ...plan.wranglerArgs], { cwd: root, stdio: "inherit" });
  process.exit(r.status ?? 1);
}
