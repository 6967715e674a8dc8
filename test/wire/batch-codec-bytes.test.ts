/**
 * The encoder writes short strings without a TextEncoder and into a reused buffer (allocation, issue 9):
 * its bytes must stay exactly those of the straightforward encoder below (the format before that change,
 * with version 2's sparse counters). Version 1's bytes (every counter written) must still decode to the
 * same batch: journal rows stored before, and gateways on the previous build during a deploy.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BatchFormatError, decodeBatch, encodeBatch, MAX_LATENCY_SAMPLES, peekBatch, type RegionBatch, writePointValues } from "../../src/wire/batch-codec.js";
import type { TelemetryPoint } from "../../src/wire/point.js";

const POINT_BYTES = 48;
const encoder = new TextEncoder();

/** encodeBatch as it was before the allocation work (commit 40f7681), in `version` 1 (dense counters) or 2 (sparse). */
function referenceEncode(b: RegionBatch, version: 1 | 2 = 2): Uint8Array {
  const written = Array.from(b.counters).filter((c) => version === 1 || !Object.is(c, 0));
  const counterBytes = version === 1 ? 1 + 8 * b.counters.length : 1 + Math.ceil(b.counters.length / 8) + 8 * written.length;
  const ids = new Map<string, number>();
  const idBytes: Uint8Array[] = [];
  for (const p of b.points) {
    if (!ids.has(p.droneId)) {
      const bytes = encoder.encode(p.droneId);
      if (bytes.length > 255) throw new BatchFormatError(`drone id longer than 255 bytes`);
      ids.set(p.droneId, idBytes.length);
      idBytes.push(bytes);
    }
  }
  if (idBytes.length > 0xffff) throw new BatchFormatError("more than 65535 drones in one batch");
  const tp = encoder.encode(b.traceparent);
  if (tp.length > 255) throw new BatchFormatError("traceparent longer than 255 bytes");
  if (b.counters.length > 255) throw new BatchFormatError("more than 255 counters");
  const received = b.receivedMs !== undefined && b.receivedMs.length === b.points.length ? b.receivedMs : null;
  const latency = b.alertLatencyMs !== undefined && b.alertLatencyMs.length > 0 ? b.alertLatencyMs : null;
  if (latency !== null && latency.length > MAX_LATENCY_SAMPLES) throw new BatchFormatError(`more than ${MAX_LATENCY_SAMPLES} latency samples`);
  let size = 1 + 1 + 2 + 4 + 8 + 1 + tp.length + counterBytes + 2 + 4;
  for (const id of idBytes) size += 1 + id.length;
  size += POINT_BYTES * b.points.length;
  if (received !== null) size += 2 * b.points.length;
  if (latency !== null) size += 2 + 4 * latency.length;
  const buf = new Uint8Array(size);
  const dv = new DataView(buf.buffer);
  let o = 0;
  dv.setUint8(o, 0xa5);
  dv.setUint8(o + 1, version);
  dv.setUint16(o + 2, (b.urgent ? 1 : 0) | (received !== null ? 2 : 0) | (latency !== null ? 4 : 0), true);
  dv.setUint32(o + 4, b.seq, true);
  dv.setFloat64(o + 8, b.sentAtMs, true);
  o += 16;
  dv.setUint8(o++, tp.length);
  buf.set(tp, o);
  o += tp.length;
  dv.setUint8(o++, b.counters.length);
  if (version === 2) {
    for (let i = 0; i < b.counters.length; i++) if (!Object.is(b.counters[i], 0)) buf[o + (i >> 3)]! |= 1 << (i & 7);
    o += Math.ceil(b.counters.length / 8);
  }
  for (const c of written) {
    dv.setFloat64(o, c, true);
    o += 8;
  }
  dv.setUint16(o, idBytes.length, true);
  o += 2;
  for (const id of idBytes) {
    dv.setUint8(o++, id.length);
    buf.set(id, o);
    o += id.length;
  }
  dv.setUint32(o, b.points.length, true);
  o += 4;
  for (let i = 0; i < b.points.length; i++, o += POINT_BYTES) {
    const p = b.points[i]!;
    const flags = (b.ghost[i] ? 1 : 0) | (p.battery >= 0 ? 2 : 0) | (p.seq >= 0 ? 4 : 0);
    dv.setUint16(o, ids.get(p.droneId)!, true);
    dv.setUint8(o + 2, flags);
    writePointValues(dv, o, p);
  }
  if (received !== null) {
    for (let i = 0; i < received.length; i++, o += 2) {
      const held = Math.round(b.sentAtMs - received[i]!);
      dv.setUint16(o, held > 0 ? (held < 0xffff ? held : 0xffff) : 0, true);
    }
  }
  if (latency !== null) {
    dv.setUint16(o, latency.length, true);
    o += 2;
    for (let i = 0; i < latency.length; i++, o += 4) dv.setFloat32(o, latency[i]!, true);
  }
  return buf;
}

const point = fc.record({
  droneIdx: fc.nat(7),
  timeMs: fc.double({ noNaN: true }),
  lat: fc.double({ noNaN: true }),
  lon: fc.double({ noNaN: true }),
  altM: fc.float(),
  vn: fc.float(),
  ve: fc.float(),
  vu: fc.float(),
  battery: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 100 })),
  seq: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 0xffffffff })),
});
const batch = fc
  .record({
    seq: fc.integer({ min: 0, max: 0xffffffff }),
    sentAtMs: fc.double({ noNaN: true, min: 0, max: 2e12 }),
    traceparent: fc.oneof(fc.string({ unit: "binary-ascii", maxLength: 60 }), fc.string({ unit: "binary", maxLength: 30 })),
    counters: fc.array(fc.double({ noNaN: true }), { maxLength: 20 }).map((a) => Float64Array.from(a)),
    ids: fc.uniqueArray(
      fc.oneof(fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 16 }), fc.string({ unit: "binary", minLength: 1, maxLength: 16 })),
      {
        minLength: 1,
        maxLength: 8,
      },
    ),
    oneDrone: fc.boolean(),
    points: fc.array(point, { maxLength: 40 }),
    ghostBits: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
    urgent: fc.boolean(),
    held: fc.boolean(),
    latency: fc.array(fc.float({ noNaN: true, min: 0, max: 1e5 }), { maxLength: 5 }),
  })
  .map(
    ({ ghostBits, ids, oneDrone, points, held, latency, ...b }): RegionBatch => ({
      ...b,
      points: points.map(({ droneIdx, ...p }) => ({ ...p, droneId: oneDrone ? ids[0]! : ids[droneIdx % ids.length]! })),
      ghost: Uint8Array.from(points, (_, i) => (ghostBits[i] ? 1 : 0)),
      receivedMs: held ? points.map((_, i) => b.sentAtMs - i * 37) : undefined,
      alertLatencyMs: latency,
    }),
  );

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

describe("encodeBatch bytes", () => {
  it("are the reference encoder's, for ASCII and other ids and traceparents, one drone or many", () => {
    fc.assert(
      fc.property(batch, (b) => same(encodeBatch(b), referenceEncode(b))),
      { numRuns: 300 },
    );
  });

  it("of version 1 (every counter written) decode to the same batch as version 2's", () => {
    fc.assert(
      fc.property(batch, (b) => {
        const v1 = referenceEncode(b, 1);
        expect(v1[1]).toBe(1);
        expect(decodeBatch(v1)).toEqual(decodeBatch(encodeBatch(b)));
        expect(peekBatch(v1)).toEqual(peekBatch(encodeBatch(b)));
      }),
      { numRuns: 300 },
    );
  });

  it("carry a one-drone report in about half the bytes version 1 took (its counters in 27 bytes, not 129)", () => {
    const p: TelemetryPoint = { droneId: "s1.r.1", timeMs: 1, lat: 2, lon: 3, altM: 4, vn: 5, ve: 6, vu: 7, battery: 50, seq: 9 };
    const counters = new Float64Array(16);
    counters[0] = counters[1] = counters[7] = 1; // received, accepted, batched: a single report's usual deltas
    const b: RegionBatch = { seq: 1, sentAtMs: 10, traceparent: "", counters, points: [p], ghost: new Uint8Array(1), receivedMs: [9] };
    expect(referenceEncode(b, 1).length).toBe(209);
    expect(encodeBatch(b).length).toBe(209 - 129 + 27);
  });

  it("do not change when the reused buffer held a longer batch before", () => {
    const p: TelemetryPoint = { droneId: "d-1", timeMs: 1, lat: 2, lon: 3, altM: 4, vn: 5, ve: 6, vu: 7, battery: 50, seq: 9 };
    const small: RegionBatch = { seq: 1, sentAtMs: 10, traceparent: "tp", counters: new Float64Array(1), points: [p], ghost: new Uint8Array(1) };
    const first = encodeBatch(small);
    encodeBatch({ ...small, points: Array.from({ length: 200 }, (_, i) => ({ ...p, droneId: `d-${i}` })), ghost: new Uint8Array(200).fill(1) });
    expect(Array.from(encodeBatch(small))).toEqual(Array.from(first));
    expect(decodeBatch(first).points[0]!.droneId).toBe("d-1");
  });

  it("refuses an id or traceparent over 255 bytes, ASCII or not", () => {
    const p: TelemetryPoint = { droneId: "x".repeat(256), timeMs: 1, lat: 2, lon: 3, altM: 4, vn: 5, ve: 6, vu: 7, battery: -1, seq: -1 };
    const b: RegionBatch = { seq: 1, sentAtMs: 1, traceparent: "", counters: new Float64Array(0), points: [p], ghost: new Uint8Array(1) };
    expect(() => encodeBatch(b)).toThrow(BatchFormatError);
    expect(() => encodeBatch({ ...b, points: [{ ...p, droneId: "é".repeat(128) }] })).toThrow(BatchFormatError);
    expect(() => encodeBatch({ ...b, points: [{ ...p, droneId: "ok" }], traceparent: "ü".repeat(128) })).toThrow(BatchFormatError);
    expect(encodeBatch({ ...b, points: [{ ...p, droneId: "é".repeat(127) }] }).length).toBeGreaterThan(0);
  });
});
