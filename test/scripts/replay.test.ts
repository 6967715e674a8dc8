// `npm run replay` as its user meets it (issue 13): the real entry point in a child process, its stderr
// a pipe (not a terminal), against a loopback gateway. Progress comes as plain lines every few
// seconds; Ctrl-C (SIGINT) stops the replay and the summary is still printed, with exit status 130.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { type FakeGateway, startGateway } from "../client/fake-gateway.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const dir = mkdtempSync(join(tmpdir(), "airspace-replay-cli-"));
let gw: FakeGateway | undefined;
afterAll(async () => {
  await gw?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("npm run replay, interrupted", () => {
  it("prints plain progress lines when stderr is no terminal, and the summary after Ctrl-C", async () => {
    gw = await startGateway();
    gw.role = "relay";
    // Two drones reporting once a second for two minutes: at --speed 1 it would take two minutes.
    let csv = "time,id,lat,lon,alt_m,velocity,heading,vertrate\n";
    for (let t = 0; t < 120; t++) for (const id of ["a", "b"]) csv += `${1_700_000_000 + t},${id},52,13,100,1,0,0\n`;
    const file = join(dir, "tracks.csv");
    writeFileSync(file, csv);

    const child = spawn(process.execPath, ["--import", "tsx", "scripts/replay.ts", "--url", gw.url, "--token", "t", "--file", file, "--speed", "1"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    const progressSeen = new Promise<void>((resolve) =>
      child.stderr.on("data", (d) => {
        stderr += d;
        if (/^replay: \d/m.test(stderr)) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const killer = setTimeout(() => child.kill("SIGKILL"), 25_000);
    try {
      await progressSeen;
      child.kill("SIGINT");
      expect(await exited).toBe(130);
    } finally {
      clearTimeout(killer);
    }

    // Progress: whole lines (no carriage-return redraws) with rows sent of the total, rate, alerts and ETA.
    expect(stderr).not.toContain("\r");
    expect(stderr).toMatch(/^replay: \d+\/240 rows \(\d+%\) · \d+ points\/s · 0 alerts · \d:\d\d elapsed · ETA \d:\d\d$/m);
    expect(stderr).toContain("stopping (Ctrl-C again to quit at once)");
    // The summary, on stdout, says it was interrupted and gives the edge's own counts of what was sent.
    const head = /^replay interrupted after [\d.]+ s: (\d+) of 240 rows sent/m.exec(stdout);
    expect(head, stdout).not.toBeNull();
    const sent = Number(head![1]);
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(240);
    expect(stdout).toContain(`edge: received ${sent},`);
  }, 30_000);
});
