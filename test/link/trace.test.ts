import { describe, expect, it } from "vitest";
import { BatchSpans, newTraceId } from "../../src/link/trace.js";

const FORMAT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;

describe("newTraceId", () => {
  it("is 32 lowercase hex digits, not all zero, and different each time", () => {
    const ids = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const id = newTraceId();
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(id).not.toMatch(/^0+$/);
      ids.add(id);
    }
    expect(ids.size).toBe(100);
  });
});

describe("BatchSpans", () => {
  it("formats 00-<trace id>-<16 hex span id>-01 under the given trace", () => {
    const traceId = newTraceId();
    const tp = new BatchSpans(traceId).next();
    expect(tp).toMatch(FORMAT);
    expect(tp.slice(3, 35)).toBe(traceId);
  });

  it("gives each batch of a link its own span id, and two links different ones", () => {
    const traceId = newTraceId();
    const a = new BatchSpans(traceId);
    const b = new BatchSpans(traceId);
    const spans = new Set([...Array.from({ length: 50 }, () => a.next().slice(36, 52)), ...Array.from({ length: 50 }, () => b.next().slice(36, 52))]);
    expect(spans.size).toBe(100);
    for (const s of spans) expect(s).not.toBe("0".repeat(16));
  });

  it("returns an empty string for an invalid trace id", () => {
    expect(new BatchSpans("0".repeat(32)).next()).toBe("");
    expect(new BatchSpans("xyz").next()).toBe("");
  });
  it("writes as the batch encoder's writer the bytes next() would have given, the span counted on", () => {
    const a = new BatchSpans(newTraceId());
    const first = a.next();
    const w = a.nextWriter();
    if (w === "") throw new Error("a valid trace id has a writer");
    const buf = new Uint8Array(w.byteLength + 2);
    w.write(buf, 1);
    const written = new TextDecoder().decode(buf.subarray(1, 1 + w.byteLength));
    expect(written).toMatch(FORMAT);
    expect(written).toBe(`${first.slice(0, 44)}00000002-01`);
    expect(new BatchSpans("0".repeat(32)).nextWriter()).toBe("");
  });
});
