import { afterEach, describe, expect, it } from "vitest";
import { parseCommandLine } from "../../scripts/lib/cli.mjs";
import { SIM_CLI, runSim } from "../../scripts/sim.js";
import { type FakeGateway, startGateway } from "../client/fake-gateway.js";

let gw: FakeGateway | undefined;
afterEach(async () => {
  await gw?.close();
});

describe("scripts/sim.ts", () => {
  it("parses its flags", () => {
    expect(parseCommandLine(["--drones", "5", "--mode", "relay", "--center", "1.5,2.5", "--zstd", "--stream"], SIM_CLI)).toMatchObject({
      kind: "run",
      values: { drones: 5, mode: "relay", center: { lat: 1.5, lon: 2.5 }, zstd: true, stream: true },
    });
    for (const bad of [["--mode", "x"], ["--drones", "many"], ["--center", "1.5"], ["--drones"], ["--nope"]])
      expect(parseCommandLine(bad, SIM_CLI), bad.join(" ")).toMatchObject({ kind: "error" });
  });

  it.each(["sockets", "relay"] as const)(
    "runs a short %s simulation against a loopback gateway and summarises it",
    async (mode) => {
      gw = await startGateway();
      gw.streamMaxDrones = 100;
      const lines: string[] = [];
      const relay = mode === "relay";
      const s = await runSim({ url: gw.url, drones: 10, hz: 10, mode, duration: 1.5, secret: "s", zstd: relay, stream: relay, log: (l) => lines.push(l) });
      expect(s.pointsGenerated).toBeGreaterThan(50);
      expect(s.pointsSent).toBe(s.pointsGenerated);
      const received = gw.sessions.reduce((n, x) => n + x.points.length, 0);
      expect(received).toBe(s.pointsSent);
      expect(s.server.pointsAccepted).toBe(received);
      expect(lines.at(-1)).toMatch(/^summary:/);
      if (relay) expect(gw.compressedFrames).toBeGreaterThan(0);
      expect(
        gw.sessions
          .flatMap((x) => x.kinds)
          .filter((k) => k !== "ping")
          .every((k) => k === (relay ? "stream" : "telemetry")),
      ).toBe(true);
    },
    10_000,
  );
});
