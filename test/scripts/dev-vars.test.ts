import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localRunVars, parseDevVars } from "../../scripts/lib/dev-vars.mjs";

const EXAMPLE = readFileSync(new URL("../../.dev.vars.example", import.meta.url), "utf8");
const tmp = mkdtempSync(join(tmpdir(), "airspace-dev-vars-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A checkout holding the repository's .dev.vars.example and, when given, a .dev.vars. */
function checkout(name: string, devVars?: string): string {
  const root = join(tmp, name);
  mkdirSync(root);
  writeFileSync(join(root, ".dev.vars.example"), EXAMPLE);
  if (devVars !== undefined) writeFileSync(join(root, ".dev.vars"), devVars);
  return root;
}

describe("npm start's variables", () => {
  it("on a fresh clone: creates .dev.vars from the example, which says local", () => {
    const root = checkout("fresh");
    const { vars, notes } = localRunVars(root);
    expect(readFileSync(join(root, ".dev.vars"), "utf8")).toBe(EXAMPLE);
    expect(vars.AIRSPACE_ENV).toBe("local");
    expect(vars.AIRSPACE_JWT_SECRET).toBe("local-dev-secret-change-me");
    expect(notes).toEqual([expect.stringMatching(/created .dev.vars/)]);
  });

  it("runs a .dev.vars older than AIRSPACE_ENV (unset means deployed) as local, and says so", () => {
    const { vars, notes } = localRunVars(checkout("old", "AIRSPACE_JWT_SECRET=local-dev-secret-change-me\n"));
    expect(vars.AIRSPACE_ENV).toBe("local");
    expect(notes).toEqual([expect.stringMatching(/AIRSPACE_ENV=local/)]);
  });

  it("keeps an environment .dev.vars names (trying the deployed guards locally)", () => {
    const { vars, notes } = localRunVars(checkout("staging", 'AIRSPACE_JWT_SECRET="s"\r\nAIRSPACE_ENV=staging\r\n'));
    expect(vars).toEqual({ AIRSPACE_JWT_SECRET: "s", AIRSPACE_ENV: "staging" });
    expect(notes).toEqual([]);
  });

  it("skips comments and blank lines", () => {
    expect(parseDevVars("# AIRSPACE_ENV=production\n\n A = 'b' \n")).toEqual({ A: "b" });
  });
});
