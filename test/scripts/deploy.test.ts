// `npm run deploy` deploys a named environment only, and wrangler.toml's environments are complete:
// wrangler inherits neither bindings nor vars into `[env.*]`, and the deploy guard knows a deployed
// edge by its AIRSPACE_ENV.
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { unstable_readConfig } from "wrangler";
import { describe, expect, it } from "vitest";
import { DEPLOY_ENVS, deployPlan } from "../../scripts/deploy.js";
import { isDeployed } from "../../src/config.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

describe("npm run deploy", () => {
  it("deploys staging or production, passing wrangler's other flags on", () => {
    expect(deployPlan(["--env", "production"])).toEqual({ ok: true, env: "production", wranglerArgs: ["deploy", "--env", "production"] });
    expect(deployPlan(["--dry-run", "--env=staging", "--outdir", "build/deploy"])).toEqual({
      ok: true,
      env: "staging",
      wranglerArgs: ["deploy", "--env", "staging", "--dry-run", "--outdir", "build/deploy"],
    });
    expect(deployPlan(["-e", "staging"])).toMatchObject({ ok: true, env: "staging" });
  });

  it("refuses to deploy the top level, or an environment that is not a deployed one", () => {
    expect(deployPlan([])).toMatchObject({ ok: false, message: expect.stringMatching(/--env staging or production/) });
    expect(deployPlan(["--dry-run"])).toMatchObject({ ok: false });
    expect(deployPlan(["--env", "local"])).toMatchObject({ ok: false, message: expect.stringMatching(/got "local"/) });
    expect(deployPlan(["--env"])).toMatchObject({ ok: false });
    expect(deployPlan(["--env", "staging", "--env", "production"])).toMatchObject({ ok: false, message: expect.stringMatching(/more than once/) });
    // A flag it does not know is refused, not handed to wrangler unread.
    expect(deployPlan(["--env", "staging", "--var", "AIRSPACE_ENV:local"])).toMatchObject({
      ok: false,
      message: expect.stringMatching(/Unknown option '--var'/),
    });
  });

  it("runs as a command: exit 2 with the reason and usage before building or deploying anything", async () => {
    const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, ["--import", "tsx", "scripts/deploy.ts", "--dry-run"], { cwd: ROOT, timeout: 20_000 }, (err, _out, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr }),
      ),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^deploy: name the environment/);
    expect(r.stderr).toMatch(/usage: npm run deploy -- --env staging\|production/);
  });
});

describe("wrangler.toml's environments", () => {
  const read = (env?: string) => unstable_readConfig({ config: join(ROOT, "wrangler.toml"), ...(env ? { env } : {}) }, { hideWarnings: true });
  const top = read();

  it.each(DEPLOY_ENVS)("%s names itself in AIRSPACE_ENV and repeats every binding and var of the top level", (name) => {
    const c = read(name);
    expect(c.vars.AIRSPACE_ENV).toBe(name);
    expect(isDeployed(c.vars.AIRSPACE_ENV)).toBe(true);
    const { AIRSPACE_ENV: _a, ...localVars } = top.vars;
    expect(c.vars).toMatchObject(localVars);
    const names = (xs: readonly { name?: string; binding?: string; class_name?: string }[]) =>
      xs.map((x) => `${x.name ?? x.binding}:${x.class_name ?? ""}`).sort();
    expect(names(c.durable_objects.bindings)).toEqual(names(top.durable_objects.bindings));
    expect(names(c.analytics_engine_datasets)).toEqual(names(top.analytics_engine_datasets));
    expect(names(c.queues.producers ?? [])).toEqual(names(top.queues.producers ?? []));
    expect(c.queues.consumers).toHaveLength(top.queues.consumers?.length ?? 0);
    expect(c.assets?.directory).toBe(top.assets?.directory);
    // Each environment's own queues and dataset: staging never feeds production's webhook or metrics.
    if (name === "staging") {
      expect(c.queues.producers?.every((p: { queue: string }) => p.queue.includes("staging"))).toBe(true);
      expect(c.analytics_engine_datasets.every((d: { dataset?: string }) => d.dataset?.includes("staging"))).toBe(true);
    }
  });
});
