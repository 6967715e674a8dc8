import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { type Point, PointSchema } from "../../src/gen/airspace/v1/airspace_pb.js";
import type { TelemetryPoint } from "../../src/wire/point.js";
import type { RejectReason } from "../../src/ingest/outcome.js";
import { checkPoint, REJECT_REASONS, validatePoint, type ValidationContext } from "../../src/ingest/validate.js";

const NOW = 1_767_000_000_000;
const BASE = NOW - 1000;

const drone: ValidationContext = { ownDroneId: "d-7", maxSpeedMps: 50, maxLatDeg: 90, maxFutureMs: 2000, maxAgeMs: 30_000, nowMs: NOW };
const relay: ValidationContext = { ...drone, ownDroneId: null };

function wire(over: Partial<Omit<Point, "$typeName" | "$unknown">> = {}): Point {
  return create(PointSchema, {
    droneId: "d-7",
    tOffsetMs: 250,
    latE7: 473977419,
    lonE7: 85455939,
    altMm: 120_500,
    vnCms: 1234,
    veCms: -321,
    vdCms: 150,
    batteryPct: 87,
    seq: 42,
    ...over,
  });
}

function si(over: Partial<TelemetryPoint> = {}): TelemetryPoint {
  return { droneId: "d-7", timeMs: NOW, lat: 47.4, lon: 8.5, altM: 100, vn: 1, ve: 2, vu: 0.5, battery: 80, seq: 1, ...over };
}

function rejected(v: ReturnType<typeof validatePoint>): RejectReason | "accepted" {
  return v.status === "accepted" ? "accepted" : v.reason;
}

describe("validatePoint: conversion from the wire's fixed point", () => {
  it("converts every field to SI units and degrees, with vd (down) becoming vu (up)", () => {
    const v = validatePoint(wire(), BASE, drone);
    expect(v.status).toBe("accepted");
    if (v.status === "rejected") return;
    const p = v.point;
    expect(p.droneId).toBe("d-7");
    expect(p.timeMs).toBe(BASE + 250);
    expect(p.lat).toBeCloseTo(47.3977419, 12);
    expect(p.lon).toBeCloseTo(8.5455939, 12);
    expect(p.altM).toBeCloseTo(120.5, 12);
    expect(p.vn).toBeCloseTo(12.34, 12);
    expect(p.ve).toBeCloseTo(-3.21, 12);
    expect(p.vu).toBeCloseTo(-1.5, 12); // 150 cm/s downwards is descending
    expect(p.battery).toBe(87);
    expect(p.seq).toBe(42);
  });

  it("turns a climbing vd (negative) into a positive vu", () => {
    const v = validatePoint(wire({ vdCms: -275 }), BASE, drone);
    expect(v.status === "accepted" && v.point.vu).toBeCloseTo(2.75, 12);
  });

  it("handles negative coordinates, altitude below sea level and a negative time offset", () => {
    const v = validatePoint(wire({ latE7: -338688000, lonE7: -1512093000, altMm: -400_000, tOffsetMs: -500 }), BASE, drone);
    expect(v.status).toBe("accepted");
    if (v.status === "rejected") return;
    expect(v.point.lat).toBeCloseTo(-33.8688, 12);
    expect(v.point.lon).toBeCloseTo(-151.2093, 12);
    expect(v.point.altM).toBeCloseTo(-400, 12);
    expect(v.point.timeMs).toBe(BASE - 500);
  });

  it("maps absent battery and seq to -1", () => {
    const p = wire();
    p.batteryPct = undefined;
    p.seq = undefined;
    const v = validatePoint(p, BASE, drone);
    expect(v.status === "accepted" && [v.point.battery, v.point.seq]).toEqual([-1, -1]);
  });

  it("keeps battery 0 and seq 0 as present values", () => {
    const v = validatePoint(wire({ batteryPct: 0, seq: 0 }), BASE, drone);
    expect(v.status === "accepted" && [v.point.battery, v.point.seq]).toEqual([0, 0]);
  });
});

describe("validatePoint: drone ids", () => {
  it("fills an empty drone id on a drone token with the token's id", () => {
    const v = validatePoint(wire({ droneId: "" }), BASE, drone);
    expect(v.status === "accepted" && v.point.droneId).toBe("d-7");
  });

  it("rejects an empty drone id on a relay as drone_id", () => {
    const v = validatePoint(wire({ droneId: "" }), BASE, relay);
    expect(v).toMatchObject({ status: "rejected", reason: "drone_id", droneId: "" });
  });

  it("rejects another drone's id on a drone token as wrong_drone", () => {
    const v = validatePoint(wire({ droneId: "d-8" }), BASE, drone);
    expect(v).toMatchObject({ status: "rejected", reason: "wrong_drone", droneId: "d-8" });
    expect(v.status === "rejected" && v.message).toContain("d-7");
  });

  it("lets a relay send any drone id", () => {
    for (const id of ["d-8", "x", "Drohne-Zürich-1"]) {
      const v = validatePoint(wire({ droneId: id }), BASE, relay);
      expect(v.status === "accepted" && v.point.droneId).toBe(id);
    }
  });

  it("accepts ids of exactly 64 bytes and rejects 65, counting UTF-8 bytes not characters", () => {
    const ok = ["a".repeat(64), "é".repeat(32), "🚁".repeat(16), `${"a".repeat(61)}€`];
    for (const id of ok) expect(rejected(validatePoint(wire({ droneId: id }), BASE, relay)), id).toBe("accepted");
    // 33 × "é" is 33 characters but 66 bytes; 17 helicopters are 34 UTF-16 units and 68 bytes.
    const tooLong = ["a".repeat(65), "é".repeat(33), "🚁".repeat(17), `${"a".repeat(62)}€`];
    for (const id of tooLong) {
      const v = validatePoint(wire({ droneId: id }), BASE, relay);
      expect(rejected(v), id).toBe("drone_id");
      expect(v.status === "rejected" && v.droneId.length).toBeLessThanOrEqual(64);
    }
  });

  it("reports an overlong id as drone_id even on a drone token (not wrong_drone)", () => {
    expect(rejected(validatePoint(wire({ droneId: "z".repeat(100) }), BASE, drone))).toBe("drone_id");
  });
});

describe("validatePoint: ranges", () => {
  it("rejects points beyond the operating band, where the region cells are too narrow for the halo", () => {
    const band = { ...drone, maxLatDeg: 70 };
    expect(rejected(validatePoint(wire({ latE7: 700000000 }), BASE, band))).toBe("accepted");
    expect(rejected(validatePoint(wire({ latE7: -700000000 }), BASE, band))).toBe("accepted");
    expect(rejected(validatePoint(wire({ latE7: 700000001 }), BASE, band))).toBe("latitude");
    const v = validatePoint(wire({ latE7: -890000000 }), BASE, band);
    expect(v.status === "rejected" && v.message).toContain("MAX_OPERATING_LAT");
  });

  it("accepts the extreme valid coordinates", () => {
    for (const [latE7, lonE7] of [
      [900000000, 1800000000],
      [-900000000, -1800000000],
      [0, 0],
    ] as const)
      expect(rejected(validatePoint(wire({ latE7, lonE7 }), BASE, drone))).toBe("accepted");
  });

  it("rejects latitude beyond ±90 degrees", () => {
    expect(rejected(validatePoint(wire({ latE7: 900000001 }), BASE, drone))).toBe("latitude");
    expect(rejected(validatePoint(wire({ latE7: -900000001 }), BASE, drone))).toBe("latitude");
  });

  it("rejects longitude beyond ±180 degrees", () => {
    expect(rejected(validatePoint(wire({ lonE7: 1800000001 }), BASE, drone))).toBe("longitude");
    expect(rejected(validatePoint(wire({ lonE7: -1800000001 }), BASE, drone))).toBe("longitude");
  });

  it("accepts altitude within [-500, 20000] m and rejects outside", () => {
    expect(rejected(validatePoint(wire({ altMm: -500_000 }), BASE, drone))).toBe("accepted");
    expect(rejected(validatePoint(wire({ altMm: 20_000_000 }), BASE, drone))).toBe("accepted");
    expect(rejected(validatePoint(wire({ altMm: -500_001 }), BASE, drone))).toBe("altitude");
    expect(rejected(validatePoint(wire({ altMm: 20_000_001 }), BASE, drone))).toBe("altitude");
  });

  it("rejects horizontal speed over the maximum (combined north and east)", () => {
    // 40 north and 30 east = 50 m/s ground speed: at the limit.
    expect(rejected(validatePoint(wire({ vnCms: 4000, veCms: 3000 }), BASE, drone))).toBe("accepted");
    // 40 and 31: each component is under 50 but the ground speed is 50.6.
    expect(rejected(validatePoint(wire({ vnCms: 4000, veCms: 3100 }), BASE, drone))).toBe("speed");
    expect(rejected(validatePoint(wire({ vnCms: -5001, veCms: 0 }), BASE, drone))).toBe("speed");
  });

  it("rejects vertical speed over the maximum, climbing or descending", () => {
    expect(rejected(validatePoint(wire({ vdCms: 5000 }), BASE, drone))).toBe("accepted");
    expect(rejected(validatePoint(wire({ vdCms: 5001 }), BASE, drone))).toBe("speed");
    expect(rejected(validatePoint(wire({ vdCms: -5001 }), BASE, drone))).toBe("speed");
  });

  it("rejects a time more than maxFutureMs ahead of now, accepting exactly maxFutureMs", () => {
    const limit = NOW + drone.maxFutureMs - BASE;
    expect(rejected(validatePoint(wire({ tOffsetMs: limit }), BASE, drone))).toBe("accepted");
    expect(rejected(validatePoint(wire({ tOffsetMs: limit + 1 }), BASE, drone))).toBe("future");
  });

  it("rejects a time older than maxAgeMs, accepting exactly maxAgeMs", () => {
    const limit = NOW - drone.maxAgeMs - BASE;
    expect(rejected(validatePoint(wire({ tOffsetMs: limit }), BASE, drone))).toBe("accepted");
    expect(rejected(validatePoint(wire({ tOffsetMs: limit - 1 }), BASE, drone))).toBe("past");
  });

  it("rejects a battery over 100 and accepts 100", () => {
    expect(rejected(validatePoint(wire({ batteryPct: 100 }), BASE, drone))).toBe("accepted");
    expect(rejected(validatePoint(wire({ batteryPct: 101 }), BASE, drone))).toBe("battery");
  });

  it("names the point's drone id in every rejection", () => {
    const v = validatePoint(wire({ droneId: "", latE7: 950000000 }), BASE, drone);
    expect(v).toMatchObject({ status: "rejected", reason: "latitude", droneId: "d-7" });
  });
});

describe("checkPoint", () => {
  it("accepts a plausible point unchanged", () => {
    const p = si();
    expect(checkPoint(p, drone)).toEqual({ status: "accepted", point: p });
  });

  it("rejects NaN in each field with the field's reason", () => {
    const cases: [Partial<TelemetryPoint>, RejectReason][] = [
      [{ lat: NaN }, "latitude"],
      [{ lon: NaN }, "longitude"],
      [{ altM: NaN }, "altitude"],
      [{ vn: NaN }, "speed"],
      [{ ve: NaN }, "speed"],
      [{ vu: NaN }, "speed"],
      [{ timeMs: NaN }, "past"],
      [{ battery: NaN }, "battery"],
    ];
    for (const [over, reason] of cases) expect(rejected(checkPoint(si(over), drone)), JSON.stringify(Object.keys(over))).toBe(reason);
  });

  it("rejects infinities", () => {
    expect(rejected(checkPoint(si({ lat: Infinity }), drone))).toBe("latitude");
    expect(rejected(checkPoint(si({ lon: -Infinity }), drone))).toBe("longitude");
    expect(rejected(checkPoint(si({ altM: Infinity }), drone))).toBe("altitude");
    expect(rejected(checkPoint(si({ vn: Infinity }), drone))).toBe("speed");
    expect(rejected(checkPoint(si({ timeMs: Infinity }), drone))).toBe("past");
    expect(rejected(checkPoint(si({ timeMs: -Infinity }), drone))).toBe("past");
  });

  it("treats battery -1 as unknown and other negative values as invalid", () => {
    expect(rejected(checkPoint(si({ battery: -1 }), drone))).toBe("accepted");
    expect(rejected(checkPoint(si({ battery: -0.5 }), drone))).toBe("battery");
    expect(rejected(checkPoint(si({ battery: -2 }), drone))).toBe("battery");
  });

  it("uses only reasons listed in REJECT_REASONS", () => {
    const seen = new Set<string>();
    const overs: Partial<TelemetryPoint>[] = [{ lat: 91 }, { lon: 181 }, { altM: -501 }, { vn: 51 }, { timeMs: NOW + 5000 }, { timeMs: 0 }, { battery: 101 }];
    for (const o of overs) {
      const v = checkPoint(si(o), drone);
      if (v.status === "rejected") seen.add(v.reason);
    }
    seen.add(rejected(validatePoint(wire({ droneId: "" }), BASE, relay)));
    seen.add(rejected(validatePoint(wire({ droneId: "x" }), BASE, drone)));
    expect([...seen].sort()).toEqual([...REJECT_REASONS].sort());
  });
});
