import { describe, expect, it } from "vitest";
import { forEachBounded } from "../../src/replay/bounded-pool.js";
import { ConnectionPlan, connectionsNeeded } from "../../src/replay/connection-plan.js";

describe("ConnectionPlan", () => {
  it("opens as many relay connections as the per-relay drone limit needs", () => {
    expect(connectionsNeeded(3400, 2000)).toBe(2);
    expect(connectionsNeeded(2000, 2000)).toBe(1);
    expect(connectionsNeeded(0, 2000)).toBe(1);
    expect(connectionsNeeded(5, 0)).toBe(5);
  });

  it("fills each connection up to the limit, a drone always on the connection it was first given", () => {
    const plan = new ConnectionPlan({ drones: 5, relayMaxDrones: 2, perDrone: false });
    expect(plan.connections).toBe(3);
    expect(["a", "b", "c", "a", "d", "e", "b"].map((id) => plan.connectionOf(id))).toEqual([0, 0, 1, 0, 1, 2, 0]);
    // More drones than the scan counted (never, but never a crash either): the last connection takes them.
    expect(plan.connectionOf("f")).toBe(2);
  });

  it("gives every drone a socket of its own with perDrone", () => {
    const plan = new ConnectionPlan({ drones: 3, relayMaxDrones: 2000, perDrone: true });
    expect(plan.connections).toBe(3);
    expect(["x", "y", "x", "z"].map((id) => plan.connectionOf(id))).toEqual([0, 1, 0, 2]);
  });
});

describe("forEachBounded", () => {
  it("runs every task with at most `limit` at once", async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await forEachBounded([...Array(20).keys()], 4, async (i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 1 + (i % 3)));
      running--;
      done.push(i);
    });
    expect(peak).toBe(4);
    expect(done.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
  });

  it("rejects with the first failure and starts nothing after it", async () => {
    const started: number[] = [];
    await expect(
      forEachBounded([...Array(10).keys()], 2, async (i) => {
        started.push(i);
        if (i === 1) throw new Error("boom");
        await new Promise((r) => setTimeout(r, 5));
      }),
    ).rejects.toThrow("boom");
    expect(started.length).toBeLessThan(10);
  });
});
