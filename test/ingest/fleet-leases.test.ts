import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ClaimRequest } from "../../src/ingest/fleet-claim-protocol.js";
import { FleetLeases } from "../../src/ingest/fleet-leases.js";

const LEASE = 9000;
const T0 = 1_795_000_000_000;
const limits = { drones: 3, regions: 2 };

function req(session: string, drones: string[], regions: string[] = [], full = false): ClaimRequest {
  return { fleet: "acme", session, full, drones, regions };
}

describe("FleetLeases", () => {
  it("grants up to the limit in the order asked and refuses the rest", () => {
    const l = new FleetLeases();
    const r = l.claim(req("s1", ["a", "b", "c", "d", "e"], ["u4", "u5", "u6"]), limits, LEASE, T0);
    expect(r).toEqual({ refusedDrones: ["d", "e"], refusedRegions: ["u6"], drones: 3, regions: 2 });
  });

  it("counts a drone or region once however many sessions hold it", () => {
    const l = new FleetLeases();
    l.claim(req("s1", ["a", "b", "c"], ["u4"]), limits, LEASE, T0);
    // s2 takes over drone c (a handover between relays) and shares region u4: nothing new, nothing refused.
    const r = l.claim(req("s2", ["c"], ["u4"]), limits, LEASE, T0 + 1);
    expect(r).toEqual({ refusedDrones: [], refusedRegions: [], drones: 3, regions: 1 });
    expect(l.drones.count("c")).toBe(2);
    // …but a new one of s2 is over the fleet's limit, although s2 alone holds one.
    expect(l.claim(req("s2", ["x"]), limits, LEASE, T0 + 2).refusedDrones).toEqual(["x"]);
  });

  it("a full claim renews what it names and gives back the rest", () => {
    const l = new FleetLeases();
    l.claim(req("s1", ["a", "b", "c"]), limits, LEASE, T0);
    const r = l.claim(req("s1", ["a"], [], true), limits, LEASE, T0 + 3000);
    expect(r.drones).toBe(1);
    expect(l.claim(req("s2", ["y", "z"]), limits, LEASE, T0 + 3001).refusedDrones).toEqual([]);
    // An empty full claim is the session's release: it holds nothing and is forgotten.
    l.claim(req("s1", [], [], true), limits, LEASE, T0 + 3002);
    expect(l.sessionCount).toBe(1);
    expect(l.drones.size).toBe(2);
  });

  it("a session that stops renewing loses its leases when they lapse, and only then", () => {
    const l = new FleetLeases();
    l.claim(req("dead", ["a", "b", "c"], ["u4", "u5"]), limits, LEASE, T0);
    expect(l.claim(req("s2", ["d"], ["u6"]), limits, LEASE, T0 + LEASE - 1).refusedDrones).toEqual(["d"]);
    const r = l.claim(req("s2", ["d"], ["u6"]), limits, LEASE, T0 + LEASE);
    expect(r).toEqual({ refusedDrones: [], refusedRegions: [], drones: 1, regions: 1 });
    expect(l.holds("dead", "drones", "a")).toBe(false);
  });

  it("a limit of 0 is unlimited", () => {
    const l = new FleetLeases();
    const many = Array.from({ length: 500 }, (_, i) => `d${i}`);
    expect(l.claim(req("s", many), { drones: 0, regions: 0 }, LEASE, T0).refusedDrones).toEqual([]);
  });

  it("property: never over the limit, refuses only when full, and its counts are the sessions' holdings", () => {
    const sessions = ["s0", "s1", "s2", "s3"];
    const ITEMS = ["a", "b", "c", "d", "e", "f", "g"];
    const item = fc.constantFrom(...ITEMS);
    const op = fc.record({
      session: fc.constantFrom(...sessions),
      full: fc.boolean(),
      drones: fc.array(item, { maxLength: 5 }),
      regions: fc.array(fc.constantFrom("r1", "r2", "r3", "r4"), { maxLength: 3 }),
      dtMs: fc.integer({ min: 0, max: LEASE }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 1, max: 5 }), (ops, max) => {
        const lim = { drones: max, regions: Math.max(1, max - 2) };
        const l = new FleetLeases();
        let now = T0;
        for (const o of ops) {
          now += o.dtMs;
          const r = l.claim(req(o.session, o.drones, o.regions, o.full), lim, LEASE, now);
          expect(r.drones).toBeLessThanOrEqual(lim.drones);
          expect(r.regions).toBeLessThanOrEqual(lim.regions);
          if (r.refusedDrones.length > 0) expect(r.drones).toBe(lim.drones);
          if (r.refusedRegions.length > 0) expect(r.regions).toBe(lim.regions);
          const refused = new Set(r.refusedDrones);
          for (const d of o.drones) expect(l.holds(o.session, "drones", d)).toBe(!refused.has(d));
          if (o.full) for (const d of ITEMS) if (!o.drones.includes(d)) expect(l.holds(o.session, "drones", d)).toBe(false);
          for (const d of ITEMS) expect(l.drones.count(d)).toBe(sessions.filter((s) => l.holds(s, "drones", d)).length);
        }
        // Everyone stops renewing: after a lease, nothing is held.
        l.sweep(now + LEASE);
        expect([l.drones.size, l.regions.size, l.sessionCount]).toEqual([0, 0, 0]);
      }),
    );
  });
});
