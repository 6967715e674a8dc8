/**
 * Ended spans as an OTLP/JSON ExportTraceServiceRequest (opentelemetry-proto's JSON mapping: ids in
 * lower-case hex, 64-bit integers and nanosecond times as decimal strings, enums as numbers), one
 * resource, one scope per tracer name.
 */
import type { Attributes, AttributeValue } from "@opentelemetry/api";
import type { RecordingSpan } from "./recording-span.js";

type AnyValue = { stringValue: string } | { boolValue: boolean } | { intValue: string } | { doubleValue: number } | { arrayValue: { values: AnyValue[] } };
export interface KeyValue {
  key: string;
  value: AnyValue;
}

/** Epoch ms (fractions kept to the nanosecond) as OTLP's decimal string of nanoseconds, exact past 2^53. */
export function unixNanos(ms: number): string {
  const whole = Math.floor(ms);
  const nanos = Math.min(999_999, Math.round((ms - whole) * 1e6));
  return whole === 0 ? String(nanos) : `${whole}${String(nanos).padStart(6, "0")}`;
}

function anyValue(v: AttributeValue | null | undefined): AnyValue {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: (v as (AttributeValue | null | undefined)[]).map((x) => anyValue(x)) } };
  return { stringValue: "" };
}

export function keyValues(attributes: Attributes): KeyValue[] {
  const out: KeyValue[] = [];
  for (const key of Object.keys(attributes)) {
    const v = attributes[key];
    if (v !== undefined) out.push({ key, value: anyValue(v) });
  }
  return out;
}

function otlpSpan(s: RecordingSpan) {
  return {
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    // The api's SpanKind counts from INTERNAL = 0; OTLP's from UNSPECIFIED = 0, INTERNAL = 1.
    kind: s.kind + 1,
    startTimeUnixNano: unixNanos(s.startMs),
    endTimeUnixNano: unixNanos(s.endMs),
    attributes: keyValues(s.attributes),
    ...(s.dropped > 0 ? { droppedAttributesCount: s.dropped } : {}),
    events: s.events.map((e) => ({ timeUnixNano: unixNanos(e.timeMs), name: e.name, attributes: keyValues(e.attributes) })),
    links: s.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, attributes: keyValues(l.attributes ?? {}) })),
    // SpanStatusCode and OTLP's StatusCode agree: UNSET 0, OK 1, ERROR 2.
    status: { code: s.status.code, ...(s.status.message ? { message: s.status.message } : {}) },
  };
}

export type OtlpSpan = ReturnType<typeof otlpSpan>;

export interface OtlpTraceRequest {
  resourceSpans: { resource: { attributes: KeyValue[] }; scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[] }[];
}

export function otlpTraceRequest(spans: readonly RecordingSpan[], resource: Attributes): OtlpTraceRequest {
  const byScope = new Map<string, OtlpSpan[]>();
  for (const s of spans) {
    const list = byScope.get(s.scope);
    if (list) list.push(otlpSpan(s));
    else byScope.set(s.scope, [otlpSpan(s)]);
  }
  return {
    resourceSpans: [
      {
        resource: { attributes: keyValues(resource) },
        scopeSpans: [...byScope].map(([name, list]) => ({ scope: { name }, spans: list })),
      },
    ],
  };
}
