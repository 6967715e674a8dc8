import { describe, expect, it } from "vitest";
import { caseDraw } from "../../src/fuzz/draw.js";
import { mutate, truncate } from "../../src/fuzz/mutations.js";

const frame = Uint8Array.from({ length: 40 }, (_, i) => i);

describe("mutations", () => {
  it("truncates to a strict prefix", () => {
    for (let i = 0; i < 200; i++) {
      const t = truncate(caseDraw(1, i), frame).bytes;
      expect(t.length).toBeLessThan(frame.length);
      expect(Array.from(t)).toEqual(Array.from(frame.subarray(0, t.length)));
    }
    expect(truncate(caseDraw(1, 0), new Uint8Array(0)).bytes.length).toBe(0);
  });

  it("changes the frame (nearly always), names what it did, leaves its input alone, repeats itself for a draw", () => {
    const before = frame.slice();
    const names = new Set<string>();
    let changed = 0;
    for (let i = 0; i < 300; i++) {
      const m = mutate(caseDraw(2, i), frame);
      expect(mutate(caseDraw(2, i), frame)).toEqual(m);
      for (const n of m.detail.split("+")) names.add(n);
      if (m.bytes.length !== frame.length || m.bytes.some((b, j) => b !== frame[j])) changed++;
    }
    // A byte set to the value it had is the one way to change nothing.
    expect(changed).toBeGreaterThan(290);
    expect(frame).toEqual(before);
    expect([...names].sort()).toEqual(["bitflip", "delete", "duplicate", "insert", "interesting", "varintBomb"]);
  });
});
