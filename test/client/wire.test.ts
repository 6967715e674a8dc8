import { create, toBinary } from "@bufbuild/protobuf";
import { decompress } from "fzstd";
import { describe, expect, it } from "vitest";
import { decodeServerFrame, decodeTelemetryFrame, encodePingFrame, encodeTelemetryFrame, type ClientPoint } from "../../src/client/wire.js";
import { isZstd, loadZstdEncoder } from "../../src/client/zstd.js";
import { AlertLevel, ClientFrameSchema, ErrorCode, Manoeuvre, ServerFrameSchema } from "../../src/gen/airspace/v1/airspace_pb.js";
import { fromBinary } from "@bufbuild/protobuf";
import { FleetSim } from "../../src/sim/fleet.js";

const T0 = 1_767_000_000_000;

function point(i: number, droneId = "d0001"): ClientPoint {
  return {
    droneId,
    timeMs: T0 + i * 100,
    lat: 48.8566123 + i * 1e-5,
    lon: 2.3522456 - i * 1e-5,
    altM: 95.4321,
    vn: 12.345,
    ve: -3.21,
    vu: 1.5,
    battery: 87,
    seq: 1000 + i,
  };
}

describe("telemetry frames", () => {
  it("round-trips within the fixed-point resolution", () => {
    const pts = Array.from({ length: 20 }, (_, i) => point(i));
    const { baseTimeMs, points } = decodeTelemetryFrame(encodeTelemetryFrame(pts));
    expect(baseTimeMs).toBe(T0);
    points.forEach((got, i) => {
      const p = pts[i]!;
      expect(got.droneId).toBe("d0001");
      expect(got.timeMs).toBe(p.timeMs);
      expect(Math.abs(got.lat - p.lat)).toBeLessThanOrEqual(0.5e-7 + 1e-12);
      expect(Math.abs(got.lon - p.lon)).toBeLessThanOrEqual(0.5e-7 + 1e-12);
      expect(Math.abs(got.altM - p.altM)).toBeLessThanOrEqual(0.0005 + 1e-9);
      for (const k of ["vn", "ve", "vu"] as const) expect(Math.abs(got[k] - p[k])).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(got.battery).toBe(87);
      expect(got.seq).toBe(p.seq);
    });
  });

  it("puts vertical speed on the wire DOWN positive", () => {
    const bytes = encodeTelemetryFrame([{ ...point(0), vu: 2.5 }]);
    const frame = fromBinary(ClientFrameSchema, bytes);
    if (frame.kind.case !== "telemetry") throw new Error("not telemetry");
    expect(frame.kind.value.points[0]!.vdCms).toBe(-250);
    expect(frame.kind.value.points[0]!.latE7).toBe(488566123);
  });

  it("leaves a drone token's own id off the wire", () => {
    const { points } = decodeTelemetryFrame(encodeTelemetryFrame([point(0)], { implicitDroneId: "d0001" }));
    expect(points[0]!.droneId).toBe("");
  });

  it("keeps a typical single-drone report at or under 32 bytes", () => {
    // Typical: level cruise at 10 Hz with battery and a sequence number, batched over up to 5 s.
    const pts = Array.from({ length: 50 }, (_, i) => ({ ...point(i), vu: 0, seq: 9000 + i }));
    const one = encodeTelemetryFrame([pts[0]!], { implicitDroneId: "d0001" });
    const fifty = encodeTelemetryFrame(pts, { implicitDroneId: "d0001" });
    const header = one.length - (fifty.length - one.length) / 49;
    const perPoint = (fifty.length - header) / 50;
    expect(perPoint).toBeLessThanOrEqual(32);
    expect(fifty.length / 50).toBeLessThanOrEqual(32);
    // Every field non-zero and wide (climbing, seq ≥ 2^14): the upper end, reported, not asserted ≤ 32.
    const worst = Array.from({ length: 50 }, (_, i) => ({ ...point(i), seq: 40_000 + i }));
    const worstPer = encodeTelemetryFrame(worst, { implicitDroneId: "d0001" }).length / 50;
    expect(worstPer).toBeLessThanOrEqual(36);
    // What the simulator's drones actually send.
    const sim = new FleetSim({ drones: 20, seed: 5, conflicts: 0 });
    let bytes = 0;
    let n = 0;
    for (let k = 0; k < 20; k++) {
      const byDrone = new Map<string, ClientPoint[]>();
      for (const p of sim.step(500).points) byDrone.set(p.droneId, [...(byDrone.get(p.droneId) ?? []), p]);
      for (const [id, ps] of byDrone) {
        bytes += encodeTelemetryFrame(ps, { implicitDroneId: id }).length;
        n += ps.length;
      }
    }
    expect(bytes / n).toBeLessThanOrEqual(32);
    console.log(
      `bytes/point: cruise ${perPoint.toFixed(1)} (50-point frame ${fifty.length} B, 1-point frame ${one.length} B), all fields wide ${worstPer.toFixed(1)}, simulated 500 ms frames ${(bytes / n).toFixed(1)} incl. header`,
    );
  });

  it("rejects points it cannot encode", () => {
    expect(() => encodeTelemetryFrame([{ ...point(0), lat: 91 }])).toThrow(/lat/);
    expect(() => encodeTelemetryFrame([{ ...point(0), altM: NaN }])).toThrow(/altM/);
  });
});

describe("zstd", () => {
  it("compresses with the WASM encoder and fzstd decompresses it", async () => {
    const zstd = await loadZstdEncoder(3);
    const sim = new FleetSim({ drones: 1, seed: 7, conflicts: 0, linkDrops: 0, gpsNoiseM: 0.3 });
    const pts = [];
    while (pts.length < 50) pts.push(...sim.step(100).points);
    const batch = pts.slice(0, 50);
    const plain = encodeTelemetryFrame(batch, { implicitDroneId: batch[0]!.droneId });
    const packed = encodeTelemetryFrame(batch, { implicitDroneId: batch[0]!.droneId, compress: zstd });
    expect(isZstd(packed)).toBe(true);
    expect(decompress(packed)).toEqual(plain);
    expect(decodeTelemetryFrame(packed).points).toEqual(decodeTelemetryFrame(plain).points);
    console.log(
      `zstd 50-point single-drone batch: ${plain.length} → ${packed.length} B (ratio ${(plain.length / packed.length).toFixed(2)}, ${(packed.length / 50).toFixed(1)} B/point)`,
    );

    const fleet = new FleetSim({ drones: 50, seed: 7, conflicts: 0 });
    const many = fleet.step(100).points.slice(0, 50);
    const rp = encodeTelemetryFrame(many);
    const rz = encodeTelemetryFrame(many, { compress: zstd });
    console.log(`zstd 50-point relay batch (50 drones): ${rp.length} → ${rz.length} B (ratio ${(rp.length / rz.length).toFixed(2)})`);
    expect(rz.length).toBeLessThanOrEqual(rp.length);
  });

  it("does not compress tiny frames", async () => {
    const zstd = await loadZstdEncoder();
    expect(isZstd(encodeTelemetryFrame([point(0)], { compress: zstd }))).toBe(false);
  });
});

describe("server frames", () => {
  const enc = (kind: Parameters<typeof create<typeof ServerFrameSchema>>[1]) => toBinary(ServerFrameSchema, create(ServerFrameSchema, kind));

  it("decodes every kind into plain numbers and names", () => {
    const w = decodeServerFrame(
      enc({
        kind: {
          case: "welcome",
          value: { sessionId: "s1", role: "drone", droneId: "d1", maxPointsPerFrame: 64, batchWindowMs: 50, conflictRadiusM: 15, serverTimeMs: BigInt(T0) },
        },
      }),
    );
    expect(w).toMatchObject({ type: "welcome", sessionId: "s1", maxPointsPerFrame: 64, conflictRadiusM: 15, serverTimeMs: T0 });
    const a = decodeServerFrame(
      enc({
        kind: {
          case: "alert",
          value: {
            alertId: "a1",
            droneId: "d1",
            otherId: "d2",
            level: AlertLevel.WARNING,
            tEntryS: 1.5,
            computedForMs: BigInt(T0),
            advisory: Manoeuvre.CLIMB,
            other: { latE7: 488566000, vdCms: 100 },
          },
        },
      }),
    );
    expect(a).toMatchObject({ type: "alert", level: "warning", advisory: "climb", computedForMs: T0, other: { lat: 48.8566, vu: -1, timeMs: T0 } });
    expect(decodeServerFrame(enc({ kind: { case: "rateLimit", value: { droneId: "d1", dropped: 3, retryAfterMs: 500 } } }))).toEqual({
      type: "rateLimit",
      droneId: "d1",
      dropped: 3,
      retryAfterMs: 500,
    });
    expect(decodeServerFrame(enc({ kind: { case: "error", value: { code: ErrorCode.WRONG_DRONE, message: "no" } } }))).toMatchObject({
      type: "error",
      code: "WRONG_DRONE",
    });
    expect(decodeServerFrame(enc({ kind: { case: "pong", value: { nonce: 7n, counters: { pointsAccepted: 10n } } } }))).toMatchObject({
      type: "pong",
      nonce: 7,
      counters: { pointsAccepted: 10, frames: 0 },
    });
    expect(decodeServerFrame(enc({}))).toEqual({ type: "unknown" });
  });

  it("encodes pings", () => {
    const f = fromBinary(ClientFrameSchema, encodePingFrame(42));
    expect(f.kind.case).toBe("ping");
    expect(f.kind.value).toMatchObject({ nonce: 42n });
  });
});
