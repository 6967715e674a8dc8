import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { enuOffset, velocityFromTrack } from "../../src/geo/enu.js";
import { chooseAdvisories, isComplementary, simulateFollow, type PairGeometry } from "../../src/detect/advisories.js";
import type { Encounter as LabelledEncounter } from "../../src/replay/encounter-tracks.js";
import { ENCOUNTERS_PATH } from "../fixtures/paths.js";

interface Encounter extends LabelledEncounter {
  conflict: boolean;
}

const encounters: Encounter[] = readFileSync(ENCOUNTERS_PATH, "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as Encounter);
const conflicting = encounters.filter((e) => e.conflict);
const params = { radiusM: 15, heightM: 5, lookaheadS: 5 };

function geometry(e: Encounter): PairGeometry {
  const [relE, relN] = enuOffset(e.own.lat, e.own.lon, e.intr.lat, e.intr.lon);
  const a = velocityFromTrack(e.own.speed_mps, e.own.track_deg);
  const b = velocityFromTrack(e.intr.speed_mps, e.intr.track_deg);
  return { relE, relN, relU: e.intr.alt_m - e.own.alt_m, aVe: a.ve, aVn: a.vn, aVu: e.own.vs_mps, bVe: b.ve, bVn: b.vn, bVu: e.intr.vs_mps };
}

describe("coordinated advisories over the public encounters", () => {
  it("has conflicting records to check", () => expect(conflicting.length).toBeGreaterThan(100));

  it.each(conflicting.map((e) => [e.id, e] as const))("encounter %i: complementary, and following them increases separation", (_id, e) => {
    const g = geometry(e);
    const [ma, mb] = chooseAdvisories(`o${e.id}a`, `o${e.id}b`, g, params);
    expect(isComplementary(ma, mb)).toBe(true);
    // Same couple whichever drone the prediction is centred on (both home regions agree).
    const swapped: PairGeometry = { relE: -g.relE, relN: -g.relN, relU: -g.relU, aVe: g.bVe, aVn: g.bVn, aVu: g.bVu, bVe: g.aVe, bVn: g.aVn, bVu: g.aVu };
    expect(chooseAdvisories(`o${e.id}b`, `o${e.id}a`, swapped, params)).toEqual([mb, ma]);
    const before = simulateFollow(g, null, null, params);
    const after = simulateFollow(g, ma, mb, params);
    if (before.tMinS > 0) {
      // The closest approach is ahead: following the advisories must open it.
      expect(after.minSep).toBeGreaterThan(before.minSep);
    } else {
      // Closest approach is now (already inside, diverging): nothing can change it; it must not get
      // worse and the pair must end further apart.
      expect(after.minSep).toBeGreaterThanOrEqual(before.minSep - 1e-12);
      expect(after.endSep).toBeGreaterThan(before.endSep);
    }
  });

  it("sends the higher drone up and the lower down when a vertical couple is chosen", () => {
    for (const e of conflicting) {
      const g = geometry(e);
      const [ma] = chooseAdvisories("a", "b", g, params);
      if (ma !== "climb" && ma !== "descend") continue;
      const pref = simulateFollow(g, g.relU > 0 ? "descend" : "climb", g.relU > 0 ? "climb" : "descend", params);
      // Either the conventional sense, or the reversed one because it simulated strictly better.
      if ((ma === "climb") !== g.relU <= 0)
        expect(simulateFollow(g, ma, ma === "climb" ? "descend" : "climb", params).minSep).toBeGreaterThanOrEqual(pref.minSep);
    }
  });

  it("turns both right when head-on in the same level band", () => {
    // b 60 m north of a, same altitude, flying at each other at 10 m/s.
    const g: PairGeometry = { relE: 0, relN: 60, relU: 0, aVe: 0, aVn: 10, aVu: 0, bVe: 0, bVn: -10, bVu: 0 };
    expect(chooseAdvisories("x", "y", g, params)).toEqual(["turn_right", "turn_right"]);
    expect(simulateFollow(g, "turn_right", "turn_right", params).minSep).toBeGreaterThan(simulateFollow(g, null, null, params).minSep);
  });

  it("breaks an exact altitude tie by drone id", () => {
    // Crossing at right angles at the same altitude, not head-on.
    const g: PairGeometry = { relE: 40, relN: 40, relU: 0, aVe: 0, aVn: 10, aVu: 0, bVe: -10, bVn: 0, bVu: 0 };
    const ab = chooseAdvisories("a", "b", g, params);
    expect(isComplementary(ab[0], ab[1])).toBe(true);
    if (ab[0] === "climb" || ab[0] === "descend") expect(ab[0]).toBe("climb"); // smaller id climbs
  });
});
