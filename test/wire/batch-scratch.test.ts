import { describe, expect, it } from "vitest";
import { encodeBatch, encodeBatchToScratch, type RegionBatch, type TraceparentWriter } from "../../src/wire/batch-codec.js";
import { encodedScratch, scratchFor } from "../../src/wire/batch-scratch.js";
import type { TelemetryPoint } from "../../src/wire/point.js";

const TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

function point(droneId: string, i: number): TelemetryPoint {
  return { droneId, timeMs: 1_767_000_000_000 + i, lat: 48.8 + i / 1000, lon: 2.3, altM: 100, vn: 1, ve: -2, vu: 0.5, battery: i % 2 ? 80 : -1, seq: i };
}

function batch(n: number): RegionBatch {
  const points = Array.from({ length: n }, (_, i) => point(i % 3 === 0 ? "f/a" : "f/b", i));
  return {
    seq: 7,
    sentAtMs: 1_767_000_000_050,
    traceparent: TP,
    counters: Float64Array.from([1, 2, 3]),
    points,
    ghost: new Uint8Array(n),
    receivedMs: points.map((p) => p.timeMs),
  };
}

/** A writer of a fixed string's bytes, as src/link/trace.ts's BatchSpans writes its span. */
const writerOf = (s: string): TraceparentWriter => ({
  byteLength: s.length,
  write: (buf, o) => {
    for (let i = 0; i < s.length; i++) buf[o + i] = s.charCodeAt(i);
  },
});

describe("the batch encoder's reused buffer", () => {
  it("holds the bytes encodeBatch copies out, the last batch first, until the next encode", () => {
    for (const n of [0, 1, 3, 200]) {
      const b = batch(n);
      const copy = encodeBatch(b);
      const len = encodeBatchToScratch(b);
      expect(len).toBe(copy.length);
      expect(encodedScratch().slice(0, len)).toEqual(copy);
    }
  });

  it("grows for a batch larger than it, keeping what is asked for", () => {
    const before = encodedScratch().length;
    expect(scratchFor(before + 1).byteLength).toBeGreaterThan(before);
    const copy = encodeBatch(batch(2));
    expect(encodedScratch().slice(0, copy.length)).toEqual(copy);
  });

  it("writes a traceparent writer's bytes where its string would be, the same batch to the byte", () => {
    const b = batch(3);
    expect(encodeBatch({ ...b, traceparent: writerOf(TP) })).toEqual(encodeBatch(b));
    expect(encodeBatch({ ...b, traceparent: writerOf("") })).toEqual(encodeBatch({ ...b, traceparent: "" }));
    expect(() => encodeBatch({ ...b, traceparent: writerOf("x".repeat(256)) })).toThrow(/longer than 255 bytes/);
  });
});
