// W3C traceparent to and from span contexts, and the parent context a far-side span starts in.
import { ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { BatchSpans, newTraceId } from "../../src/link/trace.js";
import { contextFromTraceparent, formatTraceparent, parseTraceparent } from "../../src/tracing/traceparent.js";

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

describe("formatTraceparent and contextFromTraceparent", () => {
  it("formats what parseTraceparent reads, flags included", () => {
    for (const tp of ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"])
      expect(formatTraceparent(parseTraceparent(tp)!)).toBe(tp);
  });

  it("gives a context whose span is the remote parent, or the root context for a bad value", () => {
    const sc = trace.getSpanContext(contextFromTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    expect(sc).toEqual({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1, isRemote: true });
    expect(contextFromTraceparent("garbage")).toBe(ROOT_CONTEXT);
    expect(contextFromTraceparent("")).toBe(ROOT_CONTEXT);
  });
});
