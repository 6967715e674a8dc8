import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseFuzzArgs } from "../../scripts/fuzz.js";

const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "scripts/fuzz.ts", ...args], { encoding: "utf8", timeout: 60_000 });

describe("scripts/fuzz.ts", () => {
  it("parses its flags, with a fresh seed unless one is given", () => {
    expect(parseFuzzArgs([], () => 7)).toEqual({ cases: 100_000, seed: 7, stallMs: 1000, only: undefined, zstd: true });
    expect(parseFuzzArgs(["--cases", "50", "--seed", "3", "--stall-ms", "200", "--only", "text, empty", "--no-zstd"])).toEqual({
      cases: 50,
      seed: 3,
      stallMs: 200,
      only: ["text", "empty"],
      zstd: false,
    });
    expect(() => parseFuzzArgs(["--cases", "many"])).toThrow(/--cases needs an integer/);
    expect(() => parseFuzzArgs(["--only", "valid rows,nope"])).toThrow(/no kind "nope"/);
    expect(() => parseFuzzArgs(["--bogus"])).toThrow(/bogus/);
  });

  it("prints its usage and exits 2 on a flag it does not know or a malformed value, 0 on --help", () => {
    for (const bad of [["--bogus"], ["--cases", "-1"]]) {
      const r = run(...bad);
      expect(r.status, bad.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/usage: npm run fuzz/);
    }
    const help = run("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run fuzz/);
  });

  it("runs a short seeded fuzz in its worker and prints the outcomes by kind", () => {
    const r = run("--cases", "300", "--seed", "9", "--no-zstd");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^fuzz: 300 cases, seed 9, hand-built zstd only$/m);
    expect(r.stdout).toMatch(/^valid rows\s+\d+\s+[\d.]+ ms\s+accepted/m);
    expect(r.stdout).toMatch(/^300 cases on \d+ sockets, seed 9: 0 violation\(s\)$/m);
  }, 60_000);
});
