import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readCsvRows } from "../../src/replay/csv-rows.js";
import { RecordingScanner, replayedId } from "../../src/replay/recording-scan.js";
import { OPENSKY_PATH } from "../fixtures/paths.js";

const HEAD = "time,id,lat,lon,alt_m,velocity,heading,vertrate\n";
const row = (t: number, id: string) => `${t},${id},52,13,100,1,0,0\n`;

async function scan(source: Readable) {
  const s = new RecordingScanner();
  for await (const e of readCsvRows(source)) s.add(e);
  return s.result();
}

describe("RecordingScanner", () => {
  it("splits recordings where the time jumps by more than an hour, either way, and finds idle gaps", async () => {
    const text = HEAD + row(100, "a") + row(101, "b") + row(110, "a") + row(90_000, "a") + row(90_001, "c") + row(50, "d") + row(49, "d");
    const r = await scan(Readable.from([text]));
    expect(r.rows).toBe(7);
    expect(r.recordings.map((x) => [x.startS, x.endS, x.rows, x.firstLine])).toEqual([
      [100, 110, 3, 2],
      [90_000, 90_001, 2, 5],
      [49, 50, 2, 7],
    ]);
    expect(r.recordings[0]!.gaps).toEqual([[101, 110]]);
    expect(r.outOfOrder).toBe(1);
    // "a" flies in two recordings: counted in each (they may fly side by side).
    expect(r.drones).toBe(5);
    expect(r.sharedIds).toBe(1);
    // Byte ranges tile the data rows: each recording starts where the previous one ended.
    const bytes = Buffer.byteLength(text);
    expect(r.recordings[0]!.startByte).toBe(HEAD.length);
    expect(r.recordings[1]!.startByte).toBe(r.recordings[0]!.endByte);
    expect(r.recordings[2]!.endByte).toBe(bytes);
  });

  it("counts unreadable rows and keeps their line numbers", async () => {
    const r = await scan(Readable.from([`${HEAD}${row(1, "a")}2,b,,13,100,1,0,0\n${row(3, "a")}`]));
    expect(r).toMatchObject({ rows: 2, bad: 1, badLines: [{ line: 3, reason: "lat missing or not a number" }] });
    expect(r.recordings).toHaveLength(1);
  });

  it("finds the four recordings of the OpenSky samples, one aircraft in two of them", async () => {
    const r = await scan(createReadStream(OPENSKY_PATH));
    expect(r.rows).toBe(4494);
    expect(r.recordings.map((x) => x.rows)).toEqual([339, 1080, 378, 2697]);
    expect(r.sharedIds).toBe(1);
    expect(r.drones).toBe(4);
    expect(r.recordings[3]!.gaps.length).toBeGreaterThan(100);
  });
});

describe("replayedId", () => {
  const first = new Map([
    ["a", 0],
    ["b", 1],
  ]);
  it("keeps an id in its first recording and renames it in later ones when aligned", () => {
    expect(replayedId("a", 0, first, true)).toBe("a");
    expect(replayedId("a", 2, first, true)).toBe("a~3");
    expect(replayedId("a", 2, first, false)).toBe("a");
    expect(replayedId("b", 1, first, true)).toBe("b");
  });
});
