import { describe, expect, it } from "vitest";
import { PendingRestores } from "../../src/detect/pending-restores.js";
import type { RestoredAlert } from "../../src/detect/region-outputs.js";

const alert = (alertId: string, droneA: string, droneB: string): RestoredAlert => ({ alertId, droneA, droneB, level: "caution", sentA: null, sentB: null });

describe("PendingRestores", () => {
  it("hands an encounter over once its other drone is present, and only once", () => {
    const p = new PendingRestores(1000);
    p.add(alert("x", "a", "b"), 0);
    p.add(alert("y", "a", "c"), 0);
    expect(p.size).toBe(2);
    const present = new Set<string>();
    expect(p.take("a", (id) => present.has(id), 10)).toEqual([]);
    present.add("a");
    present.add("c");
    expect(p.take("c", (id) => present.has(id), 20).map((r) => r.alertId)).toEqual(["y"]);
    // Gone from a's list too.
    expect(p.take("a", (id) => present.has(id), 30)).toEqual([]);
    expect(p.size).toBe(1);
    present.add("b");
    expect(p.take("b", (id) => present.has(id), 40).map((r) => r.alertId)).toEqual(["x"]);
    expect(p.empty).toBe(true);
  });

  it("forgets what waited longer than keepMs", () => {
    const p = new PendingRestores(1000);
    p.add(alert("x", "a", "b"), 0);
    p.add(alert("y", "a", "c"), 500);
    expect(p.take("b", () => true, 1200)).toEqual([]); // x expired
    expect(p.size).toBe(1);
    p.expire(1501);
    expect(p.empty).toBe(true);
  });
});
