import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LinkSequence } from "../../src/link/link-sequence.js";

describe("LinkSequence", () => {
  it("advances the floor over in-order batches", () => {
    const s = new LinkSequence();
    for (let i = 1; i <= 5; i++) {
      expect(s.seen(i)).toBe(false);
      s.applied(i, 0);
    }
    expect(s.state()).toEqual({ floor: 5, above: [] });
    expect(s.seen(3)).toBe(true);
  });

  it("applies out-of-order batches once and acks only what is contiguous", () => {
    const s = new LinkSequence();
    s.applied(1, 0);
    s.applied(3, 0);
    s.applied(4, 0);
    expect(s.state()).toEqual({ floor: 1, above: [3, 4] });
    expect(s.seen(2)).toBe(false);
    expect(s.seen(4)).toBe(true);
    s.applied(2, 0);
    expect(s.state()).toEqual({ floor: 4, above: [] });
  });

  it("survives a restart through its state", () => {
    const s = new LinkSequence();
    for (const q of [1, 2, 5]) s.applied(q, 0);
    const r = new LinkSequence(s.state());
    expect(r.seen(5)).toBe(true);
    expect(r.seen(3)).toBe(false);
  });

  it("closes a gap the gateway can no longer fill, after the timeout only", () => {
    const s = new LinkSequence();
    s.applied(1, 0);
    s.applied(4, 1000);
    s.applied(5, 1100);
    expect(s.expireGap(5000, 10_000)).toBe(0);
    expect(s.expireGap(11_000, 10_000)).toBe(2);
    expect(s.state()).toEqual({ floor: 5, above: [] });
  });

  it("never applies a sequence twice, whatever the arrival order and repeats", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 200 }), (arrivals) => {
        const s = new LinkSequence();
        const applied: number[] = [];
        for (const q of arrivals) {
          if (!s.seen(q)) {
            applied.push(q);
            s.applied(q, 0);
          }
        }
        expect(new Set(applied).size).toBe(applied.length);
        expect(new Set(applied)).toEqual(new Set(arrivals));
        const st = s.state();
        for (let q = 1; q <= st.floor; q++) expect(arrivals).toContain(q);
        expect(arrivals.includes(st.floor + 1)).toBe(false);
      }),
    );
  });
});
