import { describe, expect, it } from "vitest";
import { splitSmaps } from "../../scripts/soak/memory-split.js";

const GiB = 2 ** 30;
/** One smaps entry: `start` and `size` in bytes, resident KiB, name ("" for anonymous). */
const entry = (start: number, size: number, rssKiB: number, name = "") =>
  `${start.toString(16)}-${(start + size).toString(16)} rw-p 00000000 00:00 0 ${name}\nSize: ${size / 1024} kB\nRss: ${rssKiB} kB\nPss: ${rssKiB} kB\n`;

describe("splitSmaps", () => {
  it("puts a whole reserved 4 GiB window in the V8 cage, 1 GiB reservations in native, the rest in other and files", () => {
    const cage = 0x1396_0000_0000;
    const smaps = [
      entry(0x55a6_0000_0000, 4096 * 8, 800, "/usr/bin/workerd"),
      // the cage: reserved whole, in pieces, partly resident
      entry(cage, 2 * GiB, 100 * 1024),
      entry(cage + 2 * GiB, 2 * GiB, 20 * 1024),
      // a second, smaller cage-sized window (another isolate): not the user isolate's
      entry(0x7f1d_0000_0000, 4 * GiB, 1024),
      // tcmalloc's 1 GiB regions, in two windows
      entry(0x731a_0000_0000, GiB, 200 * 1024),
      entry(0x614b_0000_0000, GiB, 3 * 1024),
      // thread stacks
      entry(0x7f20_0000_0000, 8 * 2 ** 20, 512),
    ].join("");
    const s = splitSmaps(smaps);
    expect(s.v8CageMiB).toBe(120);
    expect(s.nativeMiB).toBe(203);
    expect(s.otherMiB).toBe(1.5);
    expect(s.filesMiB).toBeCloseTo(800 / 1024);
    expect(s.rssMiB).toBeCloseTo(120 + 203 + 1.5 + 800 / 1024);
  });
});
