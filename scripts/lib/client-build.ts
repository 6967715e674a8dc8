/**
 * Builds the client package (`npm run build:client`: tsc -p tsconfig.client.json → dist/) when any of
 * its sources is newer than the build, for tests that import it by its package name as another project
 * would (test/client/package-in-worker.workers.test.ts). ~3 s when it builds, a directory walk when not.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** What the package is compiled from: src/client and what it imports (wire, the link's backoff, gen), and the configs. */
const INPUT_DIRS = ["src/client", "src/wire", "src/link", "src/gen"];
const INPUT_FILES = ["tsconfig.client.json", "tsconfig.json"];

export function clientEntry(root: string): string {
  return join(root, "dist/client/index.js");
}

function newestMtimeMs(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) {
    const t = newestMtimeMs(join(path, name));
    if (t > newest) newest = t;
  }
  return newest;
}

export function clientBuildStale(root: string): boolean {
  const entry = clientEntry(root);
  if (!existsSync(entry)) return true;
  const built = statSync(entry).mtimeMs;
  return [...INPUT_DIRS, ...INPUT_FILES].some((p) => existsSync(join(root, p)) && newestMtimeMs(join(root, p)) > built);
}

/** Builds dist/ unless it is up to date; returns whether it built. */
export function buildClientIfStale(root: string): boolean {
  if (!clientBuildStale(root)) return false;
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.client.json"], { cwd: root, stdio: "inherit" });
  return true;
}
