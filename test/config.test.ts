import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULTS, describeOptions, describeTextOptions, loadOptions } from "../src/config.js";

describe("options", () => {
  it("defaults follow the product's contract", () => {
    const o = loadOptions({});
    expect(o).toMatchObject({ conflictRadiusM: 15, conflictHeightM: 5, lookaheadS: 5, batchWindowMs: 50, batchMaxPoints: 256, droneRate: 20, droneBurst: 40 });
    expect(o.haloM).toBe(15 + 100 * (2 * 5 + 3));
  });

  it("reads wrangler [vars] strings and numbers", () => {
    const o = loadOptions({ CONFLICT_RADIUS_M: "20", LOOKAHEAD_S: 8, BATCH_WINDOW_MS: " 25 " });
    expect(o.conflictRadiusM).toBe(20);
    expect(o.lookaheadS).toBe(8);
    expect(o.batchWindowMs).toBe(25);
    // The halo default follows R and T.
    expect(o.haloM).toBe(20 + 100 * (2 * 8 + 3));
  });

  it("still reads a renamed variable under its former name, the new name winning", () => {
    expect(loadOptions({ REPLAY_MAX_MS: "9000" }).resendMaxMs).toBe(9000);
    expect(loadOptions({ REPLAY_MAX_MS: "9000", RESEND_MAX_MS: "7000" }).resendMaxMs).toBe(7000);
  });

  it("checks the halo against the region cells at the operating latitude, where points are still accepted", () => {
    expect(loadOptions({}).maxOperatingLat).toBe(70);
    expect(() => loadOptions({ MAX_OPERATING_LAT: "85" })).not.toThrow(); // cells 3.4 km wide, halo 1,315 m
    expect(() => loadOptions({ MAX_OPERATING_LAT: "88" })).toThrow(/MAX_OPERATING_LAT 88/); // 1.4 km wide
  });

  it("names the variable in every rejection", () => {
    expect(() => loadOptions({ CONFLICT_RADIUS_M: "abc" })).toThrow(/CONFLICT_RADIUS_M must be a number/);
    expect(() => loadOptions({ BATCH_MAX_POINTS: "0" })).toThrow(/BATCH_MAX_POINTS must be between/);
    expect(() => loadOptions({ BATCH_WINDOW_MS: "2.5" })).toThrow(/BATCH_WINDOW_MS must be an integer/);
    expect(() => loadOptions({ HALO_M: "100" })).toThrow(ConfigError);
    expect(() => loadOptions({ WARNING_TIME_S: "6" })).toThrow(/WARNING_TIME_S/);
    // A hovering drone is refreshed once per DEDUPE_REFRESH_MS: that must come well within the stale limit.
    expect(() => loadOptions({ DEDUPE_REFRESH_MS: "1500" })).toThrow(/DEDUPE_REFRESH_MS \+ BATCH_WINDOW_MS \(1550 ms\)/);
    expect(() => loadOptions({ STALE_AFTER_MS: "2000", MAX_FUTURE_MS: "900" })).toThrow(/stale limit .* \(2000 ms\)/);
    // A point stamped further ahead than half the stale limit could pair with nobody (issue 11).
    expect(() => loadOptions({ STALE_AFTER_MS: "2000" })).toThrow(/MAX_FUTURE_MS \(1000\) must stay under half the stale limit \(2000 ms\)/);
    expect(() => loadOptions({ MAX_FUTURE_MS: "1500" })).toThrow(/MAX_FUTURE_MS/);
    expect(loadOptions({ MAX_FUTURE_MS: "1499" }).maxFutureMs).toBe(1499);
    expect(loadOptions({ DEDUPE_REFRESH_MS: "1400" }).dedupeRefreshMs).toBe(1400);
    // Precision 6 cells (~1.2 × 0.6 km) cannot hold the default 1,315 m halo.
    expect(() => loadOptions({ REGION_PRECISION: "6" })).toThrow(/HALO_M .* REGION_PRECISION 6/);
    expect(() => loadOptions({ REGION_PRECISION: "5" })).toThrow(ConfigError);
    expect(loadOptions({ REGION_PRECISION: "5", MAX_SPEED_MPS: "30" }).haloM).toBe(15 + 30 * (2 * 5 + 3));
  });

  it("refuses fault injection (CHAOS=1) anywhere but a local edge", () => {
    expect(loadOptions({}).chaos).toBe(0);
    // Unset AIRSPACE_ENV is deployed (a bare `wrangler deploy`): only a run that says local may inject faults.
    expect(() => loadOptions({ CHAOS: "1" })).toThrow(/refused in AIRSPACE_ENV \(unset: deployed\)/);
    expect(() => loadOptions({ CHAOS: "1", AIRSPACE_ENV: "" })).toThrow(ConfigError);
    expect(loadOptions({ CHAOS: "1", AIRSPACE_ENV: "local" }).chaos).toBe(1);
    expect(() => loadOptions({ CHAOS: "1", AIRSPACE_ENV: "production" })).toThrow(/CHAOS=1 .* refused in AIRSPACE_ENV production/);
    expect(() => loadOptions({ CHAOS: "1", AIRSPACE_ENV: "staging" })).toThrow(ConfigError);
    expect(loadOptions({ CHAOS: "0", AIRSPACE_ENV: "production" }).chaos).toBe(0);
    expect(() => loadOptions({ CHAOS: "2" })).toThrow(/CHAOS must be between 0 and 1/);
  });

  it("README's configuration table lists every option with its default", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    for (const { env, key } of describeOptions()) {
      const row = readme.split("\n").find((l) => l.startsWith(`| \`${env}\``));
      expect(row, `README row for ${env}`).toBeDefined();
      expect(row).toContain(`| ${DEFAULTS[key]} |`);
    }
    for (const { env, default: shown } of describeTextOptions()) {
      const row = readme.split("\n").find((l) => l.startsWith(`| \`${env}\``));
      expect(row, `README row for ${env}`).toBeDefined();
      expect(row).toContain(`| ${shown} |`);
    }
  });
});
