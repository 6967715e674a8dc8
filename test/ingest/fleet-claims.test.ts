import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ClaimReply } from "../../src/ingest/fleet-claim-protocol.js";
import { FleetClaims } from "../../src/ingest/fleet-claims.js";
import { FleetLeases } from "../../src/ingest/fleet-leases.js";

const T0 = 1_795_000_000_000;
const LEASE = 9000;
const EVERY = LEASE / 3;

const reply = (refusedDrones: string[] = [], refusedRegions: string[] = []): ClaimReply => ({ refusedDrones, refusedRegions, drones: 0, regions: 0 });

/** A point of `drone` into `region`: admitted (and in use) or the quota it is refused by. */
function point(c: FleetClaims, drone: string, region = "u4"): string | null {
  const over = c.refusal(drone, [region]);
  if (!over) c.use(drone, [region]);
  return over;
}

describe("FleetClaims", () => {
  it("admits a new drone at once and claims it in the next request; names new during a claim wait for the next", () => {
    const c = new FleetClaims({ drones: 5, regions: 5 }, LEASE, T0);
    expect(point(c, "f/a")).toBeNull();
    expect(c.request(T0)).toEqual({ full: false, drones: ["f/a"], regions: ["u4"] });
    expect(point(c, "f/b")).toBeNull();
    expect(point(c, "f/c", "u5")).toBeNull();
    expect(c.request(T0 + 1)).toBeNull(); // one in flight
    c.settle(reply());
    expect(c.request(T0 + 2)).toEqual({ full: false, drones: ["f/b", "f/c"], regions: ["u5"] });
    expect(point(c, "f/a")).toBeNull();
  });

  it("a refused drone or region is refused from then on, and the others keep going", () => {
    const c = new FleetClaims({ drones: 5, regions: 5 }, LEASE, T0);
    point(c, "f/a");
    point(c, "f/b", "u5");
    c.request(T0);
    c.settle(reply(["f/b"], ["u5"]));
    expect(point(c, "f/b", "u4")).toBe("fleet_drones");
    expect(point(c, "f/a", "u5")).toBe("fleet_regions");
    expect(point(c, "f/a", "u4")).toBeNull();
  });

  it("never holds more than the fleet's limit on its own: a new name past it is refused without asking", () => {
    const c = new FleetClaims({ drones: 2, regions: 5 }, LEASE, T0);
    expect([point(c, "f/a"), point(c, "f/b"), point(c, "f/c")]).toEqual([null, null, "fleet_drones"]);
    expect(c.request(T0)?.drones).toEqual(["f/a", "f/b"]);
  });

  it("renews what was used in the period, forgets the rest, and claims refused names offered again", () => {
    const c = new FleetClaims({ drones: 5, regions: 5 }, LEASE, T0);
    point(c, "f/a");
    point(c, "f/b");
    point(c, "f/x");
    c.request(T0);
    c.settle(reply(["f/x"]));
    expect(c.request(T0 + EVERY - 1)).toBeNull();
    // In the period: a reports again, b falls silent, x is offered again (refused).
    const later = T0 + EVERY;
    expect(point(c, "f/x")).toBe("fleet_drones");
    const full = c.request(later);
    expect(full).toEqual({ full: true, drones: ["f/a", "f/b", "f/x"], regions: ["u4"] });
    c.settle(reply());
    // The fleet had room for x this time: admitted again.
    expect(point(c, "f/x")).toBeNull();
    point(c, "f/a");
    expect(c.request(later + EVERY)?.drones.sort()).toEqual(["f/a", "f/x"]);
  });

  it("fails open: with no answer the session admits on, quietly, and claims everything at the next renewal", () => {
    const c = new FleetClaims({ drones: 5, regions: 5 }, LEASE, T0);
    point(c, "f/a");
    c.request(T0);
    c.settle(null);
    expect(point(c, "f/b")).toBeNull();
    expect(c.request(T0 + 10)).toBeNull(); // no hammering the object that failed
    expect(c.request(T0 + EVERY)).toEqual({ full: true, drones: ["f/a", "f/b"], regions: ["u4"] });
  });

  it("gives its leases back at the end, only if it ever claimed; unlimited fleets claim nothing", () => {
    const c = new FleetClaims({ drones: 5, regions: 5 }, LEASE, T0);
    expect(c.release()).toBeNull();
    point(c, "f/a");
    c.request(T0);
    expect(c.release()).toEqual({ full: true, drones: [], regions: [] });
    const free = new FleetClaims({ drones: 0, regions: 0 }, LEASE, T0);
    for (let i = 0; i < 100; i++) expect(point(free, `f/${i}`, `r${i}`)).toBeNull();
    expect(free.request(T0 + EVERY)).toBeNull();
  });

  it("property: sessions renewing against one fleet object hold together what it leases, never over its limit", () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant("point" as const), s: fc.nat(2), d: fc.nat(9) }),
      fc.record({ kind: fc.constant("pump" as const), s: fc.nat(2) }),
      fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 1, max: EVERY }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), fc.integer({ min: 1, max: 6 }), (steps, max) => {
        const fleet = new FleetLeases();
        const lim = { drones: max, regions: 0 };
        let now = T0;
        const sessions = [0, 1, 2].map(() => new FleetClaims(lim, LEASE, now));
        const pump = (i: number) => {
          const draft = sessions[i]!.request(now);
          if (draft) sessions[i]!.settle(fleet.claim({ fleet: "f", session: `s${i}`, ...draft }, lim, LEASE, now));
        };
        for (const st of steps) {
          if (st.kind === "point") point(sessions[st.s]!, `f/${st.d}`);
          else if (st.kind === "pump") pump(st.s);
          else {
            now += st.ms;
            for (let i = 0; i < 3; i++) pump(i); // the shell's renewal tick
          }
          expect(fleet.drones.size).toBeLessThanOrEqual(max);
        }
        // Every claim answered: the fleet leases exactly what the sessions hold, each drone once.
        for (let i = 0; i < 3; i++) pump(i);
        for (let d = 0; d < 10; d++) {
          const key = `f/${d}`;
          for (let i = 0; i < 3; i++) expect(fleet.holds(`s${i}`, "drones", key)).toBe(sessions[i]!.drones.holds(key));
          if (sessions.some((c) => c.drones.isRefused(key))) expect(fleet.drones.size).toBeGreaterThan(0);
        }
      }),
    );
  });
});
