import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BATCH_MAGIC,
  BATCH_VERSION,
  BatchFormatError,
  batchTraceparent,
  decodeBatch,
  encodeBatch,
  markResent,
  peekBatch,
  type RegionBatch,
} from "../../src/wire/batch-codec.js";
import type { TelemetryPoint } from "../../src/wire/point.js";

const TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const HEADER_BYTES = 16;
const POINT_BYTES = 48;

function pt(i: number, droneId: string, over: Partial<TelemetryPoint> = {}): TelemetryPoint {
  return {
    droneId,
    timeMs: 1_767_000_000_000 + i * 97,
    lat: 47.3977419 + i * 1.234567e-6,
    lon: -122.4194155 - i * 7.654321e-7,
    altM: 120.37 + i * 0.13,
    vn: 12.34 - i * 0.01,
    ve: -3.21,
    vu: 0.75,
    battery: i % 3 === 0 ? -1 : 100 - (i % 100),
    seq: i % 4 === 0 ? -1 : 1_000_000 + i,
    ...over,
  };
}

const IDS = ["d-0001", "Drohne-Zürich", "無人機-7", "🚁-42", "x".repeat(255), "é".repeat(127)];

function sampleBatch(): RegionBatch {
  const points: TelemetryPoint[] = [];
  for (let i = 0; i < 300; i++) points.push(pt(i, i < IDS.length ? IDS[i]! : `drone-${i % 40}`));
  const ghost = new Uint8Array(points.length);
  for (let i = 0; i < ghost.length; i += 7) ghost[i] = 1;
  return { seq: 4_000_000_001, sentAtMs: 1_767_000_000_123.5, traceparent: TP, counters: Float64Array.from([1, 0, 2.5, 1e9, 0, 7]), points, ghost };
}

function expectFloat32Close(got: number, want: number): void {
  expect(got).toBe(Math.fround(want));
  expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-3 * Math.max(Math.abs(want), 1e-30));
}

function expectRoundTrip(b: RegionBatch, d: RegionBatch): void {
  expect(d.seq).toBe(b.seq);
  expect(d.sentAtMs).toBe(b.sentAtMs);
  expect(d.traceparent).toBe(b.traceparent);
  expect(Array.from(d.counters)).toEqual(Array.from(b.counters));
  expect(d.points).toHaveLength(b.points.length);
  expect(Array.from(d.ghost)).toEqual(Array.from(b.ghost, (g) => (g ? 1 : 0)));
  d.points.forEach((q, i) => {
    const p = b.points[i]!;
    expect(q.droneId).toBe(p.droneId);
    expect(q.timeMs).toBe(p.timeMs);
    expect(q.lat).toBe(p.lat);
    expect(q.lon).toBe(p.lon);
    expect(q.battery).toBe(p.battery);
    expect(q.seq).toBe(p.seq);
    expectFloat32Close(q.altM, p.altM);
    expectFloat32Close(q.vn, p.vn);
    expectFloat32Close(q.ve, p.ve);
    expectFloat32Close(q.vu, p.vu);
  });
}

/** Equal after the codec's float32 narrowing of altitude and velocity. */
function samePoint(q: TelemetryPoint, p: TelemetryPoint): boolean {
  return (
    q.droneId === p.droneId &&
    Object.is(q.timeMs, p.timeMs) &&
    Object.is(q.lat, p.lat) &&
    Object.is(q.lon, p.lon) &&
    Object.is(q.altM, Math.fround(p.altM)) &&
    Object.is(q.vn, Math.fround(p.vn)) &&
    Object.is(q.ve, Math.fround(p.ve)) &&
    Object.is(q.vu, Math.fround(p.vu)) &&
    q.battery === p.battery &&
    q.seq === p.seq
  );
}

function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("encodeBatch / decodeBatch round trip", () => {
  it("round-trips many drones with UTF-8 ids, ghosts, optional battery and seq, counters and traceparent", () => {
    const b = sampleBatch();
    const bytes = encodeBatch(b);
    expect(bytes[0]).toBe(BATCH_MAGIC);
    expect(bytes[1]).toBe(BATCH_VERSION);
    expectRoundTrip(b, decodeBatch(bytes));
  });

  it("leaves the traceparent undecoded when asked, and reads it on its own later", () => {
    const b = sampleBatch();
    const bytes = encodeBatch(b);
    const d = decodeBatch(bytes, false);
    expect(d.traceparent).toBe("");
    expect({ ...d, traceparent: TP }).toEqual(decodeBatch(bytes));
    expect(batchTraceparent(bytes)).toBe(TP);
    expect(batchTraceparent(encodeBatch({ ...b, traceparent: "" }))).toBe("");
  });

  it("writes each drone id once and 48 bytes per point", () => {
    const b = sampleBatch();
    const ids = [...new Set(b.points.map((p) => p.droneId))];
    const idBytes = ids.reduce((n, id) => n + 1 + new TextEncoder().encode(id).length, 0);
    const tpBytes = 1 + TP.length;
    // Only the counters that are not 0 (version 2): a bitmap of which, then their values.
    const counterBytes = 1 + Math.ceil(b.counters.length / 8) + 8 * Array.from(b.counters).filter((c) => c !== 0).length;
    expect(encodeBatch(b).length).toBe(HEADER_BYTES + tpBytes + counterBytes + 2 + idBytes + 4 + POINT_BYTES * b.points.length);
  });

  it("round-trips an empty batch", () => {
    const b: RegionBatch = { seq: 1, sentAtMs: 0, traceparent: "", counters: new Float64Array(0), points: [], ghost: new Uint8Array(0) };
    const d = decodeBatch(encodeBatch(b));
    expect(d).toMatchObject({ seq: 1, sentAtMs: 0, traceparent: "", points: [] });
    expect(d.counters).toHaveLength(0);
    expect(d.ghost).toHaveLength(0);
  });

  it("keeps battery 0 and seq 0 present, and -1 absent", () => {
    const points = [pt(1, "a", { battery: 0, seq: 0 }), pt(2, "a", { battery: -1, seq: -1 }), pt(3, "b", { battery: 100, seq: 0xffffffff })];
    const d = decodeBatch(encodeBatch({ seq: 2, sentAtMs: 1, traceparent: TP, counters: new Float64Array(0), points, ghost: new Uint8Array(3) }));
    expect(d.points.map((p) => [p.droneId, p.battery, p.seq])).toEqual([
      ["a", 0, 0],
      ["a", -1, -1],
      ["b", 100, 0xffffffff],
    ]);
  });

  it("decodes a batch that sits at an offset inside a larger buffer", () => {
    const b = sampleBatch();
    const bytes = encodeBatch(b);
    const big = new Uint8Array(bytes.length + 13);
    big.set(bytes, 5);
    expectRoundTrip(b, decodeBatch(big.subarray(5, 5 + bytes.length)));
  });

  it("keeps float32 fields within 1e-3 relative of the input", () => {
    const values = [0.001, 0.5, 1 / 3, 12.345678, 399.99, 8848.86, 19_999.999, -412.3, -0.017];
    const points = values.map((v, i) => pt(i, "f", { altM: v, vn: -v / 10, ve: v / 100, vu: -v / 1000 }));
    const d = decodeBatch(encodeBatch({ seq: 1, sentAtMs: 1, traceparent: "", counters: new Float64Array(0), points, ghost: new Uint8Array(points.length) }));
    d.points.forEach((q, i) => {
      const v = values[i]!;
      for (const [got, want] of [
        [q.altM, v],
        [q.vn, -v / 10],
        [q.ve, v / 100],
        [q.vu, -v / 1000],
      ] as const)
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-3 * Math.abs(want));
    });
  });

  it("refuses to encode a drone id over 255 bytes", () => {
    const b: RegionBatch = { seq: 1, sentAtMs: 1, traceparent: "", counters: new Float64Array(0), points: [pt(0, "é".repeat(128))], ghost: new Uint8Array(1) };
    expect(() => encodeBatch(b)).toThrow(BatchFormatError);
  });

  it("refuses to encode a traceparent over 255 bytes rather than writing a corrupt batch", () => {
    const b: RegionBatch = { seq: 1, sentAtMs: 1, traceparent: "t".repeat(300), counters: new Float64Array(0), points: [pt(0, "a")], ghost: new Uint8Array(1) };
    // The length is one byte: 300 would be written as 44 followed by all 300 bytes, garbling the batch.
    expect(() => encodeBatch(b)).toThrow(BatchFormatError);
  });

  it("round-trips arbitrary batches (property)", () => {
    // Any scalar value (no lone surrogates: ids arrive as valid UTF-8), 1 to 4 UTF-8 bytes each.
    const codePoint = fc.oneof(fc.integer({ min: 0, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff })).map((c) => String.fromCodePoint(c));
    const f32 = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });
    const point = fc.record({
      droneIdx: fc.nat(),
      timeMs: fc.double({ noNaN: true }),
      lat: fc.double({ min: -90, max: 90, noNaN: true }),
      lon: fc.double({ min: -180, max: 180, noNaN: true }),
      altM: f32,
      vn: f32,
      ve: f32,
      vu: f32,
      battery: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 100 })),
      seq: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 0xffffffff })),
    });
    const batch = fc
      .record({
        seq: fc.integer({ min: 0, max: 0xffffffff }),
        sentAtMs: fc.double({ noNaN: true }),
        traceparent: fc.string({ unit: "binary-ascii", maxLength: 60 }),
        counters: fc.array(fc.double({ noNaN: true }), { maxLength: 20 }).map((a) => Float64Array.from(a)),
        // A few ids shared by many points, as in a real batch (and far cheaper to generate than one per point).
        ids: fc.uniqueArray(fc.string({ unit: codePoint, minLength: 1, maxLength: 16 }), { minLength: 1, maxLength: 6 }),
        points: fc.array(point, { maxLength: 40 }),
        ghostBits: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
      })
      .map(
        ({ ghostBits, ids, points, ...b }): RegionBatch => ({
          ...b,
          points: points.map(({ droneIdx, ...p }) => ({ ...p, droneId: ids[droneIdx % ids.length]! })),
          ghost: Uint8Array.from(points, (_, i) => (ghostBits[i] ? 1 : 0)),
        }),
      );
    fc.assert(
      fc.property(batch, (b) => {
        const d = decodeBatch(encodeBatch(b));
        // Plain comparisons: expect().toEqual per run makes 200 runs take seconds.
        return (
          d.seq === b.seq &&
          Object.is(d.sentAtMs, b.sentAtMs) &&
          d.traceparent === b.traceparent &&
          d.counters.length === b.counters.length &&
          d.counters.every((c, i) => Object.is(c, b.counters[i])) &&
          d.ghost.length === b.ghost.length &&
          d.ghost.every((g, i) => g === b.ghost[i]) &&
          d.points.length === b.points.length &&
          d.points.every((q, i) => samePoint(q, b.points[i]!))
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe("held and latency sections", () => {
  it("round-trips each point's receive time (to the ms, held ≤ 65,535 ms) and the latency samples", () => {
    const b = sampleBatch();
    b.points = b.points.slice(0, 5);
    b.ghost = b.ghost.slice(0, 5);
    const sent = b.sentAtMs;
    b.receivedMs = [sent - 3, sent, sent + 2, sent - 49.6, sent - 100_000];
    b.alertLatencyMs = [12.5, 3, 250];
    const d = decodeBatch(encodeBatch(b));
    expectRoundTrip(b, d);
    expect(Array.from(d.receivedMs!)).toEqual([sent - 3, sent, sent, sent - 50, sent - 65_535]);
    expect(Array.from(d.alertLatencyMs!)).toEqual([12.5, 3, 250]);
  });

  it("leaves both out when absent (the bytes of a batch without them are unchanged)", () => {
    const b = sampleBatch();
    const plain = encodeBatch(b);
    expect(encodeBatch({ ...b, alertLatencyMs: [] })).toEqual(plain);
    expect(encodeBatch({ ...b, receivedMs: [1, 2] })).toEqual(plain); // not one per point: ignored
    const d = decodeBatch(plain);
    expect(d.receivedMs).toBeUndefined();
    expect(d.alertLatencyMs).toBeUndefined();
  });

  it("marks a stored batch resent in place, changing nothing else of it", () => {
    const b = sampleBatch();
    b.receivedMs = b.points.map(() => b.sentAtMs - 5);
    const bytes = encodeBatch(b);
    expect(decodeBatch(bytes).resent).toBe(false);
    markResent(bytes);
    markResent(bytes); // idempotent
    const d = decodeBatch(bytes);
    expect(d.resent).toBe(true);
    expectRoundTrip(b, d);
    expect(Array.from(d.receivedMs!)).toEqual(b.receivedMs);
    expect(peekBatch(bytes)).toEqual({ seq: b.seq, points: b.points.length });
  });

  it("carries the latency section alone, e.g. on an empty batch", () => {
    const d = decodeBatch(
      encodeBatch({ seq: 2, sentAtMs: 5, traceparent: "", counters: new Float64Array(0), points: [], ghost: new Uint8Array(0), alertLatencyMs: [7] }),
    );
    expect(Array.from(d.alertLatencyMs!)).toEqual([7]);
    expect(d.points).toHaveLength(0);
  });

  it("rejects every truncation of a batch with sections with BatchFormatError only, and peekBatch agrees", () => {
    const b = sampleBatch();
    b.points = b.points.slice(0, 6);
    b.ghost = b.ghost.slice(0, 6);
    b.receivedMs = b.points.map(() => b.sentAtMs - 10);
    b.alertLatencyMs = [1, 2, 3];
    const bytes = encodeBatch(b);
    for (let n = 0; n < bytes.length; n++) {
      expect(
        errorOf(() => decodeBatch(bytes.slice(0, n))),
        `prefix of ${n} bytes`,
      ).toBeInstanceOf(BatchFormatError);
      expect(peekBatch(bytes.slice(0, n))).toBeNull();
    }
    expect(peekBatch(bytes)).toEqual({ seq: b.seq, points: 6 });
  });
});

describe("decodeBatch: malformed input", () => {
  it("rejects a bad magic byte", () => {
    const bytes = encodeBatch(sampleBatch());
    bytes[0] = 0x5a;
    expect(() => decodeBatch(bytes)).toThrow(BatchFormatError);
    expect(() => decodeBatch(bytes)).toThrow(/magic/);
  });

  it("rejects an unknown version", () => {
    const bytes = encodeBatch(sampleBatch());
    bytes[1] = BATCH_VERSION + 1;
    expect(() => decodeBatch(bytes)).toThrow(BatchFormatError);
    expect(() => decodeBatch(bytes)).toThrow(new RegExp(`version ${BATCH_VERSION + 1}`));
  });

  it("rejects a batch truncated at every prefix length with BatchFormatError only", () => {
    const b = sampleBatch();
    b.points = b.points.slice(0, 12);
    b.ghost = b.ghost.slice(0, 12);
    const bytes = encodeBatch(b);
    for (let n = 0; n < bytes.length; n++) {
      const e = errorOf(() => decodeBatch(bytes.slice(0, n)));
      expect(e, `prefix of ${n} bytes`).toBeInstanceOf(BatchFormatError);
    }
    expectRoundTrip(b, decodeBatch(bytes));
  });

  it("rejects a point whose drone index is out of range", () => {
    const b: RegionBatch = {
      seq: 1,
      sentAtMs: 1,
      traceparent: TP,
      counters: new Float64Array(2),
      points: [pt(0, "a"), pt(1, "b"), pt(2, "a")],
      ghost: new Uint8Array(3),
    };
    const bytes = encodeBatch(b);
    const dv = new DataView(bytes.buffer);
    const last = bytes.length - POINT_BYTES;
    expect(dv.getUint16(last, true)).toBe(0);
    dv.setUint16(last, 2, true); // two ids in the table: 0 and 1
    const e = errorOf(() => decodeBatch(bytes));
    expect(e).toBeInstanceOf(BatchFormatError);
    expect((e as Error).message).toMatch(/point 2 names drone index 2 of 2/);
    dv.setUint16(last, 0xffff, true);
    expect(() => decodeBatch(bytes)).toThrow(BatchFormatError);
  });

  it("rejects a point count larger than the bytes present without allocating for it", () => {
    const bytes = encodeBatch({ seq: 1, sentAtMs: 1, traceparent: "", counters: new Float64Array(0), points: [pt(0, "a")], ghost: new Uint8Array(1) });
    const countAt = bytes.length - POINT_BYTES - 4;
    new DataView(bytes.buffer).setUint32(countAt, 0xffffffff, true);
    expect(() => decodeBatch(bytes)).toThrow(BatchFormatError);
  });

  it("throws nothing but BatchFormatError on random bytes and on corrupted batches (property)", () => {
    const valid = encodeBatch({ ...sampleBatch(), points: sampleBatch().points.slice(0, 8), ghost: new Uint8Array(8) });
    const corrupted = fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
      const b = valid.slice();
      for (const [i, v] of edits) b[i] = v;
      return b;
    });
    const random = fc.uint8Array({ maxLength: 200 }).map((b) => {
      if (b.length > 1) {
        b[0] = BATCH_MAGIC;
        b[1] = BATCH_VERSION;
      }
      return b;
    });
    fc.assert(
      fc.property(fc.oneof(corrupted, random), (bytes) => {
        const e = errorOf(() => decodeBatch(bytes));
        if (e !== undefined) expect(e).toBeInstanceOf(BatchFormatError);
      }),
      { numRuns: 500 },
    );
  });
});

describe("peekBatch", () => {
  it("reads seq and point count without decoding points, and refuses what does not add up", () => {
    const pt = { droneId: "a", timeMs: 1, lat: 52.5, lon: 13.4, altM: 100, vn: 0, ve: 0, vu: 0, battery: -1, seq: -1 };
    const bytes = encodeBatch({
      seq: 7,
      sentAtMs: 1,
      traceparent: "00-x",
      counters: new Float64Array(3),
      points: [pt, { ...pt, droneId: "b" }],
      ghost: new Uint8Array(2),
    });
    expect(peekBatch(bytes)).toEqual({ seq: 7, points: 2 });
    expect(peekBatch(bytes.subarray(0, bytes.length - 1))).toBeNull();
    expect(peekBatch(new Uint8Array([1, 2, 3]))).toBeNull();
  });
});
