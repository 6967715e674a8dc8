import { describe, expect, it } from "vitest";
import { type FaultEvent, MIN_RESTART_SPACING_MS, planFaults } from "../../src/sim/fault-plan.js";

const base = {
  seed: 7,
  durationMs: 60_000,
  restarts: 12,
  regions: ["u09t", "u0qj", "u0zg"],
  clients: ["d0", "d1", "d2", "d3", "o0a", "o0b", "replay"],
  timed: ["o0a", "o0b"],
};

const of = <K extends FaultEvent["kind"]>(plan: FaultEvent[], kind: K) => plan.filter((e): e is Extract<FaultEvent, { kind: K }> => e.kind === kind);

describe("fault plan", () => {
  it("is the same for the same seed, sorted, and inside the run's warm-up and drain", () => {
    const plan = planFaults(base);
    expect(planFaults(base)).toEqual(plan);
    expect(planFaults({ ...base, seed: 8 })).not.toEqual(plan);
    expect(plan.map((e) => e.atMs)).toEqual([...plan.map((e) => e.atMs)].sort((a, b) => a - b));
    expect(plan.every((e) => e.atMs >= 3000 - 1500 && e.atMs <= base.durationMs - 3000)).toBe(true);
  });

  it("spaces the restarts, two in three on the first region, and every kind of fault appears", () => {
    const plan = planFaults(base);
    const restarts = of(plan, "restart");
    expect(restarts.length).toBe(12);
    for (let i = 1; i < restarts.length; i++) expect(restarts[i]!.atMs - restarts[i - 1]!.atMs).toBeGreaterThanOrEqual(0.6 * MIN_RESTART_SPACING_MS);
    expect(restarts.filter((r) => r.region === "u09t").length).toBe(8);
    expect(new Set(restarts.map((r) => r.region))).toEqual(new Set(base.regions));
    expect(of(plan, "cut-links").length).toBeGreaterThan(0);
    expect(of(plan, "drop-sockets").length).toBeGreaterThan(0);
    expect(of(plan, "drop-sockets").some((d) => d.abrupt) && of(plan, "drop-sockets").some((d) => !d.abrupt)).toBe(true);
  });

  it("makes a restart happen inside each checkpoint failure window, which closes within a second after it", () => {
    const plan = planFaults(base);
    const windows = of(plan, "fail-checkpoints");
    expect(windows.length).toBe(4);
    for (const w of windows) {
      const inside = of(plan, "restart").filter((r) => r.region === w.region && r.atMs > w.atMs && r.atMs < w.atMs + w.ms);
      expect(inside.length).toBe(1);
      expect(w.atMs + w.ms - inside[0]!.atMs).toBeLessThanOrEqual(1000);
      expect(w.ms).toBeLessThan(5000); // inside the gateways' resend window (RESEND_MAX_MS)
    }
  });

  it("keeps timed sockets up around restarts and every client up in its own windows", () => {
    const keepUp = new Map([["d1", [[0, 60_000] as const]]]);
    for (const seed of [1, 2, 3, 4, 5]) {
      const plan = planFaults({ ...base, seed, keepUp });
      const restarts = of(plan, "restart").map((r) => r.atMs);
      for (const d of of(plan, "drop-sockets")) {
        expect(d.clients).not.toContain("d1");
        if (d.clients.some((c) => base.timed.includes(c))) expect(restarts.every((r) => d.atMs <= r - 2000 || d.atMs >= r + 1500)).toBe(true);
      }
    }
  });

  it("refuses restarts closer than the spacing allows, naming how many fit", () => {
    expect(() => planFaults({ ...base, durationMs: 30_000, restarts: 9 })).toThrow(/at most 8/);
    expect(of(planFaults({ ...base, durationMs: 30_000, restarts: 8 }), "restart").length).toBe(8);
    expect(() => planFaults({ ...base, regions: [] })).toThrow(RangeError);
  });
});
