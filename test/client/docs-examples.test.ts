// docs/client.md's examples (issue 13: a drone in 15 lines, a relay in 20), held to their length and
// type-checked against the client's own declarations (`airspace/client` maps to src/client in
// tsconfig.json), with the reader's own parts (their GPS, radio, token backend) declared as stubs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const DOC = readFileSync(join(ROOT, "docs/client.md"), "utf8");
const dir = mkdtempSync(join(tmpdir(), "airspace-client-docs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The lines of the first ```ts block after `marker`. */
function exampleAfter(marker: string): string[] {
  const at = DOC.indexOf(marker);
  expect(at, marker).toBeGreaterThanOrEqual(0);
  const m = /```ts\n([\s\S]*?)\n```/.exec(DOC.slice(at));
  expect(m, `a ts block after ${marker}`).not.toBeNull();
  return m![1]!.split("\n");
}

const STUBS = `
type Fix = { timeMs: number; lat: number; lon: number; alt: number; vn: number; ve: number; vu: number; pct: number };
declare function fetchTokenFromYourBackend(droneId: string): Promise<string>;
declare function readGps(): Fix;
declare const radio: { uplink(droneId: string, msg: object): void; onTelemetry(f: (droneId: string, fix: Fix) => void): void };
declare const fleet: { size: number };
`;

describe("docs/client.md", () => {
  const drone = exampleAfter("A drone, in 15 lines");
  const relay = exampleAfter("in 20 lines");
  const worker = exampleAfter("## Inside a Worker");

  it("shows a drone in 15 lines and a relay in 20, each importing only the package", () => {
    expect(drone.length).toBeLessThanOrEqual(15);
    expect(relay.length).toBeLessThanOrEqual(20);
    for (const ex of [drone, relay, worker]) {
      const imports = ex.filter((l) => /^import\b/.test(l));
      expect(imports.length).toBe(1);
      expect(imports[0]).toMatch(/ from "airspace\/client";$/);
    }
    expect(drone.join("\n")).toMatch(/new DroneClient\([\s\S]*\.send\(/);
    expect(relay.join("\n")).toMatch(/new RelayClient\([\s\S]*\.send\(\{ droneId/);
  });

  it("type-checks them against the client's declarations", () => {
    const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    expect(config).toBeDefined();
    const files = [drone, relay, worker].map((ex, i) => {
      const f = join(dir, `example-${i}.ts`);
      // The stubs go after the import, as the reader's own module scope.
      writeFileSync(f, [ex[0], STUBS, ...ex.slice(1)].join("\n"));
      return f;
    });
    const program = ts.createProgram(files, { ...config!.options, noEmit: true, noUnusedLocals: false });
    const problems = files.flatMap((f) =>
      ts
        .getPreEmitDiagnostics(program, program.getSourceFile(f))
        .map((d) => `${f.slice(dir.length + 1)}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`),
    );
    expect(problems).toEqual([]);
  }, 60_000);
});
