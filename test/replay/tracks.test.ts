import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CsvFormatError, groupByTime, parseTracksCsv, replayStamp } from "../../src/replay/tracks.js";
import { OPENSKY_PATH } from "../fixtures/paths.js";

describe("replay CSV", () => {
  it("reads our own column names and converts speed/track to velocity", () => {
    const t = parseTracksCsv("time,id,lat,lon,alt_m,velocity,heading,vertrate,battery\n100,d1,52.5,13.4,120,10,90,-1,55\n100.5,d2,52.5,13.41,121,0,0,0,\n");
    expect(t.rows).toHaveLength(2);
    const p = t.rows[0]!.point;
    expect(p).toMatchObject({ droneId: "d1", timeMs: 100_000, lat: 52.5, lon: 13.4, altM: 120, vu: -1, battery: 55 });
    expect(p.ve).toBeCloseTo(10, 9);
    expect(p.vn).toBeCloseTo(0, 9);
    expect(t.rows[1]!.point.battery).toBeUndefined();
  });

  it("reads the OpenSky sample export as it comes", () => {
    const t = parseTracksCsv(readFileSync(OPENSKY_PATH, "utf8"));
    expect(t.columns).toMatchObject({ time: "time_s", id: "id", alt: "alt_m", speed: "speed_mps", track: "track_deg", vs: "vs_mps" });
    expect(t.rows.length + t.skipped).toBe(4494);
    expect(t.rows.length).toBeGreaterThan(4400);
    for (let i = 1; i < t.rows.length; i++) expect(t.rows[i]!.timeS).toBeGreaterThanOrEqual(t.rows[i - 1]!.timeS);
    // The samples key: two samples share one aircraft id.
    const bySample = parseTracksCsv(readFileSync(OPENSKY_PATH, "utf8"), "sample");
    expect(new Set(bySample.rows.map((r) => r.point.droneId)).size).toBeGreaterThan(new Set(t.rows.map((r) => r.point.droneId)).size);
  });

  it("names the missing columns", () => {
    expect(() => parseTracksCsv("time,id,lat\n1,a,2\n")).toThrow(CsvFormatError);
    expect(() => parseTracksCsv("time,id,lat\n1,a,2\n")).toThrow(/lon \(lon\)/);
  });

  it("skips unusable rows and says why", () => {
    const t = parseTracksCsv("time,id,lat,lon,alt_m,velocity,heading,vertrate\n1,a,52,13,100,1,0,0\n2,b,,13,100,1,0,0\n");
    expect(t.rows).toHaveLength(1);
    expect(t.skipped).toBe(1);
    expect(t.skipReasons[0]).toMatch(/line 3/);
  });

  it("groups rows by time and stamps groups at N times real time from a start", () => {
    const t = parseTracksCsv("time,id,lat,lon,alt_m,velocity,heading,vertrate\n10,a,52,13,100,1,0,0\n10,b,52,13,100,1,0,0\n11.5,a,52,13,100,1,0,0\n");
    const groups = groupByTime(t.rows);
    expect(groups.map((g) => g.rows.length)).toEqual([2, 1]);
    expect(groups.map((g) => replayStamp(g.timeS, 10, 5_000_000, 1, 0))).toEqual([5_000_000, 5_001_500]);
    expect(groups.map((g) => replayStamp(g.timeS, 10, 5_000_000, 3, 0))).toEqual([5_000_000, 5_000_500]);
    expect(replayStamp(11.5, 10, 5_000_000, Infinity, 7_000_000)).toBe(7_000_000);
  });
});
