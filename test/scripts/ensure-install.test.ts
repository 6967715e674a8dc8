import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "../../scripts/ensure-install.mjs");
const tmp = mkdtempSync(join(tmpdir(), "airspace-install-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const LOCK = {
  lockfileVersion: 3,
  packages: {
    "": { name: "x" },
    "node_modules/a": { version: "1.0.0" },
    "node_modules/b": { version: "2.0.0", dev: true },
    "node_modules/@other/os-binary": { version: "3.0.0", optional: true },
  },
};

/** A checkout with `lock` as package-lock.json and `installed` as npm's record in node_modules (none: no node_modules). */
function checkout(name: string, installed?: Record<string, { version: string }>): string {
  const root = join(tmp, name);
  mkdirSync(root);
  writeFileSync(join(root, "package-lock.json"), JSON.stringify(LOCK));
  if (installed) {
    mkdirSync(join(root, "node_modules"));
    writeFileSync(join(root, "node_modules/.package-lock.json"), JSON.stringify({ lockfileVersion: 3, packages: installed }));
  }
  return root;
}

function dryRun(root: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [SCRIPT, "--root", root, "--dry-run"], { timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout.trim()))),
  );
}

describe("scripts/ensure-install.mjs (prestart, pretest)", () => {
  it("installs on a fresh clone and when node_modules does not match the lockfile", async () => {
    const [fresh, old, missing, extra] = await Promise.all([
      dryRun(checkout("fresh")),
      dryRun(checkout("old", { "node_modules/a": { version: "0.9.0" }, "node_modules/b": { version: "2.0.0" } })),
      dryRun(checkout("missing", { "node_modules/a": { version: "1.0.0" } })),
      dryRun(checkout("extra", { "node_modules/a": { version: "1.0.0" }, "node_modules/b": { version: "2.0.0" }, "node_modules/c": { version: "1.0.0" } })),
    ]);
    expect(fresh).toBe("would run npm ci: node_modules is missing (or was not installed by npm 7+)");
    expect(old).toBe("would run npm ci: a is 0.9.0, package-lock.json wants 1.0.0");
    expect(missing).toBe("would run npm ci: b is not installed");
    expect(extra).toBe("would run npm ci: c is installed but not in package-lock.json");
  });

  it("does nothing when npm ci already ran (CI), another platform's optional binaries aside", async () => {
    expect(await dryRun(checkout("ok", { "node_modules/a": { version: "1.0.0" }, "node_modules/b": { version: "2.0.0" } }))).toBe(
      "node_modules matches package-lock.json",
    );
  });

  it("finds this checkout installed", async () => {
    expect(await dryRun(join(dirname(SCRIPT), ".."))).toBe("node_modules matches package-lock.json");
  });

  // The install itself, with a stand-in for npm (npm_execpath, as under `npm run`) that records its call.
  it("runs npm ci in the checkout when it must, and fails with npm's status when npm ci fails", async () => {
    const fakeNpm = join(tmp, "fake-npm.mjs");
    const calls = join(tmp, "calls.jsonl");
    writeFileSync(
      fakeNpm,
      `import { appendFileSync } from "node:fs";\nappendFileSync(${JSON.stringify(calls)}, JSON.stringify({ args: process.argv.slice(2), cwd: process.cwd() }) + "\\n");\nprocess.exit(Number(process.env.FAKE_NPM_STATUS ?? 0));\n`,
    );
    const install = (root: string, status: number) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          [SCRIPT, "--root", root],
          { timeout: 10_000, env: { ...process.env, npm_execpath: fakeNpm, FAKE_NPM_STATUS: String(status) } },
          (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const fresh = checkout("install-fresh");
    const ok = await install(fresh, 0);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^installing dependencies \(npm ci\): node_modules is missing/);
    const current = checkout("install-current", { "node_modules/a": { version: "1.0.0" }, "node_modules/b": { version: "2.0.0" } });
    expect(await install(current, 0)).toMatchObject({ code: 0, stdout: "" });
    const failing = await install(checkout("install-failing"), 7);
    expect(failing.code).toBe(7);
    expect(failing.stderr).toMatch(/npm ci failed/);
    const recorded = readFileSync(calls, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { args: string[]; cwd: string });
    expect(recorded.map((c) => c.cwd)).toEqual([fresh, join(tmp, "install-failing")]);
    for (const c of recorded) expect(c.args).toEqual(["ci", "--no-audit", "--no-fund"]);
  });

  // README promises two commands, each the first on a fresh clone: both run the check before anything else.
  it("runs before npm start and npm test, README's two commands", () => {
    const root = join(dirname(SCRIPT), "..");
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.prestart).toBe("node scripts/ensure-install.mjs");
    expect(pkg.scripts.pretest).toBe("node scripts/ensure-install.mjs");
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const block = /## Two commands\n\n((?: {4}.*\n)+)/.exec(readme)?.[1] ?? "";
    expect(
      block
        .trimEnd()
        .split("\n")
        .map((l) => l.trim().split(/\s+#/)[0]!.trim()),
    ).toEqual(["npm start", "npm test"]);
  });
});
