/**
 * The wrangler config of the lone-region benchmark: the repo's wrangler.toml (its bindings, migrations,
 * vars) with `main` pointing at the bench entry (worker.ts) and the deployed environments cut off,
 * written to a temporary directory (the caller removes it, after bundling it with buildSnapshot).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export function writeHubLoadConfig(root: string): { path: string; dir: string } {
  const text = readFileSync(join(root, "wrangler.toml"), "utf8");
  const local = text.slice(0, text.search(/^\[env\./m) >= 0 ? text.search(/^\[env\./m) : text.length);
  if (!/^main\s*=.*$/m.test(local)) throw new Error("wrangler.toml has no main");
  const config = local
    .replace(/^main\s*=.*$/m, `main = ${JSON.stringify(join(root, "scripts/bench/hub-load/worker.ts"))}`)
    .replace(/^(\[assets\][^[]*?^directory\s*=\s*)"(\.[^"]*)"/m, (_m, head: string, dir: string) => `${head}${JSON.stringify(resolve(root, dir))}`);
  const dir = mkdtempSync(join(tmpdir(), "airspace-bench-hub-load-config-"));
  const path = join(dir, "wrangler.toml");
  writeFileSync(path, config);
  return { path, dir };
}
