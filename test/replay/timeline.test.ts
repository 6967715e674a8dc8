import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { idleGaps, Timeline } from "../../src/replay/timeline.js";

const recA = { startS: 1000, endS: 1100, gaps: [[1010, 1060]] as [number, number][] };
const recB = { startS: 500_000, endS: 500_020, gaps: [] as [number, number][] };

describe("Timeline", () => {
  it("starts every recording at 0 and shortens idle gaps to 1 s", () => {
    const t = new Timeline([recA, recB], { align: "recordings", keepGaps: false });
    expect(t.offsetS(0, 1000)).toBe(0);
    expect(t.offsetS(0, 1010)).toBe(10);
    expect(t.offsetS(0, 1060)).toBe(11);
    expect(t.offsetS(0, 1100)).toBe(51);
    expect(t.offsetS(1, 500_000)).toBe(0);
    expect(t.offsetS(1, 500_020)).toBe(20);
    expect(t.durationS).toBe(51);
  });

  it("keeps gaps with keepGaps, and pulls a report inside a gap (out of order) to its start", () => {
    const kept = new Timeline([recA], { align: "recordings", keepGaps: true });
    expect(kept.offsetS(0, 1060)).toBe(60);
    const cut = new Timeline([recA], { align: "recordings", keepGaps: false });
    expect(cut.offsetS(0, 1030)).toBe(10);
    expect(cut.offsetS(0, 900)).toBe(0);
  });

  it("on the file's timeline skips only the time when no recording reports", () => {
    const b = { startS: 1020, endS: 1030, gaps: [] as [number, number][] };
    // A is silent over [1010, 1060], B reports over [1020, 1030]: idle before and after B.
    expect(idleGaps([recA, b], 5)).toEqual([
      [1010, 1020],
      [1030, 1060],
    ]);
    expect(idleGaps([recA, b], 15)).toEqual([[1030, 1060]]);
    const t = new Timeline([recA, b], { align: "file", keepGaps: false });
    expect(t.offsetS(1, 1020)).toBe(11);
    expect(t.offsetS(1, 1030)).toBe(21);
    expect(t.offsetS(0, 1060)).toBe(22);
    // Days apart: the week between them shrinks to a second.
    const days = new Timeline([recA, recB], { align: "file", keepGaps: false });
    expect(days.offsetS(1, 500_000)).toBe(52);
  });

  it("never goes backwards in time within a recording", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 2, maxLength: 60 }), fc.boolean(), (times, keepGaps) => {
        const sorted = [...times].sort((x, y) => x - y);
        const gaps: [number, number][] = [];
        for (let i = 1; i < sorted.length; i++) if (sorted[i]! - sorted[i - 1]! > 5) gaps.push([sorted[i - 1]!, sorted[i]!]);
        const t = new Timeline([{ startS: sorted[0]!, endS: sorted.at(-1)!, gaps }], { align: "recordings", keepGaps });
        const offs = sorted.map((x) => t.offsetS(0, x));
        for (let i = 1; i < offs.length; i++) {
          expect(offs[i]!).toBeGreaterThanOrEqual(offs[i - 1]!);
          // No step is longer than it was recorded, and no skipped gap shorter than 1 s.
          expect(offs[i]! - offs[i - 1]!).toBeLessThanOrEqual(sorted[i]! - sorted[i - 1]! + 1e-9);
          if (sorted[i]! > sorted[i - 1]!) expect(offs[i]! - offs[i - 1]!).toBeGreaterThanOrEqual(Math.min(1, sorted[i]! - sorted[i - 1]!) - 1e-9);
        }
      }),
    );
  });
});
