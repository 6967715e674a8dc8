import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { type CsvEvent, readCsvRows } from "../../src/replay/csv-rows.js";
import { CsvFormatError } from "../../src/replay/track-columns.js";

const HEAD = "time,id,lat,lon,alt_m,velocity,heading,vertrate,battery\n";

async function all(source: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>, o = {}): Promise<CsvEvent[]> {
  const out: CsvEvent[] = [];
  for await (const e of readCsvRows(Readable.from(source), o)) out.push(e);
  return out;
}

describe("readCsvRows", () => {
  it("reads our own column names and converts speed and track to velocity", async () => {
    const ev = await all([`${HEAD}100,d1,52.5,13.4,120,10,90,-1,55\n100.5,d2,52.5,13.41,121,0,0,0,\n`]);
    expect(ev.map((e) => e.kind)).toEqual(["header", "row", "row"]);
    const r = ev[1]!;
    if (r.kind !== "row") throw new Error("row expected");
    expect(r.line).toBe(2);
    expect(r.point).toMatchObject({ droneId: "d1", timeMs: 100_000, lat: 52.5, lon: 13.4, altM: 120, vu: -1, battery: 55 });
    expect(r.point.ve).toBeCloseTo(10, 9);
    expect(r.point.vn).toBeCloseTo(0, 9);
    expect(ev[2]!.kind === "row" && ev[2]!.point.battery).toBeUndefined();
  });

  it("handles quoted fields, CRLF, a BOM and chunks split anywhere", async () => {
    const text = `\uFEFFtime,"id",lat,lon,alt_m,velocity,heading,vertrate\r\n1,"a,b",52,13,100,1,0,0\r\n\r\n2,"say ""hi""",52,13,100,1,0,0\r\n`;
    const bytes = Buffer.from(text);
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    const rows = (await all(chunks)).filter((e) => e.kind === "row");
    expect(rows.map((e) => e.kind === "row" && e.point.droneId)).toEqual(["a,b", 'say "hi"']);
    expect(rows.map((e) => e.line)).toEqual([2, 4]);
    // The byte where each row ends: a range reader starts the next recording there.
    expect(rows[1]!.kind === "row" && rows[1]!.endByte).toBe(bytes.length);
  });

  it("counts unreadable rows with their line numbers and goes on", async () => {
    const ev = await all([`${HEAD}1,a,52,13,100,1,0,0\n2,b,,13,100,1,0,0\n3,c,52,13\n4,,52,13,100,1,0,0\nx,d,52,13,100,1,0,0\n5,e,52,13,100,1,0,0\n6,"f,52\n`]);
    const bad = ev.filter((e) => e.kind === "bad");
    expect(bad.map((e) => e.line)).toEqual([3, 4, 5, 6, 8]);
    expect(bad.map((e) => (e.kind === "bad" ? e.reason : ""))).toEqual([
      "lat missing or not a number",
      "altitude missing or not a number",
      "no drone id",
      "time missing or not a number",
      expect.stringMatching(/quote/i),
    ]);
    expect(ev.filter((e) => e.kind === "row").map((e) => e.line)).toEqual([2, 7]);
  });

  it("reads a range of a file given its header, first line and byte offset", async () => {
    const ev = await all(["3,c,52,13,100,1,0,0\n4,d,52,13,100,1,0,0\n"], { header: HEAD.trim().split(","), firstLine: 10, firstByte: 500 });
    expect(ev.map((e) => [e.kind, e.kind === "header" ? 0 : e.line, e.endByte])).toEqual([
      ["row", 10, 520],
      ["row", 11, 540],
    ]);
  });

  it("reads the OpenSky sample export as it comes", async () => {
    const { createReadStream } = await import("node:fs");
    const { OPENSKY_PATH } = await import("../fixtures/paths.js");
    const ev: CsvEvent[] = [];
    for await (const e of readCsvRows(createReadStream(OPENSKY_PATH))) ev.push(e);
    const h = ev[0]!;
    expect(h.kind === "header" && h.columns.names).toMatchObject({
      time: "time_s",
      id: "id",
      alt: "alt_m",
      speed: "speed_mps",
      track: "track_deg",
      vs: "vs_mps",
    });
    expect(ev.filter((e) => e.kind === "row")).toHaveLength(4494);
  });

  it("names the missing columns", async () => {
    await expect(all(["time,id,lat\n1,a,2\n"])).rejects.toThrow(CsvFormatError);
    await expect(all(["time,id,lat\n1,a,2\n"])).rejects.toThrow(/lon \(lon\)/);
    // Another column can name the tracks (OpenSky samples: `sample`).
    const ev = await all(["time,id,sample,lat,lon,alt_m,velocity,heading,vertrate\n1,a,s1,52,13,100,1,0,0\n"], { idColumn: "sample" });
    expect(ev[1]!.kind === "row" && ev[1]!.point.droneId).toBe("s1");
  });

  it("stops reading when the consumer stops", async () => {
    let pulled = 0;
    async function* endless() {
      yield HEAD;
      for (;;) {
        pulled++;
        yield "1,a,52,13,100,1,0,0\n".repeat(100);
      }
    }
    let rows = 0;
    for await (const e of readCsvRows(endless())) if (e.kind === "row" && ++rows === 10) break;
    const after = pulled;
    await new Promise((r) => setTimeout(r, 20));
    expect(pulled).toBe(after);
    expect(pulled).toBeLessThan(50);
  });

  it("holds no more parsed records ahead than its high-water mark (many recordings side by side)", async () => {
    const readAhead = async (highWater?: number) => {
      let pulled = 0;
      async function* endless() {
        yield HEAD;
        for (;;) {
          pulled++;
          yield "1,a,52,13,100,1,0,0\n".repeat(10);
        }
      }
      const rows = readCsvRows(endless(), { highWater });
      await rows.next();
      await new Promise((r) => setTimeout(r, 50));
      await rows.return(undefined);
      return pulled * 10;
    };
    // Stream buffers hold some 16 KiB of text either way; on top of it the parsed records, up to the mark.
    const small = await readAhead(8);
    const byDefault = await readAhead();
    expect(byDefault - small).toBeGreaterThanOrEqual(900);
    expect(small).toBeLessThan(1024);
  });
});
