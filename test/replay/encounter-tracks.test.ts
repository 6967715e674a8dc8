import { describe, expect, it } from "vitest";
import { regionOf } from "../../src/geo/regions.js";
import {
  BORDER_LON,
  type Encounter,
  layoutTracks,
  REPORT_TIMES_S,
  type ReceivedAlert,
  scoreTracks,
  type TrackPair,
} from "../../src/replay/encounter-tracks.js";
import { loadEncounters } from "../../scripts/bench/dense-tracks.js";

describe("layoutTracks", () => {
  const encounters: Encounter[] = loadEncounters();
  const layout = layoutTracks(encounters, BORDER_LON, 47, 0.0135, "t");

  it("flies every pair at 10 Hz from 3 s before its labelled instant to 5 s after, across a region border", () => {
    expect(REPORT_TIMES_S).toHaveLength(81);
    const frames = layout.frames(1_000_000);
    expect(frames).toHaveLength(81);
    expect(frames[1]![0]!.timeMs - frames[0]![0]!.timeMs).toBe(100);
    const first = frames[0]!;
    expect(first).toHaveLength(2 * encounters.length);
    // Most pairs start with their two drones in different regions (not those lined up along the border).
    let split = 0;
    for (let i = 0; i < first.length; i += 2) if (regionOf(first[i]!.lat, first[i]!.lon, 4) !== regionOf(first[i + 1]!.lat, first[i + 1]!.lon, 4)) split++;
    expect(split).toBeGreaterThan(encounters.length * 0.7);
  });

  it("labels conflicts, quiet pairs and the undecidable ones as the shared scoring tool does", () => {
    const n = (c: boolean | null) => layout.pairs.filter((p) => p.conflict === c).length;
    // tracks.js on the same data: 208 conflicts, 85 quiet, 7 wire-sensitive (a coarser perturbation here).
    expect(n(true)).toBeGreaterThan(200);
    expect(n(false)).toBeGreaterThan(80);
    expect(n(null)).toBeLessThan(15);
    expect(layout.pairs.find((p) => p.ids[0] === "t210a")!.conflict).toBe(true);
  });
});

describe("scoreTracks", () => {
  const pairs: TrackPair[] = [
    { ids: ["a", "b"], conflict: true, firstSeenS: 1 },
    { ids: ["c", "d"], conflict: true, firstSeenS: 6 },
    { ids: ["e", "f"], conflict: true, firstSeenS: 0 },
    { ids: ["g", "h"], conflict: false, firstSeenS: Number.NaN },
    { ids: ["i", "j"], conflict: null, firstSeenS: 2 },
  ];
  const alert = (droneId: string, otherId: string, recvMs: number, computedForMs: number, level: ReceivedAlert["level"] = "caution"): ReceivedAlert => ({
    droneId,
    otherId,
    level,
    recvMs,
    computedForMs,
  });

  it("counts both-sided, one-sided, missed and false, with the early span apart", () => {
    const s = scoreTracks(
      pairs,
      [
        alert("a", "b", 1200, 1100),
        alert("b", "a", 1300, 1100),
        alert("a", "b", 1100, 1050),
        alert("c", "d", 7200, 7000),
        alert("d", "c", 7000, 6950, "clear"),
        alert("g", "h", 500, 400),
        alert("i", "j", 100, 50),
      ],
      0,
    );
    expect(s).toMatchObject({ conflicts: 3, both: 1, oneSided: ["c/d"], missed: ["e/f"], quiet: 1, falseAlerts: ["g/h"], early: 2, earlyMissed: 1 });
    // The first alert of each side counts: a>b at 1100 (50 ms), b>a 200 ms; c>d after the early span.
    expect(s.earlyLatencyMs.sort((x, y) => x - y)).toEqual([50, 200]);
    expect(s.laterLatencyMs).toEqual([200]);
  });
});
