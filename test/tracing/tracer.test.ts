// The recording tracer honours the api: parents from a context (a remote traceparent included), ids,
// attributes, status, end times, sampling that children follow, startActiveSpan's overloads.
import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace, TraceFlags } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import type { RecordingSpan } from "../../src/tracing/recording-span.js";
import { RecordingTracerProvider } from "../../src/tracing/tracer.js";
import { contextFromTraceparent, formatTraceparent } from "../../src/tracing/traceparent.js";

function setup(sampleRatio = 1, draws: number[] = []) {
  const ended: RecordingSpan[] = [];
  let clock = 1_000;
  const provider = new RecordingTracerProvider({ onEnd: (s) => ended.push(s) }, { sampleRatio, now: () => clock, random: () => draws.shift() ?? 0.5 });
  return { ended, tracer: provider.getTracer("test.scope"), provider, tick: (ms: number) => (clock += ms) };
}

describe("RecordingTracer", () => {
  it("starts a root span in a trace of its own, with fresh valid ids", () => {
    const { tracer, ended } = setup();
    const a = tracer.startSpan("a", {}, ROOT_CONTEXT);
    const b = tracer.startSpan("b", {}, ROOT_CONTEXT);
    expect(a.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.spanContext().spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(a.spanContext().traceId).not.toBe(b.spanContext().traceId);
    expect(a.spanContext().traceFlags).toBe(TraceFlags.SAMPLED);
    a.end();
    expect(ended).toHaveLength(1);
    expect((ended[0] as RecordingSpan).parentSpanId).toBe("");
  });

  it("continues a trace from a traceparent: same trace id, the remote span as parent", () => {
    const { tracer, ended } = setup();
    const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const child = tracer.startSpan("apply", { kind: SpanKind.CONSUMER }, contextFromTraceparent(tp));
    child.end();
    const s = ended[0]!;
    expect(s.spanContext().traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(s.parentSpanId).toBe("00f067aa0ba902b7");
    expect(s.spanContext().spanId).not.toBe("00f067aa0ba902b7");
    expect(s.kind).toBe(SpanKind.CONSUMER);
    // and its own traceparent names it, for the next hop
    expect(formatTraceparent(s.spanContext())).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${s.spanContext().spanId}-01`);
  });

  it("nests a child under a local span through trace.setSpan", () => {
    const { tracer, ended } = setup();
    const parent = tracer.startSpan("parent", {}, ROOT_CONTEXT);
    tracer.startSpan("child", {}, trace.setSpan(ROOT_CONTEXT, parent)).end();
    parent.end();
    const [child, p] = ended;
    expect(child!.spanContext().traceId).toBe(p!.spanContext().traceId);
    expect(child!.parentSpanId).toBe(p!.spanContext().spanId);
  });

  it("records attributes, events, status and times; ends once; ignores changes after the end", () => {
    const { tracer, ended, tick } = setup();
    const s = tracer.startSpan("work", { attributes: { a: 1, b: "x" } }, ROOT_CONTEXT);
    s.setAttribute("c", true).setAttributes({ d: [1, 2], e: 2.5 });
    s.addEvent("note", { k: "v" });
    s.setStatus({ code: SpanStatusCode.ERROR, message: "bad" });
    s.updateName("work2");
    expect(s.isRecording()).toBe(true);
    tick(7);
    s.end();
    s.end(); // a second end changes nothing
    s.setAttribute("late", 1);
    s.setStatus({ code: SpanStatusCode.OK });
    expect(s.isRecording()).toBe(false);
    expect(ended).toHaveLength(1);
    const r = ended[0]!;
    expect(r.name).toBe("work2");
    expect(r.attributes).toEqual({ a: 1, b: "x", c: true, d: [1, 2], e: 2.5 });
    expect(r.events).toEqual([{ name: "note", timeMs: 1000, attributes: { k: "v" } }]);
    expect(r.status).toEqual({ code: SpanStatusCode.ERROR, message: "bad" });
    expect([r.startMs, r.endMs]).toEqual([1000, 1007]);
  });

  it("takes start and end times as epoch ms, Date or HrTime", () => {
    const { tracer, ended } = setup();
    tracer.startSpan("t", { startTime: new Date(5000) }, ROOT_CONTEXT).end([6, 500_000]);
    expect([ended[0]!.startMs, ended[0]!.endMs]).toEqual([5000, 6000.5]);
  });

  it("bounds a span's attributes and events, counting what it drops", () => {
    const { tracer, ended } = setup();
    const s = tracer.startSpan("big", {}, ROOT_CONTEXT);
    for (let i = 0; i < 100; i++) s.setAttribute(`k${i}`, i);
    for (let i = 0; i < 40; i++) s.addEvent(`e${i}`);
    s.setAttribute("k0", -1); // an existing key still updates
    s.end();
    const r = ended[0]!;
    expect(Object.keys(r.attributes)).toHaveLength(64);
    expect(r.attributes.k0).toBe(-1);
    expect(r.events).toHaveLength(32);
    expect(r.dropped).toBe(36 + 8);
  });

  it("samples new traces at the ratio, and children follow their parent", () => {
    const { tracer, ended } = setup(0.5, [0.7, 0.2]);
    const out = tracer.startSpan("dropped", {}, ROOT_CONTEXT); // draw 0.7 ≥ 0.5
    expect(out.isRecording()).toBe(false);
    expect(out.spanContext().traceFlags).toBe(TraceFlags.NONE);
    const child = tracer.startSpan("child", {}, trace.setSpan(ROOT_CONTEXT, out));
    expect(child.isRecording()).toBe(false);
    expect(child.spanContext().traceId).toBe(out.spanContext().traceId);
    // an unsampled remote parent (flags 00) is not recorded either
    expect(tracer.startSpan("r", {}, contextFromTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")).isRecording()).toBe(false);
    const kept = tracer.startSpan("kept", {}, ROOT_CONTEXT); // draw 0.2 < 0.5
    expect(kept.isRecording()).toBe(true);
    out.end();
    child.end();
    kept.end();
    expect(ended.map((s) => s.name)).toEqual(["kept"]);
  });

  it("startActiveSpan runs the callback with the span, in each overload", () => {
    const { tracer, ended } = setup();
    const endThen = (n: number) => (s: Span) => {
      s.end();
      return n;
    };
    expect(tracer.startActiveSpan("one", endThen(1))).toBe(1);
    expect(tracer.startActiveSpan("two", { attributes: { x: 1 } }, endThen(2))).toBe(2);
    const parent = tracer.startSpan("p", {}, ROOT_CONTEXT);
    expect(tracer.startActiveSpan("three", {}, trace.setSpan(ROOT_CONTEXT, parent), endThen(3))).toBe(3);
    expect(ended.map((s) => s.name)).toEqual(["one", "two", "three"]);
    expect(ended[1]!.attributes).toEqual({ x: 1 });
    expect(ended[2]!.parentSpanId).toBe(parent.spanContext().spanId);
  });

  it("gives one tracer per scope name", () => {
    const { provider } = setup();
    expect(provider.getTracer("a")).toBe(provider.getTracer("a"));
    expect(provider.getTracer("a")).not.toBe(provider.getTracer("b"));
  });
});
