import { describe, expect, it } from "vitest";
import { BatchSpans, newTraceId, parseTraceparent } from "../../src/link/trace.js";

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
});

describe("parseTraceparent", () => {
  it("round-trips what BatchSpans wrote", () => {
    const traceId = newTraceId();
    const tp = new BatchSpans(traceId).next();
    const ctx = parseTraceparent(tp);
    expect(ctx).toEqual({ traceId, spanId: tp.slice(36, 52), traceFlags: 1 });
  });

  it("parses the W3C example", () => {
    expect(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).toEqual({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      traceFlags: 1,
    });
    expect(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")?.traceFlags).toBe(0);
  });

  it("returns null for malformed or invalid values", () => {
    const bad = [
      "",
      "garbage",
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // unknown version
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // upper case
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", // 31 hex trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01", // 15 hex span id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
      " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902g7-01", // not hex
      "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
    ];
    for (const tp of bad) expect(parseTraceparent(tp), tp).toBeNull();
  });

  it("rejects an all-zero trace id or span id", () => {
    expect(parseTraceparent(`00-${"0".repeat(32)}-00f067aa0ba902b7-01`)).toBeNull();
    expect(parseTraceparent(`00-4bf92f3577b34da6a3ce929d0e0e4736-${"0".repeat(16)}-01`)).toBeNull();
  });
});
