import { describe, expect, it } from "vitest";
import { HeldFrames } from "../../src/link/held-frames.js";

describe("HeldFrames", () => {
  it("keeps the latest frame per key for a link and hands them over once", () => {
    const h = new HeldFrames<string>(5000);
    h.hold("L", "alert:x:a", "caution", 0);
    h.hold("L", "alert:x:a", "warning", 100);
    h.hold("L", "near", "near-set", 200);
    h.hold("M", "near", "other link", 200);
    expect(h.take("L", 300)).toEqual(["warning", "near-set"]);
    expect(h.take("L", 300)).toEqual([]);
    expect(h.links).toBe(1);
  });

  it("never delivers or keeps frames older than its age limit", () => {
    const h = new HeldFrames<string>(5000);
    h.hold("L", "a", "old", 0);
    h.hold("L", "b", "fresh", 4000);
    expect(h.take("L", 6000)).toEqual(["fresh"]);
    h.hold("M", "a", "old", 0);
    h.expire(5001);
    expect(h.links).toBe(0);
  });
});
