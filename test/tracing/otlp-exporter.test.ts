// The OTLP/HTTP JSON exporter against a stub fetch: the URL, the headers, and the body's shape as
// opentelemetry-proto's JSON mapping has it.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { type FetchLike, OtlpHttpExporter, parseOtlpHeaders, tracesUrl } from "../../src/tracing/otlp-exporter.js";
import { unixNanos } from "../../src/tracing/otlp-json.js";
import type { RecordingSpan } from "../../src/tracing/recording-span.js";
import { RecordingTracerProvider } from "../../src/tracing/tracer.js";

function spans(): RecordingSpan[] {
  const ended: RecordingSpan[] = [];
  const provider = new RecordingTracerProvider({ onEnd: (s) => ended.push(s) }, { sampleRatio: 1, now: () => 1_700_000_000_123.5, random: () => 0 });
  const g = provider.getTracer("airspace.gateway");
  const r = provider.getTracer("airspace.region");
  const batch = g.startSpan(
    "gateway.batch",
    { kind: SpanKind.PRODUCER, attributes: { "airspace.batch.points": 3, ratio: 0.5, ok: true, ids: ["a", "b"] } },
    ROOT_CONTEXT,
  );
  batch.end(1_700_000_000_124);
  const apply = r.startSpan("region.apply", { kind: SpanKind.CONSUMER }, trace.setSpan(ROOT_CONTEXT, batch));
  apply.addEvent("late", { n: 1 }, 1_700_000_000_125);
  apply.setStatus({ code: SpanStatusCode.ERROR, message: "boom" });
  apply.end(1_700_000_000_126);
  return ended;
}

describe("OtlpHttpExporter", () => {
  it("POSTs {endpoint}/v1/traces with the configured headers and an OTLP/JSON body", async () => {
    const calls: { url: string; init: Parameters<FetchLike>[1] }[] = [];
    const fetch: FetchLike = async (url, init) => {
      calls.push({ url, init });
      return { ok: true, status: 200 };
    };
    const exporter = new OtlpHttpExporter("https://collector.example/otlp/", { authorization: "Bearer k" }, { "service.name": "airspace" }, fetch, 1000);
    const [batch, apply] = spans();
    expect(await exporter.export([batch!, apply!])).toBe(true);
    expect(calls).toHaveLength(1);
    const { url, init } = calls[0]!;
    expect(url).toBe("https://collector.example/otlp/v1/traces");
    expect(init.method).toBe("POST");
    expect(init.headers).toEqual({ authorization: "Bearer k", "content-type": "application/json" });
    expect(init.signal).toBeInstanceOf(AbortSignal);
    const body = JSON.parse(init.body);
    expect(body.resourceSpans).toHaveLength(1);
    const rs = body.resourceSpans[0];
    expect(rs.resource.attributes).toEqual([{ key: "service.name", value: { stringValue: "airspace" } }]);
    expect(rs.scopeSpans.map((s: { scope: { name: string } }) => s.scope.name)).toEqual(["airspace.gateway", "airspace.region"]);
    const b = rs.scopeSpans[0].spans[0];
    const a = rs.scopeSpans[1].spans[0];
    expect(b).toEqual({
      traceId: batch!.spanContext().traceId,
      spanId: batch!.spanContext().spanId,
      name: "gateway.batch",
      kind: 4, // OTLP SPAN_KIND_PRODUCER
      startTimeUnixNano: "1700000000123500000",
      endTimeUnixNano: "1700000000124000000",
      attributes: [
        { key: "airspace.batch.points", value: { intValue: "3" } },
        { key: "ratio", value: { doubleValue: 0.5 } },
        { key: "ok", value: { boolValue: true } },
        { key: "ids", value: { arrayValue: { values: [{ stringValue: "a" }, { stringValue: "b" }] } } },
      ],
      events: [],
      links: [],
      status: { code: 0 },
    });
    expect(a).toMatchObject({
      traceId: batch!.spanContext().traceId,
      parentSpanId: batch!.spanContext().spanId,
      kind: 5, // SPAN_KIND_CONSUMER
      events: [{ timeUnixNano: "1700000000125000000", name: "late", attributes: [{ key: "n", value: { intValue: "1" } }] }],
      status: { code: 2, message: "boom" },
    });
  });

  it("reports a refused export (non-2xx) as not taken", async () => {
    const exporter = new OtlpHttpExporter("http://127.0.0.1:4318", {}, {}, async () => ({ ok: false, status: 503 }), 1000);
    expect(await exporter.export(spans())).toBe(false);
  });
});

describe("OTLP helpers", () => {
  it("writes nanoseconds exactly, past 2^53", () => {
    expect(unixNanos(1_700_000_000_123)).toBe("1700000000123000000");
    expect(unixNanos(1_700_000_000_123.25)).toBe("1700000000123250000");
    expect(unixNanos(1.5)).toBe("1500000");
    expect(unixNanos(0.25)).toBe("250000");
  });

  it("appends the signal path to the base endpoint", () => {
    expect(tracesUrl("http://127.0.0.1:4318")).toBe("http://127.0.0.1:4318/v1/traces");
    expect(tracesUrl("https://h/otlp//")).toBe("https://h/otlp/v1/traces");
  });

  it("parses OTEL_EXPORTER_OTLP_HEADERS, percent-decoding values, and refuses malformed entries", () => {
    expect(parseOtlpHeaders("")).toEqual({});
    expect(parseOtlpHeaders("api-key=abc, Authorization=Basic%20eDp5 ,")).toEqual({ "api-key": "abc", authorization: "Basic eDp5" });
    expect(parseOtlpHeaders("a=b=c")).toEqual({ a: "b=c" });
    for (const bad of ["novalue", "=v", "bad key=v", "k=%E0%A4%A"]) expect(parseOtlpHeaders(bad), bad).toBeNull();
  });
});
