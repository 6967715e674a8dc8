// End to end with the seeded fleet simulator (a pure module, so it runs here inside workerd): a relay
// carries a small fleet in real time through the real gateway and region, and every conflict the
// simulator staged must be alerted to both of its drones.
import { describe, expect, it } from "vitest";
import { AlertLevel } from "../../src/gen/airspace/v1/airspace_pb.js";
import type { TelemetryPoint } from "../../src/wire/point.js";
import { regionCenter } from "../../src/geo/regions.js";
import { FleetSim } from "../../src/sim/fleet.js";
import { connect, eventually, token } from "../helpers/client.js";

describe("a simulated fleet through the real edge", () => {
  it("alerts both drones of every staged conflict", async () => {
    const start = Date.now();
    const sim = new FleetSim({
      drones: 30,
      hz: 5,
      conflicts: 0.4,
      linkDrops: 0,
      seed: 7,
      center: regionCenter("u09t"),
      startTimeMs: start,
      conflictWindowMs: [2500, 4500],
      idPrefix: "e2e-",
    });
    const relay = await connect(await token("relay-e2e", "relay"));
    await relay.waitFor((f) => f.kind.case === "welcome");
    const STEP_MS = 100;
    const RUN_MS = 7000;
    for (let t = 0; t < RUN_MS; t += STEP_MS) {
      const { points } = sim.step(STEP_MS);
      if (points.length > 0) relay.send(points.map((p): TelemetryPoint => ({ ...p, battery: p.battery ?? -1, seq: p.seq ?? -1 })));
      const lag = start + t + STEP_MS - Date.now();
      if (lag > 0) await new Promise((r) => setTimeout(r, lag));
    }
    const truth = sim.truth.filter((c) => c.conflictStartTimeMs <= start + RUN_MS);
    expect(truth.length).toBeGreaterThanOrEqual(3);
    const alerted = (drone: string, other: string) => relay.alerts().some((a) => a.droneId === drone && a.otherId === other && a.level !== AlertLevel.CLEAR);
    await eventually(() => truth.every((c) => alerted(c.a, c.b) && alerted(c.b, c.a)), 3000, "an alert on both drones of every staged conflict");
    // Each alert reached its drone before that drone's conflict began (the look-ahead is the point).
    for (const c of truth) {
      const first = relay.alerts().find((a) => a.droneId === c.a && a.otherId === c.b)!;
      expect(Number(first.computedForMs)).toBeLessThan(c.conflictStartTimeMs);
    }
    relay.close();
  }, 30_000);
});
