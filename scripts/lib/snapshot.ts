/**
 * Frozen builds of the Worker, for `npm start`, the benchmark and the profilers. `wrangler dev` watches its sources and reloads (dropping
 * every socket) whenever a file changes, so a benchmark run in a working tree that is being edited
 * would measure reloads. Each run bundles the Worker once (`wrangler deploy --dry-run --outdir`) into
 * a temporary directory and serves that bundle with `no_bundle = true`: the run measures one build.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { buildPage } from "./page-build.js";

export interface Snapshot {
  dir: string;
  config: string;
  remove(): void;
}

/**
 * The config text with `main` pointing at the bundle and bundling off; a relative `[assets]` directory
 * is made absolute against `root` (the snapshot's config lives in a temp dir).
 */
export function snapshotConfig(configText: string, bundle: string, root = "/"): string {
  if (!/^main\s*=.*$/m.test(configText)) throw new Error("wrangler config has no main");
  return configText
    .replace(/^main\s*=.*$/m, `main = ${JSON.stringify(bundle)}\nno_bundle = true`)
    .replace(/^(\[assets\][^[]*?^directory\s*=\s*)"(\.[^"]*)"/m, (_m, head: string, dir: string) => `${head}${JSON.stringify(resolve(root, dir))}`);
}

/** Bundles the Worker of `configPath` (default: the repo's wrangler.toml) into a fresh temp dir. */
export function buildSnapshot(root: string, label: string, configPath = join(root, "wrangler.toml")): Snapshot {
  const dir = mkdtempSync(join(tmpdir(), `airspace-build-${label}-`));
  try {
    // The Worker's static assets (the operators' page) must exist before wrangler bundles.
    if (existsSync(join(root, "src/page/main.ts"))) buildPage(root);
    execFileSync(
      process.execPath,
      [join(root, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", join(dir, "dist"), "--config", configPath],
      {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" },
      },
    );
    // The bundle is named after the entry point (index.js, bare-worker.js).
    const bundle = readdirSync(join(dir, "dist")).find((f) => f.endsWith(".js"));
    if (!bundle) throw new Error("wrangler wrote no bundle");
    const config = join(dir, "wrangler.toml");
    writeFileSync(config, snapshotConfig(readFileSync(configPath, "utf8"), join(dir, "dist", bundle), dirname(configPath)));
    return { dir, config, remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const err = e as { stderr?: Buffer; stdout?: Buffer };
    throw new Error(`bundling ${label} failed: ${String(e)}\n${err.stdout?.toString() ?? ""}${err.stderr?.toString() ?? ""}`);
  }
}
