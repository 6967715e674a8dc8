import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { velocityFromTrack } from "../../src/geo/enu.js";
import { emptyPrediction, predict, predictRelative, type KinematicState } from "../../src/detect/conflicts.js";
import type { Encounter as LabelledEncounter, EncounterState } from "../../src/replay/encounter-tracks.js";
import { ENCOUNTERS_PATH } from "../fixtures/paths.js";

/** A labelled record of the public encounters: the layout's fields and the reference's answers. */
interface Encounter extends LabelledEncounter {
  conflict: boolean;
  t_entry_s: number | null;
  t_cpa_s: number;
  hsep_cpa_m: number;
  vsep_cpa_m: number;
  label_robust: boolean;
}

const encounters: Encounter[] = readFileSync(ENCOUNTERS_PATH, "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as Encounter);

function state(s: EncounterState, timeMs = 1_700_000_000_000): KinematicState {
  const { vn, ve } = velocityFromTrack(s.speed_mps, s.track_deg);
  return { timeMs, lat: s.lat, lon: s.lon, altM: s.alt_m, vn, ve, vu: s.vs_mps };
}

describe("conflict contract against the reference's encounters", () => {
  it("reads the whole public file", () => {
    expect(encounters.length).toBe(300);
    expect(encounters.filter((e) => e.label_robust).length).toBeGreaterThan(250);
  });

  const robust = encounters.filter((e) => e.label_robust);
  it.each(robust.map((e) => [e.id, e] as const))("encounter %i agrees", (_id, e) => {
    const params = { radiusM: e.R, heightM: e.H, lookaheadS: e.T, warningTimeS: 2 };
    const got = predict(state(e.own), state(e.intr), params);
    expect(got.conflict).toBe(e.conflict);
    // The horizontal closest approach is a smooth function: it must match the reference closely.
    expect(got.tCpaS).toBeCloseTo(e.t_cpa_s, 3);
    expect(got.hsepCpaM).toBeCloseTo(e.hsep_cpa_m, 2);
    expect(got.vsepCpaM).toBeCloseTo(e.vsep_cpa_m, 2);
    if (e.conflict) {
      expect(got.tEntryS).toBeCloseTo(e.t_entry_s!, 2);
      expect(got.level).toBe(e.t_entry_s! <= 2 ? "warning" : "caution");
    } else {
      expect(got.level).toBeNull();
      expect(got.tEntryS).toBeNaN();
    }
  });

  it("is symmetric in who is `a` for every robust record", () => {
    const params = { radiusM: 15, heightM: 5, lookaheadS: 5, warningTimeS: 2 };
    for (const e of robust) {
      const ab = predict(state(e.own), state(e.intr), params);
      const ba = predict(state(e.intr), state(e.own), params);
      expect(ba.conflict, `encounter ${e.id}`).toBe(ab.conflict);
    }
  });
});

describe("conflict contract edges", () => {
  const params = { radiusM: 15, heightM: 5, lookaheadS: 5, warningTimeS: 2 };
  const out = emptyPrediction();

  it("treats exact horizontal tangency as no conflict (open cylinder)", () => {
    // b passes exactly 15 m east of a, heading north, level.
    expect(predictRelative(15, -50, 0, 0, 20, 0, 0, params, out).conflict).toBe(false);
    expect(predictRelative(14.999, -50, 0, 0, 20, 0, 0, params, out).conflict).toBe(true);
  });

  it("treats exact vertical tangency as no conflict", () => {
    expect(predictRelative(0, 0, 5, 0, 0, 0, 0, params, out).conflict).toBe(false);
    expect(predictRelative(0, 0, 4.999, 0, 0, 0, 0, params, out).conflict).toBe(true);
  });

  it("reports entry 0 and warning when already inside", () => {
    const r = predictRelative(3, 4, 1, 1, 0, 0, 0, params, out);
    expect(r.conflict).toBe(true);
    expect(r.tEntryS).toBe(0);
    expect(r.level).toBe("warning");
  });

  it("ignores a conflict that would begin exactly at T or later", () => {
    // Closing at 10 m/s from 65 m: entry at exactly 5 s.
    expect(predictRelative(0, 65, 0, 0, -10, 0, 0, params, out).conflict).toBe(false);
    const r = predictRelative(0, 64, 0, 0, -10, 0, 0, params, out);
    expect(r.conflict).toBe(true);
    expect(r.tEntryS).toBeCloseTo(4.9, 9);
    expect(r.level).toBe("caution");
  });

  it("ignores a conflict that ended in the past", () => {
    expect(predictRelative(0, 20, 0, 0, 10, 0, 0, params, out).conflict).toBe(false);
  });

  it("needs horizontal and vertical overlap at the same time", () => {
    // Horizontally inside during (0.5 s, 3.5 s); vertically inside only after 4 s.
    const r = predictRelative(0, 20, 45, 0, -10, -10, 0, params, out);
    expect(r.conflict).toBe(false);
    const r2 = predictRelative(0, 20, 30, 0, -10, -10, 0, params, out);
    expect(r2.conflict).toBe(true);
    expect(r2.tEntryS).toBeCloseTo(2.5, 9);
  });

  it("propagates the older state to the newer measurement time", () => {
    const a: KinematicState = { timeMs: 1000, lat: 52.5, lon: 13.4, altM: 100, vn: 10, ve: 0, vu: 0 };
    // b reported 1 s later, exactly where a now is (a moved 10 m north).
    const { lat } = { lat: 52.5 + 10 / 111_120 };
    const b: KinematicState = { timeMs: 2000, lat, lon: 13.4, altM: 100, vn: 0, ve: 0, vu: 0 };
    const r = predict(a, b, params);
    expect(r.computedForMs).toBe(2000);
    expect(r.hsepNowM).toBeLessThan(0.1);
  });
});
