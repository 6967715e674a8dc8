/**
 * `npm run deploy -- --env staging|production [wrangler deploy flags]`: builds the operators' page, then
 * runs `wrangler deploy --env <name>` with the other flags (`--dry-run --outdir …` in CI) unchanged.
 * The environment is required: wrangler.toml's top level is the local configuration (AIRSPACE_ENV
 * "local", under which the deploy guard, src/gateway/deploy-guard.ts, takes the example secret of
 * .dev.vars.example), and its Worker name is production's, so a deploy without --env would ship the
 * production Worker with the guard off.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildPage } from "./lib/page-build.js";

/** The deployed environments of wrangler.toml (`[env.<name>]`, AIRSPACE_ENV = the name). */
export const DEPLOY_ENVS = ["staging", "production"] as const;

export const DEPLOY_USAGE = `usage: npm run deploy -- --env staging|production [wrangler deploy flags, e.g. --dry-run --outdir dist]

Builds the operators' page and runs \`wrangler deploy --env <name>\`. Put the secrets first, once per
environment: npx wrangler secret put AIRSPACE_JWT_SECRET --env <name> (docs/operations.md, "Deploy").`;

export type DeployPlan = { ok: true; env: string; wranglerArgs: string[] } | { ok: false; message: string };

/** The wrangler command line for `argv`, or why there is none (no environment, or not a deployed one). */
export function deployPlan(argv: readonly string[]): DeployPlan {
  const envs: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--env" || a === "-e") envs.push(argv[++i] ?? "");
    else if (a.startsWith("--env=")) envs.push(a.slice("--env=".length));
    else rest.push(a);
  }
  const known = DEPLOY_ENVS.join(" or ");
  if (envs.length === 0)
    return {
      ok: false,
      message: `deploy: name the environment with --env ${known}: without it wrangler deploys the top level of wrangler.toml, the local configuration (AIRSPACE_ENV=local, the example secret accepted)`,
    };
  if (envs.length > 1) return { ok: false, message: "deploy: --env given more than once" };
  const env = envs[0]!;
  if (!(DEPLOY_ENVS as readonly string[]).includes(env)) return { ok: false, message: `deploy: --env must be ${known}, got ${JSON.stringify(env)}` };
  return { ok: true, env, wranglerArgs: ["deploy", "--env", env, ...rest] };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(DEPLOY_USAGE);
    process.exit(0);
  }
  const plan = deployPlan(argv);
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
