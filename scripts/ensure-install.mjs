#!/usr/bin/env node
// `prestart` / `pretest`: runs `npm ci` when node_modules is missing or does not match package-lock.json,
// so `npm start` and `npm test` each work as the first command on a fresh clone. The check compares the
// lockfile with the one npm writes into node_modules (node_modules/.package-lock.json) on every install,
// so CI, which has just run `npm ci` itself, pays a few milliseconds, not a second install. Plain Node
// (nothing is installed yet when it runs).
//
//   node scripts/ensure-install.mjs [--root <dir>] [--dry-run]
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { commandLineOrExit } from "./lib/cli.mjs";

/** Why `root`'s node_modules needs `npm ci`, or null when it matches package-lock.json. */
export function staleReason(root) {
  const installed = join(root, "node_modules/.package-lock.json");
  if (!existsSync(installed)) return "node_modules is missing (or was not installed by npm 7+)";
  let want;
  let have;
  try {
    want = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")).packages ?? {};
    have = JSON.parse(readFileSync(installed, "utf8")).packages ?? {};
  } catch (err) {
    return `a lockfile is unreadable (${err.message})`;
  }
  for (const [path, pkg] of Object.entries(want)) {
    if (path === "" || pkg.link) continue;
    const got = have[path];
    // Optional packages for other platforms (another OS's workerd or esbuild) are never installed.
    if (!got) {
      if (pkg.optional || pkg.devOptional) continue;
      return `${path.replace(/^.*node_modules\//, "")} is not installed`;
    }
    if (got.version !== pkg.version) return `${path.replace(/^.*node_modules\//, "")} is ${got.version}, package-lock.json wants ${pkg.version}`;
  }
  for (const path of Object.keys(have)) if (!(path in want)) return `${path.replace(/^.*node_modules\//, "")} is installed but not in package-lock.json`;
  return null;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = commandLineOrExit(process.argv.slice(2), {
    name: "ensure-install",
    usage:
      "usage: node scripts/ensure-install.mjs [--root <dir>] [--dry-run]\n\nRuns `npm ci` when node_modules does not match package-lock.json (--dry-run: only says whether it would).",
    options: { root: { type: "string" }, "dry-run": { type: "boolean" } },
  });
  const root = args.root ?? join(dirname(fileURLToPath(import.meta.url)), "..");
  const why = staleReason(root);
  if (why === null) {
    if (args["dry-run"]) console.log("node_modules matches package-lock.json");
  } else if (args["dry-run"]) console.log(`would run npm ci: ${why}`);
  else {
    console.log(`installing dependencies (npm ci): ${why}`);
    // Under `npm run`, npm_execpath is npm's own CLI script: the same npm, whatever the PATH holds.
    const npm = process.env.npm_execpath;
    const r = npm
      ? spawnSync(process.execPath, [npm, "ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" })
      : spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit", shell: process.platform === "win32" });
    if (r.status !== 0) {
      console.error("npm ci failed: see above");
      process.exit(r.status ?? 1);
    }
  }
}
