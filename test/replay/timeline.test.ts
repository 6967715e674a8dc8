import { Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCsvRows } from "../../src/replay/csv-rows.js";
import { RecordingScanner, replayedId } from "../../src/replay/recording-scan.js";
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

  // Issue 13: `--align recordings` is the default, and it only changes anything when the file holds
  // several recordings (several days); one recording keeps its own relative timing.
  it("with one recording, the default alignment is the file's own timeline (a continuous multi-day one too)", async () => {
    // Three days of reports, never an hour apart (one recording), with idle gaps of 40 and 50 minutes.
    const times = Array.from({ length: 3 * 24 * 2 }, (_, i) => 1_700_000_000 + i * 1800 + (i % 2 === 0 ? 0 : 600));
    const text = `time,id,lat,lon,alt_m,velocity,heading,vertrate\n${times.map((t, i) => `${t},d${i % 3},52,13,100,1,0,0\n`).join("")}`;
    const scanner = new RecordingScanner();
    for await (const e of readCsvRows(Readable.from([text]))) scanner.add(e);
    const scan = scanner.result();
    expect(scan.recordings).toHaveLength(1);
    const byDefault = new Timeline(scan.recordings, { align: "recordings", keepGaps: false });
    const file = new Timeline(scan.recordings, { align: "file", keepGaps: false });
    expect(times.map((t) => byDefault.offsetS(0, t))).toEqual(times.map((t) => file.offsetS(0, t)));
    const kept = new Timeline(scan.recordings, { align: "recordings", keepGaps: true });
    expect(times.map((t) => kept.offsetS(0, t))).toEqual(times.map((t) => t - times[0]!));
    for (const id of ["d0", "d1", "d2"]) expect(replayedId(id, 0, scan.firstRecordingOf, true)).toBe(id);
    // The same rows as two recordings a week apart: the default now starts both at 0, side by side.
    const later = times.map((t) => t + 7 * 86_400);
    const two = new RecordingScanner();
    const text2 = `${text}${later.map((t, i) => `${t},d${i % 3},52,13,100,1,0,0\n`).join("")}`;
    for await (const e of readCsvRows(Readable.from([text2]))) two.add(e);
    const scan2 = two.result();
    expect(scan2.recordings).toHaveLength(2);
    const aligned = new Timeline(scan2.recordings, { align: "recordings", keepGaps: false });
    expect(aligned.offsetS(1, later[0]!)).toBe(0);
    expect(new Timeline(scan2.recordings, { align: "file", keepGaps: false }).offsetS(1, later[0]!)).toBeGreaterThan(0);
    expect(replayedId("d0", 1, scan2.firstRecordingOf, true)).toBe("d0~2");
  });

  it("gives any single recording the same offsets under either alignment", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50_000 }), { minLength: 1, maxLength: 60 }), fc.boolean(), (times, keepGaps) => {
        const sorted = [...times].sort((x, y) => x - y);
        const gaps: [number, number][] = [];
        for (let i = 1; i < sorted.length; i++) if (sorted[i]! - sorted[i - 1]! > 5) gaps.push([sorted[i - 1]!, sorted[i]!]);
        const rec = [{ startS: sorted[0]!, endS: sorted.at(-1)!, gaps }];
        const a = new Timeline(rec, { align: "recordings", keepGaps });
        const b = new Timeline(rec, { align: "file", keepGaps });
        expect(a.durationS).toBe(b.durationS);
        for (const t of times) expect(a.offsetS(0, t)).toBe(b.offsetS(0, t));
      }),
    );
  });
});
