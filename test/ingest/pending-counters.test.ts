import { describe, expect, it } from "vitest";
import { COUNTER_INDEX } from "../../src/wire/counters.js";
import { PendingCounters } from "../../src/ingest/pending-counters.js";

describe("PendingCounters", () => {
  it("accumulates per region and hands the deltas to one batch only", () => {
    const p = new PendingCounters(10);
    p.count("u33d", "received", 3, 0);
    p.count("u33d", "accepted", 2, 10);
    p.count("u33f", "received", 1, 20);
    const c = p.take("u33d");
    expect(c[COUNTER_INDEX.received]).toBe(3);
    expect(c[COUNTER_INDEX.accepted]).toBe(2);
    expect(p.take("u33d").every((x) => x === 0)).toBe(true);
    expect(p.regions()).toEqual(["u33f"]);
  });

  it("says which regions waited too long for a batch, from their first count", () => {
    const p = new PendingCounters(10);
    p.count("a", "received", 1, 1000);
    p.count("a", "received", 1, 2500);
    p.count("b", "received", 1, 2000);
    expect(p.nextDueMs(2000)).toBe(3000);
    expect(p.overdue(2999, 2000)).toEqual([]);
    expect(p.overdue(3000, 2000)).toEqual(["a"]);
  });

  it("counts a point without a usable position where its drone last flew, else the fallback", () => {
    const p = new PendingCounters(10);
    p.routed("d1", "u33d");
    p.countForDrone("d1", "rejected", 1, 0, "zzzz");
    p.countForDrone("d2", "rejected", 1, 0, "zzzz");
    p.countForDrone("d3", "rejected", 1, 0, undefined);
    expect(p.take("u33d")[COUNTER_INDEX.rejected]).toBe(1);
    expect(p.take("zzzz")[COUNTER_INDEX.rejected]).toBe(1);
    expect(p.regions()).toEqual([]);
  });

  it("bounds the drone map against invented ids", () => {
    const p = new PendingCounters(3);
    for (let i = 0; i < 1000; i++) p.routed(`fake-${i}`, "u33d");
    p.countForDrone("fake-0", "rejected", 1, 0, undefined);
    expect(p.regions()).toEqual([]); // forgotten: the map never held more than 3
    p.countForDrone("fake-999", "rejected", 1, 0, undefined);
    expect(p.regions()).toEqual(["u33d"]);
  });
  it("gives a batch its region's deltas counted as batched, and uses a recycled vector again, zeroed", () => {
    const p = new PendingCounters(10);
    p.count("u33d", "received", 2, 0);
    const b = p.attach({ regionKey: "u33d", points: [], ghost: new Uint8Array(0), receivedMs: [], counters: null });
    expect(b.counters[COUNTER_INDEX.received]).toBe(2);
    expect(b.counters[COUNTER_INDEX.batched]).toBe(0);
    expect(p.firstRegion).toBe("u33d");
    const used = b.counters;
    p.recycle(used);
    p.count("u33f", "accepted", 1, 5);
    const next = p.take("u33f");
    expect(next).toBe(used);
    expect([...next]).toEqual([...new Float64Array(next.length)].map((_, i) => (i === COUNTER_INDEX.accepted ? 1 : 0)));
  });
});
